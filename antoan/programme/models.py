"""Programme monitoring: plans as data, the activities that carry them out, models, budgets.

A plan (e.g. 64/KH-UBND) is loaded from ``data/plans/*.yaml`` by ``manage.py load_plan``: its
objectives, its task tree in the plan's own numbering and the agencies each task is assigned to.
Activities are logged by the agencies against tasks; nothing here holds survivor data. Writes go
through ``services``; reads through ``selectors``, scoped to the user's agencies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.cases.choices import Sex
from antoan.programme.choices import (
    ActivityKind,
    AssignmentRole,
    Channel,
    ConferenceFormat,
    EvidenceKind,
    FundingSource,
    InfluencerGroup,
    ModelKind,
    ModelStatus,
    RecommendationStatus,
    TaskStatus,
    TrainingTopic,
    YearReportStatus,
)

USER = settings.AUTH_USER_MODEL


class Plan(models.Model):
    code = models.SlugField(_("mã"), max_length=60, unique=True)
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    title = models.CharField(_("trích yếu"), max_length=400)
    issuing_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    issued_on = models.DateField(_("ngày ban hành"))
    place = models.ForeignKey(
        "places.Place", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("thực hiện từ"))
    period_end = models.DateField(_("thực hiện đến"))
    implements = models.TextField(_("căn cứ"), blank=True)
    signer = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, blank=True)
    budget_text = models.TextField(_("kinh phí thực hiện"), blank=True)
    report_to = models.ForeignKey(
        Agency,
        verbose_name=_("báo cáo về"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    report_due_month = models.PositiveSmallIntegerField(_("hạn báo cáo (tháng)"), null=True)
    report_due_day = models.PositiveSmallIntegerField(_("hạn báo cáo (ngày)"), null=True)
    report_text = models.TextField(_("chế độ báo cáo"), blank=True)
    source_file = models.CharField(_("tệp dữ liệu"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-period_start", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="plan_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.period_start.year}-{self.period_end.year})"


class Objective(models.Model):
    """An objective or target of the plan (section I), linked to an indicator where it has one."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(_("mục"), max_length=20)
    text = models.TextField(_("nội dung"))
    indicator_code = models.CharField(_("mã chỉ số"), max_length=20, blank=True)
    target_value = models.DecimalField(
        _("chỉ tiêu"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    target_comparison = models.CharField(_("so sánh"), max_length=2, blank=True)
    target_unit = models.CharField(_("đơn vị"), max_length=20, blank=True)
    target_year = models.PositiveSmallIntegerField(_("năm đạt chỉ tiêu"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="objective_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Task(models.Model):
    """A task of the plan, numbered as the plan numbers it ("II.3.a", "IV.10-2")."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="tasks")
    code = models.CharField(_("mục"), max_length=30)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    title = models.CharField(_("tiêu đề"), max_length=400, blank=True)
    text = models.TextField(_("nội dung"), blank=True)
    order = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    # Set by the programme coordinator, with a comment; every change is kept in TaskStatusChange.
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    status_comment = models.TextField(_("nhận xét"), blank=True)
    status_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="task_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.label}"

    @property
    def label(self) -> str:
        """The title, or the text's first sentence when the plan gives the task no title."""
        if self.title:
            return self.title
        first = self.text.split("\n", 1)[0]
        return first if len(first) <= 160 else first[:157].rstrip() + "…"


class TaskStatusChange(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=TaskStatus.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.status}"


class Assignment(models.Model):
    """A task assigned to one agency, or to every agency of a kind ("UBND các huyện")."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_assignments"
    )
    group = models.CharField(
        _("nhóm cơ quan"), max_length=30, choices=Agency.Kind.choices, blank=True
    )
    label = models.CharField(_("tên trong kế hoạch"), max_length=255, blank=True)
    role = models.CharField(_("vai trò"), max_length=10, choices=AssignmentRole.choices)
    basis = models.CharField(_("căn cứ"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["task", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(group=""))
                | (Q(agency__isnull=True) & ~Q(group="")),
                name="assignment_agency_or_group",
            ),
            models.UniqueConstraint(fields=["task", "agency", "group"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.agency or self.label or self.group} ({self.role})"


class DutyTransfer(models.Model):
    """Where a dissolved agency's duties went (the 2025 department mergers)."""

    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="transfers_out")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="transfers_in")
    since = models.DateField(_("từ ngày"))
    duties = models.CharField(_("nhiệm vụ chuyển giao"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("chuyển giao nhiệm vụ")
        verbose_name_plural = _("chuyển giao nhiệm vụ")
        ordering = ["from_agency", "since", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["from_agency", "to_agency"], name="transfer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.from_agency} → {self.to_agency}"


class CommunityModel(models.Model):
    """A prevention model on the ground: a trusted address, a safe school, a club."""

    kind = models.CharField(_("loại mô hình"), max_length=30, choices=ModelKind.choices)
    name = models.CharField(_("tên mô hình"), max_length=255)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan chủ quản"),
        on_delete=models.PROTECT,
        related_name="community_models",
    )
    founded_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.ACTIVE
    )
    members_total = models.PositiveIntegerField(_("số thành viên"), default=0)
    members_female = models.PositiveIntegerField(_("trong đó nữ"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mô hình")
        verbose_name_plural = _("mô hình")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(members_female__lte=F("members_total")),
                name="model_members_female_within_total",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Influencer(models.Model):
    """A person of standing who carries the programme's messages (II.2.đ). No sensitive data:
    a name, a standing, a commune."""

    name = models.CharField(_("họ và tên"), max_length=120)
    group = models.CharField(_("nhóm"), max_length=30, choices=InfluencerGroup.choices)
    title = models.CharField(_("chức danh, vị trí"), max_length=200, blank=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("đang tham gia"), default=True)
    note = models.CharField(_("ghi chú"), max_length=400, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("người có ảnh hưởng")
        verbose_name_plural = _("người có ảnh hưởng")
        ordering = ["place", "name"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """One activity carrying out one or more tasks. Kind-specific fields are blank for other
    kinds; ``services.activity_save`` checks which apply."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("loại hoạt động"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("tên hoạt động"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
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
    units_inspected = models.TextField(_("đơn vị được kiểm tra"), blank=True)
    findings = models.TextField(_("kết quả kiểm tra"), blank=True)
    # Commendation.
    recipient = models.CharField(_("tập thể, cá nhân được khen"), max_length=255, blank=True)
    reason = models.TextField(_("thành tích"), blank=True)
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
    text = models.TextField(_("kiến nghị"))
    responsible = models.CharField(_("đơn vị thực hiện"), max_length=255, blank=True)
    due_date = models.DateField(_("thời hạn"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=20,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.OPEN,
    )
    follow_up = models.TextField(_("kết quả theo dõi"), blank=True)
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


class BudgetLine(models.Model):
    """What an agency planned and was allocated for the plan in a year, by source. What it
    spent is the sum of its activities' spending, never typed in twice."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="budget_lines")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("năm"))
    source = models.CharField(_("nguồn kinh phí"), max_length=20, choices=FundingSource.choices)
    planned = models.PositiveBigIntegerField(_("dự toán (đồng)"), default=0)
    allocated = models.PositiveBigIntegerField(_("được giao (đồng)"), default=0)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("dòng kinh phí")
        verbose_name_plural = _("kinh phí")
        ordering = ["plan", "year", "agency", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "agency", "year", "source"], name="budget_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year} {self.source}"


class YearReport(models.Model):
    """An agency's yearly report on the plan. Once submitted, that year's activities of the
    agency are frozen until the coordinator returns it."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="year_reports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("tình trạng"), max_length=20, choices=YearReportStatus.choices)
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    returned_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)

    class Meta:
        ordering = ["plan", "year", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "agency", "year"], name="year_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}"
