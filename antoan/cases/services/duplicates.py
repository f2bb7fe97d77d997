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
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antoan.accounts.roles import Perm
from antoan.accounts.selectors import holders
from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.models import Case, DuplicateReview
from antoan.cases.selectors import DuplicateReport, contact_allowed, reconciling_membership
from antoan.cases.services.common import choice, now
from antoan.core.audit import audit_record
from antoan.core.mail import send_after_commit

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
    membership: Any = None,
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
        membership=membership,
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


DECISIONS = {
    # From the status a review is in, the decisions a reviewer may take.
    c.DuplicateStatus.OPEN: {
        c.DuplicateStatus.SAME_PERSON,
        c.DuplicateStatus.DIFFERENT,
        c.DuplicateStatus.IN_TOUCH,
    },
    c.DuplicateStatus.SAME_PERSON: {c.DuplicateStatus.IN_TOUCH, c.DuplicateStatus.DIFFERENT},
    c.DuplicateStatus.DIFFERENT: {c.DuplicateStatus.SAME_PERSON},
    # Once both agencies were told, that cannot be undone.
    c.DuplicateStatus.IN_TOUCH: set(),
}


class ReviewConflict(Exception):
    """A decision based on a version of the review that is no longer current."""

    def __init__(self, review: DuplicateReview) -> None:
        super().__init__(f"duplicate review {review.pk} changed")
        self.review = review


@transaction.atomic
def duplicate_review_decide(
    *,
    review: DuplicateReview,
    actor: Any,
    decision: str,
    version: int,
    note: str = "",
    request: Any = None,
) -> DuplicateReview:
    """Record a reviewer's decision. "In touch" needs both survivors' sharing consent to name
    the other agency, and tells both agencies' supervisors the other's number and agency."""
    membership = reconciling_membership(actor)
    if membership is None:
        raise PermissionDenied
    current = DuplicateReview.objects.select_for_update().get(pk=review.pk)
    if current.version != version:
        raise ReviewConflict(current)
    status = choice(decision, c.DuplicateStatus, "decision")
    if status not in DECISIONS[c.DuplicateStatus(current.status)]:
        raise ValidationError({"decision": [_("Không thể chuyển sang kết luận này.")]})
    if status == c.DuplicateStatus.IN_TOUCH and not contact_allowed(current):
        raise ValidationError(
            {
                "decision": [
                    _(
                        "Người bị bạo lực chưa đồng ý chia sẻ thông tin với cơ quan kia "
                        "(ở một hoặc cả hai hồ sơ): không được kết nối hai cơ quan."
                    )
                ]
            }
        )
    current.status = status
    current.note = rules.clean_text(note, field="note", max_length=2000, multiline=True)
    current.decided_by = actor
    current.decided_at = now()
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(
        action="update",
        request=request,
        user=actor,
        membership=membership,
        object_type="duplicate_review",
        object_id=current.pk,
        changed_fields=["status", "note"] if current.note else ["status"],
        extra={"decision": status},
    )
    if status == c.DuplicateStatus.IN_TOUCH:
        _tell_supervisors(current)
    return current


def _tell_supervisors(review: DuplicateReview) -> None:
    """Email each agency's case supervisors the other case's number and agency, after commit.

    Nothing else: no name, no phone, no detail (mailboxes are read on shared phones). The case
    page shows the same to everyone who may open the case (``selectors.duplicate_contacts``).
    """
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for mine, other in ((review.case, review.matched), (review.matched, review.case)):
            addresses = _supervisor_emails(mine.agency_id)
            if not addresses:
                continue
            subject = _("[An Toàn] Hồ sơ %(number)s: liên hệ với cơ quan khác") % {
                "number": mine.number
            }
            body = _(
                "Cơ quan điều phối cấp tỉnh xác định hồ sơ %(mine)s có thể là cùng một người với "
                "hồ sơ %(other)s của %(agency)s. Người bị bạo lực đã đồng ý chia sẻ thông tin "
                "giữa hai cơ quan: hãy liên hệ %(agency)s để phối hợp hỗ trợ.\n\n"
                "Thư này không chứa thông tin về người bị bạo lực."
            ) % {"mine": mine.number, "other": other.number, "agency": other.agency.name}
            messages.append((subject, body, addresses))

    send_after_commit(messages, what="duplicate review")


def _supervisor_emails(agency_id: int) -> list[str]:
    return sorted({u.email for u in holders(agency_id, Perm.CASE_APPROVE) if u.email})
