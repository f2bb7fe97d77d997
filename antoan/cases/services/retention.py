"""Retention: legal holds, and anonymising a survivor's closed cases when their time is up.

A closed case is kept ``ANTOAN_RETENTION_YEARS`` (default 5) after closure, then its
identifying data is removed and the rest kept for statistics (docs/privacy/retention.md).
The unit is the survivor: their records go only when every one of their cases is due, so a
case still open, closed recently or on legal hold keeps the survivor's identity for all.
What the hotline and referrals hold about those cases is scrubbed by those apps' services;
``manage.py apply_retention`` runs all of it, one survivor per transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases import models as m
from antoan.cases.services.common import advance, lock, now
from antoan.core.permissions import grant

# Stage-change reasons and event data that are codes, not text someone typed.
_REASON_CODES = frozenset({"closure"})
# Case event data keys that may hold text someone typed (the reason for reopening).
_TEXT_EVENT_KEYS = ("reason",)

# Every encrypted or free-text field of a case's own records, blanked on anonymisation.
# (model, path from the model to the case, fields)
CASE_TEXT_FIELDS: tuple[tuple[type[models.Model], str, tuple[str, ...]], ...] = (
    (m.Incident, "case", ("description",)),
    (m.Perpetrator, "incident__case", ("details", "occupation")),
    (m.Assessment, "case", ("notes",)),
    (m.SafetyPlan, "case", ("content",)),
    (m.CasePlan, "case", ("goals",)),
    (m.FollowUp, "case", ("notes",)),
    (m.CaseNote, "case", ("body",)),
    (m.ProtectionMeasure, "case", ("refusal_reason", "late_reason")),
    (m.ClosureRequest, "case", ("reason", "comment", "missing_reason")),
    (m.CaseTransfer, "case", ("reason", "decline_reason")),
    # A reviewer's note on a possible duplicate, from either side of the pair.
    (m.DuplicateReview, "case", ("note",)),
    (m.DuplicateReview, "matched", ("note",)),
)

# Text other apps keep about a case (a data subject's request, its access package): they
# register it here from their AppConfig.ready, so cases never imports them.
_REGISTERED_TEXT: list[tuple[type[models.Model], str, tuple[str, ...]]] = []


def register_case_text(model: type[models.Model], path: str, names: tuple[str, ...]) -> None:
    """Have ``apply_retention`` blank ``names`` of ``model`` rows reached by ``path`` (to case)."""
    if (model, path, names) not in _REGISTERED_TEXT:
        _REGISTERED_TEXT.append((model, path, names))


def case_text_fields() -> tuple[tuple[type[models.Model], str, tuple[str, ...]], ...]:
    return (*CASE_TEXT_FIELDS, *_REGISTERED_TEXT)


# The survivor's identifying fields, and those not needed for any indicator: all emptied.
# Kept: sex, birth_year, age_at_intake, commune (the indicators count by them).
SURVIVOR_CLEARED: dict[str, Any] = {
    "full_name": "",
    "other_names": "",
    "date_of_birth": "",
    "phone": "",
    "national_id": "",
    "address": "",
    "guardian_name": "",
    "guardian_phone": "",
    "name_index": "",
    "phone_index": "",
    "ethnicity": "",
    "marital_status": "",
    "occupation": "",
    "disability": False,
}


def retention_years() -> int:
    return int(settings.ANTOAN_RETENTION_YEARS)


def retention_cutoff(today: dt.date) -> dt.datetime:
    """Cases closed before this moment are past their retention period on ``today``."""
    years = retention_years()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29/02 in a year that has none
        day = today.replace(year=today.year - years, day=28)
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def retention_due_on(case: m.Case) -> dt.date | None:
    """The day a closed case's retention period ends (None while open)."""
    if case.closed_at is None:
        return None
    closed = timezone.localdate(case.closed_at)
    years = retention_years()
    try:
        return closed.replace(year=closed.year + years) + dt.timedelta(days=1)
    except ValueError:  # closed on 29/02
        return closed.replace(year=closed.year + years, day=28) + dt.timedelta(days=1)


def _kept(cutoff: dt.datetime) -> Q:
    """Cases that keep their survivor identified: open, closed recently, or on hold."""
    return ~Q(status=c.Status.CLOSED) | Q(closed_at__gte=cutoff) | Q(legal_hold=True)


def survivors_due(today: dt.date) -> list[int]:
    """Survivors whose every case is closed, past the period, not held and not anonymised."""
    cutoff = retention_cutoff(today)
    due = m.Case.objects.filter(
        status=c.Status.CLOSED, closed_at__lt=cutoff, legal_hold=False, anonymised_at__isnull=True
    ).values("survivor_id")
    blocked = m.Case.objects.filter(_kept(cutoff)).values("survivor_id")
    return list(
        m.Survivor.objects.filter(pk__in=due)
        .exclude(pk__in=blocked)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass
class Scrubbed:
    """What one anonymisation removed: counts only, for the command's output and the audit."""

    fields: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, count: int) -> None:
        if count:
            self.fields += count
            self.rows[label] = self.rows.get(label, 0) + count


