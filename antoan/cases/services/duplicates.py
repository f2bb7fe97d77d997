"""The duplicate check at intake, and the provincial review of possible duplicates.

A user learns only of possible duplicates they may open already. Cases of other agencies that
may be the same survivor are never mentioned to them in any form (an answer that differed
would tell anyone typing a phone number whether that person is a survivor somewhere); they are
recorded as a ``DuplicateReview`` for a reviewer holding ``cases.reconcile`` in a provincial
agency. Every check is audited with its outcome, and a user runs a limited number an hour.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy

from antoan.cases.models import Case, DuplicateReview
from antoan.cases.selectors import DuplicateReport
from antoan.cases.services.common import now
from antoan.core.audit import audit_record

# The check's audit event: a search of the survivors' indexes, named by its object type.
CHECK_OBJECT_TYPE = "duplicate_check"


class IntakeStopped(Exception):
    """A valid intake that created nothing; the check was audited in the caller's transaction."""

    message: Any = ""


class DuplicatesToConfirm(IntakeStopped):
    """The page asks before creating a case that may be one the user can open already."""

    message = gettext_lazy("Có thể đã có hồ sơ của người này mà bạn được xem.")

    def __init__(self, report: DuplicateReport) -> None:
        super().__init__("possible duplicates to confirm")
        self.report = report


class DuplicateChecksExceeded(IntakeStopped):
    """Too many duplicate checks by this user in the current hour: nothing was created."""

    message = gettext_lazy(
        "Bạn đã tiếp nhận quá nhiều ca trong một giờ; hệ thống tạm dừng để bảo vệ dữ liệu. "
        "Hãy thử lại sau ít phút hoặc báo giám sát của bạn."
    )


def check_allowed(actor: Any) -> bool:
    """Count one more check for ``actor`` in this hour; False once over the limit."""
    moment = now()
    key = f"antoan:duplicate-checks:{actor.pk}:{moment:%Y%m%d%H}"
    cache.add(key, 0, timeout=3700)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=3700)
        count = 1
    return count <= settings.ANTOAN_DUPLICATE_CHECKS_PER_HOUR


def audit_check(
    *,
    actor: Any,
    request: Any,
    report: DuplicateReport | None,
    outcome: str,
    case: Case | None = None,
) -> None:
    """One audit event per check: counts and outcome, never the name or phone searched."""
    extra: dict[str, Any] = {"outcome": outcome}
    if report is not None:
        extra.update({"visible": len(report.visible), "hidden": len(report.hidden)})
    audit_record(
        action="search" if report is not None else "permission_denied",
        request=request,
        user=actor,
        object_type=CHECK_OBJECT_TYPE,
        object_id=case.pk if case is not None else "",
        extra=extra,
    )


def reviews_record(case: Case, report: DuplicateReport) -> list[DuplicateReview]:
    """A review row per possible duplicate in another agency (none is shown to the user)."""
    moment = now()
    rows = [
        DuplicateReview(case=case, matched_id=hit.case_id, match=hit.match, found_at=moment)
        for hit in report.hidden
    ]
    for row in rows:
        row.full_clean(exclude=["case", "matched"])
    return DuplicateReview.objects.bulk_create(rows)
