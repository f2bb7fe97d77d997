"""Standards of models and service facilities, assessments against them, and model reviews.

Plan 64/KH-UBND IV.1.b and II.4.a-1: the lead department (Sở Nội vụ since 2025) guides models
and service facilities to meet standards and conditions, and reviews each model's results to
decide whether to support and extend it. Checklists are data (``data/standards/*.yaml``, loaded
by ``manage.py load_standards``); a changed checklist is stored as a new version and an
assessment keeps the version it was scored on. Nothing here holds survivor data: a review
counts the survivors a model supported, it never names them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.programme.choices import AssessmentStatus, ReviewDecision
from antoan.programme.models.registry import CommunityModel

USER = settings.AUTH_USER_MODEL

# Service facilities that are assessed against a checklist: Agency.Kind values.
FACILITY_KINDS = (
    Agency.Kind.SHELTER,
    Agency.Kind.TRUSTED_ADDRESS,
    Agency.Kind.SOCIAL_ASSISTANCE,
    Agency.Kind.HEALTH_FACILITY,
)


class Checklist(models.Model):
    """One version of a checklist. Versions are never rewritten once stored."""

    code = models.SlugField(_("mã"), max_length=60)
    version = models.PositiveIntegerField(_("phiên bản"))
    title = models.CharField(_("tên bộ tiêu chí"), max_length=255)
    model_kinds = models.JSONField(_("áp dụng cho loại mô hình"), default=list, blank=True)
    agency_kinds = models.JSONField(_("áp dụng cho loại cơ sở"), default=list, blank=True)
    valid_from = models.DateField(_("áp dụng từ"))
    basis = models.CharField(_("căn cứ"), max_length=500)
    basis_note = models.TextField(_("ghi chú về căn cứ"), blank=True)
    is_sample = models.BooleanField(_("bộ tiêu chí mẫu"), default=False)
    # [{"code", "label", "min"}], highest "min" first; a result falls in the first band whose
    # "min" it reaches.
    bands = models.JSONField(_("mức xếp loại"), default=list)
    # SHA-256 of the file's content as loaded: the loader compares it to spot a change.
    fingerprint = models.CharField(max_length=64)
    source_file = models.CharField(_("tệp dữ liệu"), max_length=200, blank=True)
    # False once the code is in no file of data/standards/: kept for the assessments made on it.
    active = models.BooleanField(_("đang dùng"), default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="checklist_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def applies_to_model(self, model: CommunityModel) -> bool:
        return model.kind in self.model_kinds

    def applies_to_agency(self, agency: Agency) -> bool:
        return agency.kind in self.agency_kinds

    def band_for(self, percent: float | None) -> dict[str, object] | None:
        if percent is None:
            return None
        for band in sorted(self.bands, key=lambda b: b["min"], reverse=True):
            if percent >= band["min"]:
                return band
        return None

    def band_label(self, code: str) -> str:
        return next((str(b["label"]) for b in self.bands if b["code"] == code), code)


class Criterion(models.Model):
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="criteria", verbose_name=_("bộ tiêu chí")
    )
    code = models.CharField(_("mã tiêu chí"), max_length=20)
    group = models.CharField(_("nhóm tiêu chí"), max_length=255, blank=True)
    text = models.TextField(_("nội dung"))
    weight = models.DecimalField(_("trọng số"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("điểm tối đa"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["checklist", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="criterion_code_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="criterion_max_score_min"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"


class Assessment(models.Model):
    """A model or a service facility scored against one checklist version on a date."""

    checklist = models.ForeignKey(
        Checklist,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("bộ tiêu chí"),
    )
    community_model = models.ForeignKey(
        CommunityModel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("mô hình"),
    )
    facility = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standard_assessments",
        verbose_name=_("cơ sở"),
    )
    assessed_on = models.DateField(_("ngày đánh giá"))
    assessor = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("người đánh giá")
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    # Weighted total in per cent (missing scores count as 0 in a draft) and its band's code.
    total_percent = models.DecimalField(_("tổng điểm (%)"), max_digits=4, decimal_places=1)
    band = models.CharField(_("xếp loại"), max_length=30, blank=True)
    note = models.TextField(_("nhận xét chung"), max_length=4000, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("đánh giá theo tiêu chuẩn")
        verbose_name_plural = _("đánh giá theo tiêu chuẩn")
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(community_model__isnull=False, facility__isnull=True)
                | Q(community_model__isnull=True, facility__isnull=False),
                name="assessment_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(total_percent__gte=0) & Q(total_percent__lte=100),
                name="assessment_total_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checklist.title} · {self.assessed_on:%d/%m/%Y}"

    @property
    def subject(self) -> CommunityModel | Agency:
        return self.community_model or self.facility  # type: ignore[return-value]

    @property
    def is_final(self) -> bool:
        return self.status == AssessmentStatus.FINAL

    @property
    def band_label(self) -> str:
        return self.checklist.band_label(self.band) if self.band else ""


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("tiêu chí")
    )
    score = models.PositiveSmallIntegerField(_("điểm"))
    note = models.TextField(_("minh chứng, ghi chú"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="assessment_score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.score}/{self.criterion.max_score}"


class ModelReview(models.Model):
    """The review of a model's results over a period, and the decision taken on it."""

    community_model = models.ForeignKey(
        CommunityModel, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("mô hình")
    )
    period_start = models.DateField(_("kỳ rà soát từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    # At the time of the review, as the reviewer confirmed them.
    members_total = models.PositiveIntegerField(_("số thành viên"))
    members_female = models.PositiveIntegerField(_("trong đó nữ"))
    # Computed from the model's activities in the period when the review was saved.
    activities_count = models.PositiveIntegerField(_("số hoạt động trong kỳ"))
    activity_participants = models.PositiveIntegerField(_("số người tham gia hoạt động"))
    activity_participants_female = models.PositiveIntegerField(_("trong đó nữ"))
    # Entered by the reviewer: numbers only, never names.
    people_served = models.PositiveIntegerField(_("số người được phục vụ"))
    survivors_supported = models.PositiveIntegerField(_("số người bị bạo lực được hỗ trợ"))
    decision = models.CharField(_("quyết định"), max_length=10, choices=ReviewDecision.choices)
    reasons = models.TextField(_("lý do"), max_length=4000)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("người quyết định")
    )
    decided_on = models.DateField(_("ngày quyết định"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rà soát mô hình")
        verbose_name_plural = _("rà soát mô hình")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="review_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(members_female__lte=F("members_total")),
                name="review_members_female_within_total",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=ReviewDecision.values), name="review_decision_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_model} · {self.period_start:%d/%m/%Y}-{self.period_end:%d/%m/%Y}"