def blank_text(queryset: models.QuerySet, names: tuple[str, ...], scrubbed: Scrubbed) -> None:
    """Empty each named field where it is not empty, counting the values removed."""
    label = queryset.model._meta.label_lower
    for name in names:
        filled = queryset.exclude(**{name: ""})
        scrubbed.add(f"{label}.{name}", filled.update(**{name: ""}))


def case_records_anonymise(case_ids: list[int], scrubbed: Scrubbed) -> None:
    """Blank the free text of the cases' records and the typed reasons in their history."""
    for model, path, names in case_text_fields():
        blank_text(model._default_manager.filter(**{f"{path}__in": case_ids}), names, scrubbed)
    stage_reasons = m.CaseStageChange.objects.filter(case_id__in=case_ids).exclude(
        Q(reason="") | Q(reason__in=_REASON_CODES)
    )
    scrubbed.add("cases.casestagechange.reason", stage_reasons.update(reason=""))
    for event in m.CaseEvent.objects.filter(case_id__in=case_ids):
        typed = [
            k for k in _TEXT_EVENT_KEYS if k in event.data and event.data[k] not in _REASON_CODES
        ]
        if typed:
            for key in typed:
                del event.data[key]
            event.save(update_fields=["data"])
            scrubbed.add("cases.caseevent.data", len(typed))


def survivor_anonymise(survivor_id: int, scrubbed: Scrubbed) -> None:
    """Empty the survivor's identifying fields and drop their search tokens."""
    survivor = m.Survivor.objects.select_for_update().get(pk=survivor_id)
    filled = [
        name
        for name, empty in SURVIVOR_CLEARED.items()
        if getattr(survivor, name) not in ("", None, empty)
    ]
    m.Survivor.objects.filter(pk=survivor_id).update(**SURVIVOR_CLEARED)
    scrubbed.add("cases.survivor", len(filled))
    deleted, _by_model = m.SearchToken.objects.filter(survivor_id=survivor_id).delete()
    scrubbed.add("cases.searchtoken", deleted)
    # The per-case copies of those digests (the case search's index) go with them.
    m.CaseSearchToken.objects.filter(case__survivor_id=survivor_id).delete()


def cases_mark_anonymised(case_ids: list[int]) -> None:
    """Stamp the cases and raise their versions, so a form opened before is refused."""
    m.Case.objects.filter(pk__in=case_ids).update(
        anonymised_at=now(), version=F("version") + 1, updated_at=now()
    )


# --- Legal hold ---------------------------------------------------------------------------


def may_hold(actor: Any, case: m.Case) -> bool:
    return grant(actor, Perm.CASE_LEGAL_HOLD, agency_id=case.agency_id) is not None


@transaction.atomic
def case_legal_hold_set(
    *,
    case: m.Case,
    actor: Any,
    hold: bool,
    reason: str = "",
    reference: str = "",
    version: int,
    request: Any = None,
) -> m.Case:
    """Put a case on legal hold (it outlives its retention period) or lift the hold."""
    lock(case)
    membership = grant(actor, Perm.CASE_LEGAL_HOLD, agency_id=case.agency_id)
    if membership is None:
        raise PermissionDenied
    if case.anonymised_at is not None:
        raise ValidationError(_("Hồ sơ đã được ẩn danh theo thời hạn lưu trữ."))
    if hold:
        errors: dict[str, list[str]] = {}
        if reason not in c.LegalHoldReason.values:
            errors["legal_hold_reason"] = [_("Chọn lý do lưu giữ.")]
        reference = reference.strip()
        if not reference:
            errors["legal_hold_reference"] = [_("Ghi số, ngày của văn bản yêu cầu lưu giữ.")]
        elif len(reference) > 100:
            errors["legal_hold_reference"] = [_("Tối đa 100 ký tự.")]
        if errors:
            raise ValidationError(errors)
        fields: dict[str, Any] = {
            "legal_hold": True,
            "legal_hold_reason": reason,
            "legal_hold_reference": reference,
            "legal_hold_set_at": now(),
            "legal_hold_set_by": actor,
        }
    else:
        if not case.legal_hold:
            raise ValidationError(_("Hồ sơ không bị lưu giữ theo yêu cầu pháp lý."))
        fields = {
            "legal_hold": False,
            "legal_hold_reason": "",
            "legal_hold_reference": "",
            "legal_hold_set_at": now(),
            "legal_hold_set_by": actor,
        }
    return advance(
        case,
        actor=actor,
        version=version,
        kind="legal_hold_set" if hold else "legal_hold_lifted",
        membership=membership,
        request=request,
        data={"hold_reason": reason} if hold else {},
        fields=fields,
    )
