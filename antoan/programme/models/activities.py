"""Activities and what belongs to them: trainees, inspection teams and recommendations,
spending, evidence files and the coordinator's comments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.cases.choices import Sex
from antoan.programme.choices import (
    ActivityKind,
    Channel,
    ConferenceFormat,
    EvidenceKind,
    FundingSource,
    RecommendationStatus,
    TrainingTopic,
)
from antoan.programme.models.plan import Plan, Task
from antoan.programme.models.registry import CommunityModel

USER = settings.AUTH_USER_MODEL


def long_text(verbose_name: Any, max_length: int, **kwargs: Any) -> models.TextField:
    """A text field whose length ``full_clean`` checks (a TextField's max_length alone only
    sizes the form's textarea). Forms, the API and the Excel import read the same number
    through ``text_limit``, so the three accept the same text (issue 9: an import once took
    150 MiB into one description)."""
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        **kwargs,
    )


def text_limit(model: type[models.Model], name: str) -> int:
    """The most characters ``model.name`` takes."""
    limit = getattr(model._meta.get_field(name), "max_length", None)
    if limit is None:
        raise LookupError(f"{model.__name__}.{name} has no max_length")
    return int(limit)


class Activity(models.Model):
    """One activity carrying out one or more tasks. Kind-specific fields are blank for other
    kinds; ``services.activity_save`` checks which apply."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("loại hoạt động"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("tên hoạt động"), max_length=255)
    description = long_text(_("mô tả"), 10_000, blank=True)
    tasks = models.ManyToManyField(Task, verbose_name=_("nhiệm vụ"), related_name="activities")
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan tổ chức"),
        on_delete=models.PROTECT,
        related_name="programme_activities",
    )
    partners = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan phối hợp"), blank=True, related_name="+"
    )
    partners_other = models.CharField(_("đơn vị phối hợp khác"), max_length=255, blank=True)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"))
    target_groups = models.JSONField(_("nhóm đối tượng"), default=list, blank=True)
    participants_total = models.PositiveIntegerField(_("tổng số người tham gia"))
    participants_female = models.PositiveIntegerField(_("nữ"), default=0)
    participants_male = models.PositiveIntegerField(_("nam"), default=0)
    participants_other = models.PositiveIntegerField(_("khác, không rõ"), default=0)
    age_under_16 = models.PositiveIntegerField(_("dưới 16 tuổi"), null=True, blank=True)
    age_16_29 = models.PositiveIntegerField(_("16-29 tuổi"), null=True, blank=True)
    age_30_59 = models.PositiveIntegerField(_("30-59 tuổi"), null=True, blank=True)
    age_60_plus = models.PositiveIntegerField(_("từ 60 tuổi"), null=True, blank=True)
    # Communication.
    channel = models.CharField(_("hình thức"), max_length=20, choices=Channel.choices, blank=True)
    materials_produced = models.PositiveIntegerField(
        _("sản phẩm truyền thông sản xuất"), null=True, blank=True
    )
    materials_distributed = models.PositiveIntegerField(
        _("sản phẩm truyền thông phát hành"), null=True, blank=True
    )
    # Training.
    topic = models.CharField(
        _("chủ đề tập huấn"), max_length=20, choices=TrainingTopic.choices, blank=True
    )
    training_of_trainers = models.BooleanField(_("tập huấn giảng viên nguồn"), default=False)
    pre_test_score = models.DecimalField(
        _("điểm kiểm tra đầu khóa (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    post_test_score = models.DecimalField(
        _("điểm kiểm tra cuối khóa (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # Conference, workshop, dialogue.
    conference_format = models.CharField(
        _("hình thức hội nghị"), max_length=20, choices=ConferenceFormat.choices, blank=True
    )
    # Study visit.
    destination = models.CharField(_("nơi đến"), max_length=255, blank=True)
    # Inspection.
    units_inspected = long_text(_("đơn vị được kiểm tra"), 4_000, blank=True)
    findings = long_text(_("kết quả kiểm tra"), 10_000, blank=True)
    # Commendation.
    recipient = models.CharField(_("tập thể, cá nhân được khen"), max_length=255, blank=True)
    reason = long_text(_("thành tích"), 4_000, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decided_by = models.CharField(_("cấp quyết định"), max_length=255, blank=True)
    # Model activity.
    community_model = models.ForeignKey(
        CommunityModel,
        verbose_name=_("mô hình"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    # Warnings that do not block saving, e.g. "agency_not_assigned" (see services).
    flags = models.JSONField(default=list, blank=True)
    # Re-importing the same spreadsheet row, or re-sending the same API request, finds this.
    import_key = models.CharField(max_length=64, blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["agency", "start_date"], name="activity_agency_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="activity_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(
                    participants_total=F("participants_female")
                    + F("participants_male")
                    + F("participants_other")
                ),
                name="activity_participants_by_sex_add_up",
            ),
            models.CheckConstraint(
                condition=Q(
                    age_under_16__isnull=True,
                    age_16_29__isnull=True,
                    age_30_59__isnull=True,
                    age_60_plus__isnull=True,
                )
                | Q(
                    age_under_16__isnull=False,
                    age_16_29__isnull=False,
                    age_30_59__isnull=False,
                    age_60_plus__isnull=False,
                    participants_total=F("age_under_16")
                    + F("age_16_29")
                    + F("age_30_59")
                    + F("age_60_plus"),
                ),
                name="activity_participants_by_age_add_up",
            ),
            models.UniqueConstraint(
                fields=["agency", "import_key"],
                condition=~Q(import_key=""),
                name="activity_import_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Trainee(models.Model):
    """A trainee of a training course: officials and collaborators, never survivors."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="trainees")
    full_name = models.CharField(_("họ và tên"), max_length=120)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices)
    position = models.CharField(_("chức vụ, vai trò"), max_length=120, blank=True)
    agency_name = models.CharField(_("cơ quan, đơn vị"), max_length=255, blank=True)
    pre_score = models.DecimalField(
        _("điểm đầu khóa"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    post_score = models.DecimalField(
        _("điểm cuối khóa"), max_digits=5, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("học viên")
        verbose_name_plural = _("học viên")
        ordering = ["activity", "pk"]

    def __str__(self) -> str:
        return self.full_name


class InspectionMember(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="inspection_members"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    role = models.CharField(_("vai trò trong đoàn"), max_length=120, blank=True)

    class Meta:
        ordering = ["activity", "pk"]

    def __str__(self) -> str:
        return self.name or str(self.agency)


class Recommendation(models.Model):
    """A recommendation of an inspection, followed up until done."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="recommendations")
    text = long_text(_("kiến nghị"), 4_000)
    responsible = models.CharField(_("đơn vị thực hiện"), max_length=255, blank=True)
    due_date = models.DateField(_("thời hạn"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=20,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.OPEN,
    )
    follow_up = long_text(_("kết quả theo dõi"), 4_000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Spending(models.Model):
    """Money spent on an activity, by funding source, in đồng."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="spending")
    source = models.CharField(_("nguồn kinh phí"), max_length=20, choices=FundingSource.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))

    class Meta:
        ordering = ["activity", "source"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "source"], name="spending_source_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name never carries the uploader's file name (it may hold personal data).
    return f"programme/evidence/{instance.activity_id}/{instance.sha256}{instance.extension}"


class Evidence(models.Model):
    """A photo, attendance list or document proving an activity. Served only through
    ``views.evidence_download`` to users who may see the activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("loại"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "sha256"], name="evidence_once_per_activity"
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ActivityComment(models.Model):
    """The coordinator's comments on an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("nhận xét"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
