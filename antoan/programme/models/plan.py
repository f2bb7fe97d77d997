"""A plan as data: objectives, the task tree in the plan's numbering, who is assigned what,
and where merged agencies' duties went."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.programme.choices import (
    AssignmentRole,
    PlanStatus,
    TaskStatus,
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
    # Built in the app (issue 10): the next provincial plan from a copy of the previous one,
    # and local plans, whose parent is the provincial plan they carry out. A local plan belongs
    # to its commune's People's Committee (``issuing_agency``) and covers that commune
    # (``place``).
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.PUBLISHED
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("kế hoạch cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_plans",
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("lập từ bản sao của"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The whole plan's budget as the plan states it; the budget lines of its years must add
    # up to it (local plans).
    budget_total = models.PositiveBigIntegerField(_("tổng kinh phí (đồng)"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    version = models.PositiveIntegerField(default=1)

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

    @property
    def is_local(self) -> bool:
        return self.parent_id is not None

    @property
    def is_published(self) -> bool:
        return self.status == PlanStatus.PUBLISHED

    @property
    def report_plan_id(self) -> int:
        """The plan whose yearly reports cover this one: a local plan reports under its parent."""
        return self.parent_id or self.pk


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
    # A local plan's task carries out a task of the provincial plan: an adopted task names it,
    # a local task added under an adopted one names the same (services.plan_build checks).
    carries = models.ForeignKey(
        "self",
        verbose_name=_("thực hiện nhiệm vụ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_by",
    )

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
