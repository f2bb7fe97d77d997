"""Builders shared by the programme's tests (fixtures are in conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

DAY = dt.date(2025, 11, 10)  # inside plan 64's period, after the communes of 1/7/2025 exist


def make_reporter(username: str, agency: Any, role: str = "programme_reporter") -> Any:
    """A user acting for ``agency`` in ``role`` since 1/7/2025."""
    from antoan.accounts.models import Membership, User

    user = User.objects.create(username=username, first_name="Test", last_name="Nguyễn")
    Membership.objects.create(user=user, agency=agency, role=role, valid_from=dt.date(2025, 7, 1))
    return user


def audit_events(object_type: str, object_id: Any = None, action: str | None = None) -> list:
    from antoan.core.models import AuditEvent

    events = AuditEvent.objects.filter(object_type=object_type)
    if object_id is not None:
        events = events.filter(object_id=str(object_id))
    if action is not None:
        events = events.filter(action=action)
    return list(events.order_by("seq"))


def trainee_lines(female: int, male: int) -> str:
    rows = [f"Nguyễn Thị Học Viên {i}\tNữ\tCán bộ\tUBND phường" for i in range(female)]
    rows += [f"Trần Văn Học Viên {i}\tNam\tCông an\tCông an phường" for i in range(male)]
    return "\n".join(rows)


# The trusted-address checklist (data/standards/dia-chi-tin-cay.yaml): criterion → weight; every
# criterion is scored 0-2.
TRUSTED_WEIGHTS = {
    "A1": 2,
    "A2": 1,
    "A3": 2,
    "B1": 2,
    "B2": 1,
    "C1": 2,
    "C2": 2,
    "C3": 2,
    "C4": 2,
    "D1": 1,
    "D2": 1,
}
FULL_TRUSTED = dict.fromkeys(TRUSTED_WEIGHTS, 2)
