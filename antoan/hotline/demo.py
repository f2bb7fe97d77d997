"""Demo data of the hotline: a supervisor for the provincial hotline (ctxh-tinh).

The demo's hotline has an operator (hotline1) but nobody who sees all of its calls; the
supervisor's role is ``case_supervisor``, the role that holds ``hotline.view_all``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Role

SUPERVISOR = ("hotlinesup1", "Phan Thị Ngọc", "ctxh-tinh")


@transaction.atomic
def build_demo_hotline(*, password: str) -> User:
    """Create (or bring back to shape) the hotline's supervisor. Safe to run again."""
    username, full_name, agency_code = SUPERVISOR
    family, _, given = full_name.rpartition(" ")
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": given, "last_name": family}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save()
    Membership.objects.get_or_create(
        user=user,
        agency=Agency.objects.get(code=agency_code),
        role=Role.CASE_SUPERVISOR,
        defaults={"valid_from": dt.date(2025, 7, 1)},
    )
    return user
