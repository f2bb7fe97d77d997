"""Assessments against checklists of standards, and reviews of models' results.

Only the coordinator (``programme.coordinate``, the lead department) writes them. Every
problem is reported at once, keyed by field (a criterion's score as ``scores.<code>``), in
plain Vietnamese; nothing is saved while any remains.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import grant
from antoan.programme.choices import (
    AssessmentStatus,
    ModelKind,
    ModelStatus,
    ReviewDecision,
)
from antoan.programme.models import (
    FACILITY_KINDS,
    Assessment,
    AssessmentScore,
    Checklist,
    CommunityModel,
    Criterion,
    ModelReview,
    text_limit,
)
from antoan.programme.selectors.standards import review_figures

EARLIEST = dt.date(2000, 1, 1)
MAX_COUNT = 10_000_000  # people served by one model in one period: far below this


class AssessmentConflict(Exception):
    """A change based on a version of the assessment that is no longer current."""

    def __init__(self, *, assessment: Assessment, loaded_version: int):
        super().__init__(f"assessment {assessment.pk}: version {loaded_version} is stale")
        self.assessment = assessment
        self.loaded_version = loaded_version


def require_coordinator(actor: Any) -> None:
    if grant(actor, Perm.PROGRAMME_COORDINATE) is None:
        raise PermissionDenied(_("Chỉ cơ quan điều phối chương trình được ghi nhận việc này."))


def _day(value: dt.date) -> str:
    return date_format(value, "d/m/Y")


class _Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


# --- Assessments ------------------------------------------------------------------------------


@dataclass
class ScoreInput:
    score: int | None
    note: str = ""


@dataclass
class AssessmentInput:
    checklist: Checklist
    assessed_on: dt.date
    status: str = AssessmentStatus.DRAFT
    note: str = ""
    # Criterion code -> score and evidence note. A criterion left out is not scored yet.
    scores: dict[str, ScoreInput] = field(default_factory=dict)


def weighted_total(criteria: list[Criterion], scores: dict[str, int]) -> Decimal:
    """Σ weight × score / max over Σ weight, in per cent, one decimal (missing counts 0)."""
    weights = sum((c.weight for c in criteria), Decimal(0))
    if not weights:
        return Decimal(0)
    earned = sum(
        (c.weight * Decimal(scores.get(c.code, 0)) / Decimal(c.max_score) for c in criteria),
        Decimal(0),
    )
    return (earned * 100 / weights).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _subject_label(model: CommunityModel | None, facility: Agency | None) -> str:
    if model is not None:
        return _("loại mô hình “%(kind)s”") % {"kind": ModelKind(model.kind).label}
    kind = facility.kind if facility is not None else ""
    label = Agency.Kind(kind).label if kind in Agency.Kind.values else kind
    return _("loại cơ sở “%(kind)s”") % {"kind": label}


def _check_assessment(
    data: AssessmentInput,
    criteria: list[Criterion],
    *,
    model: CommunityModel | None,
    facility: Agency | None,
    new: bool,
) -> None:
    errors = _Errors()
    checklist = data.checklist
    applies = (checklist.applies_to_model(model) if model is not None else False) or (
        checklist.applies_to_agency(facility) if facility is not None else False
    )
    if not applies:
        errors.add(
            "checklist",
            _("Bộ tiêu chí “%(title)s” không áp dụng cho %(subject)s.")
            % {"title": checklist.title, "subject": _subject_label(model, facility)},
        )
    elif new:
        newer = (
            Checklist.objects.filter(
                code=checklist.code,
                version__gt=checklist.version,
                valid_from__lte=timezone.localdate(),
            )
            .order_by("-version")
            .first()
        )
        if newer is not None or not checklist.active:
            errors.add(
                "checklist",
                _(
                    "Bộ tiêu chí “%(title)s” phiên bản %(version)s không còn áp dụng; hãy đánh "
                    "giá theo phiên bản hiện hành."
                )
                % {"title": checklist.title, "version": checklist.version},
            )
    if data.status not in AssessmentStatus.values:
        errors.add("status", _("Trạng thái không hợp lệ."))
    today = timezone.localdate()
    if data.assessed_on > today:
        errors.add("assessed_on", _("Ngày đánh giá ở tương lai."))
    elif data.assessed_on < max(EARLIEST, checklist.valid_from):
        errors.add(
            "assessed_on",
            _("Bộ tiêu chí này áp dụng từ ngày %(day)s.")
            % {"day": _day(max(EARLIEST, checklist.valid_from))},
        )
    if len(data.note) > text_limit(Assessment, "note"):
        errors.add(
            "note",
            _("Nhận xét dài quá %(n)s ký tự.") % {"n": text_limit(Assessment, "note")},
        )
    by_code = {c.code: c for c in criteria}
    unknown = sorted(set(data.scores) - set(by_code))
    if unknown:
        errors.add(
            "scores",
            _("Bộ tiêu chí không có tiêu chí: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    note_limit = text_limit(AssessmentScore, "note")
    for criterion in criteria:
        key = f"scores.{criterion.code}"
        given = data.scores.get(criterion.code)
        if given is None or given.score is None:
            if data.status == AssessmentStatus.FINAL:
                errors.add(
                    key,
                    _("Hãy chấm tiêu chí %(code)s trước khi hoàn thành đánh giá.")
                    % {"code": criterion.code},
                )
            continue
        if not 0 <= given.score <= criterion.max_score:
            errors.add(
                key,
                _("Điểm của tiêu chí %(code)s phải từ 0 đến %(max)s; đã nhập %(score)s.")
                % {"code": criterion.code, "max": criterion.max_score, "score": given.score},
            )
        if len(given.note) > note_limit:
            errors.add(key, _("Ghi chú minh chứng dài quá %(n)s ký tự.") % {"n": note_limit})
    errors.raise_any()


@transaction.atomic
def assessment_save(
    *,
    actor: Any,
    data: AssessmentInput,
    model: CommunityModel | None = None,
    facility: Agency | None = None,
    instance: Assessment | None = None,
    version: int | None = None,
    request: Any = None,
) -> Assessment:
    """Record an assessment of a model or a facility (exactly one), or change a draft at
    ``version``. A final assessment is never changed: the next one is a new assessment."""
    require_coordinator(actor)
    if instance is not None:
        current = Assessment.objects.select_for_update().get(pk=instance.pk)
        if version is None or current.version != version:
            raise AssessmentConflict(assessment=current, loaded_version=version or 0)
        if current.status == AssessmentStatus.FINAL:
            raise ValidationError(
                _("Đánh giá này đã hoàn thành nên không sửa được; hãy lập một lần đánh giá mới.")
            )
        if current.checklist_id != data.checklist.pk:
            raise ValidationError({"checklist": [_("Không đổi được bộ tiêu chí của đánh giá.")]})
        model, facility = current.community_model, current.facility
    if (model is None) == (facility is None):
        raise ValidationError(_("Một lần đánh giá dành cho đúng một mô hình hoặc một cơ sở."))
    if facility is not None and facility.kind not in FACILITY_KINDS:
        raise ValidationError(
            {"facility": [_("Cơ quan này không phải cơ sở cung cấp dịch vụ được đánh giá.")]}
        )
    criteria = list(data.checklist.criteria.order_by("position"))
    _check_assessment(data, criteria, model=model, facility=facility, new=instance is None)
    scores = {code: s.score for code, s in data.scores.items() if s.score is not None}
    total = weighted_total(criteria, scores)
    band = data.checklist.band_for(float(total))
    if instance is None:
        assessment = Assessment(
            checklist=data.checklist,
            community_model=model,
            facility=facility,
            assessor=actor,
        )
    else:
        assessment = current
        assessment.version += 1
    assessment.assessed_on = data.assessed_on
    assessment.status = data.status
    assessment.note = data.note.strip()
    assessment.total_percent = total
    assessment.band = str(band["code"]) if band else ""
    assessment.updated_by = actor
    assessment.full_clean(exclude=["checklist", "community_model", "facility", "assessor"])
    assessment.save()
    assessment.scores.all().delete()
    AssessmentScore.objects.bulk_create(
        AssessmentScore(
            assessment=assessment,
            criterion=c,
            score=scores[c.code],
            note=data.scores[c.code].note.strip(),
        )
        for c in criteria
        if c.code in scores
    )
    subject: CommunityModel | Agency = model if model is not None else facility  # type: ignore[assignment]
    audit_record(
        action=AuditAction.UPDATE if instance else AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.assessment",
        object_id=assessment.pk,
        place_code=subject.place.code,
        extra={
            "checklist": f"{data.checklist.code} v{data.checklist.version}",
            "subject": f"programme.model:{subject.pk}" if model else f"agency:{subject.pk}",
            "status": assessment.status,
            "total_percent": str(total),
        },
    )
    return assessment


# --- Model reviews ----------------------------------------------------------------------------


@dataclass
class ReviewInput:
    period_start: dt.date
    period_end: dt.date
    members_total: int
    members_female: int
    people_served: int
    survivors_supported: int
    decision: str
    reasons: str
    decided_on: dt.date | None = None


def _check_review(model: CommunityModel, data: ReviewInput) -> None:
    errors = _Errors()
    today = timezone.localdate()
    if data.period_start < EARLIEST:
        errors.add("period_start", _("Ngày bắt đầu kỳ rà soát quá xa (trước 01/01/2000)."))
    if data.period_end < data.period_start:
        errors.add(
            "period_end",
            _("Kỳ rà soát kết thúc (%(end)s) trước khi bắt đầu (%(start)s).")
            % {"end": _day(data.period_end), "start": _day(data.period_start)},
        )
    elif data.period_end > today:
        errors.add(
            "period_end",
            _("Kỳ rà soát chưa kết thúc: ngày kết thúc %(end)s ở tương lai.")
            % {"end": _day(data.period_end)},
        )
    decided_on = data.decided_on or today
    if decided_on > today:
        errors.add("decided_on", _("Ngày quyết định ở tương lai."))
    elif decided_on < data.period_start:
        errors.add("decided_on", _("Ngày quyết định trước khi kỳ rà soát bắt đầu."))
    for name in ("members_total", "members_female", "people_served", "survivors_supported"):
        value = getattr(data, name)
        if not 0 <= value <= MAX_COUNT:
            errors.add(name, _("Nhập một số từ 0 đến %(max)s.") % {"max": "10.000.000"})
    if "members_female" not in errors and data.members_female > data.members_total:
        errors.add("members_female", _("Số thành viên nữ lớn hơn tổng số thành viên."))
    if data.decision not in ReviewDecision.values:
        errors.add(
            "decision",
            _("Quyết định không hợp lệ: chọn duy trì, hỗ trợ thêm, nhân rộng hoặc dừng."),
        )
    elif data.decision != ReviewDecision.STOP and model.status == ModelStatus.CLOSED:
        errors.add(
            "decision",
            _(
                "Mô hình đã giải thể. Hãy sửa tình trạng của mô hình trước khi quyết định duy "
                "trì, hỗ trợ hoặc nhân rộng."
            ),
        )
    if not data.reasons.strip():
        errors.add("reasons", _("Hãy ghi lý do của quyết định."))
    elif len(data.reasons) > text_limit(ModelReview, "reasons"):
        errors.add(
            "reasons", _("Lý do dài quá %(n)s ký tự.") % {"n": text_limit(ModelReview, "reasons")}
        )
    errors.raise_any()


@transaction.atomic
def model_review_create(
    *, actor: Any, model: CommunityModel, data: ReviewInput, request: Any = None
) -> ModelReview:
    """Record the review of a model's results. The activities of the period are counted now
    and kept as they were; a "stop" decision closes the model in the same transaction."""
    require_coordinator(actor)
    _check_review(model, data)
    model = CommunityModel.objects.select_for_update().select_related("place").get(pk=model.pk)
    figures = review_figures(model, data.period_start, data.period_end)
    review = ModelReview(
        community_model=model,
        period_start=data.period_start,
        period_end=data.period_end,
        members_total=data.members_total,
        members_female=data.members_female,
        activities_count=figures.activities_count,
        activity_participants=figures.activity_participants,
        activity_participants_female=figures.activity_participants_female,
        people_served=data.people_served,
        survivors_supported=data.survivors_supported,
        decision=data.decision,
        reasons=data.reasons.strip(),
        decided_by=actor,
        decided_on=data.decided_on or timezone.localdate(),
    )
    review.full_clean(exclude=["community_model", "decided_by"])
    review.save()
    audit_record(
        action=AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.model_review",
        object_id=review.pk,
        place_code=model.place.code,
        extra={"model": model.pk, "decision": review.decision},
    )
    if review.decision == ReviewDecision.STOP and model.status != ModelStatus.CLOSED:
        model.status = ModelStatus.CLOSED
        model.version += 1
        model.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            request=request,
            user=actor,
            object_type="programme.model",
            object_id=model.pk,
            place_code=model.place.code,
            changed_fields=["status"],
            extra={"review": review.pk, "status": model.status},
        )
    return review
