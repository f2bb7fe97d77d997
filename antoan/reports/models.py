"""The annual reporting cycle of a plan (section V of the plan): one ``Cycle`` per plan and
year, one ``Submission`` per reporting agency (a new version for each correction after
acceptance), their attachments, their history and the reminders sent.

A submission holds no survivor data: narratives about the programme, the agency's own
figures, and case figures that were suppressed before they were stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.programme.models import Plan
from antoan.reports.choices import ReminderKind, SubmissionAction, SubmissionStatus

USER = settings.AUTH_USER_MODEL

# The longest narrative section a reporter may write: about 40 printed pages.
NARRATIVE_MAX = 60_000


class Cycle(models.Model):
    """One year of a plan's reporting: the period covered, the due date, who must report and
    the template they fill."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="report_cycles")
    year = models.PositiveSmallIntegerField(_("năm báo cáo"))
    period_start = models.DateField(_("số liệu từ ngày"))
    period_end = models.DateField(_("số liệu đến ngày"))
    due_date = models.DateField(_("hạn nộp"))
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan, địa phương phải báo cáo"), related_name="+"
    )
    template = models.JSONField(_("mẫu báo cáo"), default=dict)
    template_version = models.PositiveIntegerField(default=1)
    closed_at = models.DateTimeField(_("khóa kỳ báo cáo lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["-year", "plan"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="report_cycle_once"),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="report_cycle_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.number} {self.year}"


class Submission(models.Model):
    """An agency's report for a cycle. ``number`` counts versions: 1 is the report, 2 and on
    are corrections opened after acceptance, each with its reason; the earlier version is
    kept as ``superseded``."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="submissions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("bản số"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    status = models.CharField(
        _("tình trạng"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    narratives = models.JSONField(_("nội dung"), default=dict, blank=True)
    figures = models.JSONField(_("số liệu"), default=dict, blank=True)
    recorded = models.JSONField(_("số liệu đã ghi nhận"), default=dict, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    template_version = models.PositiveIntegerField(default=1)
    correction_reason = models.TextField(_("lý do đính chính"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(_("nộp muộn"), default=False)
    returned_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    accepted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("báo cáo của cơ quan")
        verbose_name_plural = _("báo cáo của cơ quan")
        ordering = ["cycle", "agency__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "agency", "number"], name="report_submission_version"
            ),
            # At most one live version per agency and cycle: the others are superseded.
            models.UniqueConstraint(
                fields=["cycle", "agency"],
                condition=~Q(status=SubmissionStatus.SUPERSEDED),
                name="report_submission_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.agency} #{self.number}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"reports/{instance.submission.cycle_id}/{instance.submission_id}/{filename}"


class Attachment(models.Model):
    """A file sent with a submission, checked by its content (``programme.files``)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "sha256"], name="report_attachment_once")
        ]

    def __str__(self) -> str:
        return self.original_name


class SubmissionEvent(models.Model):
    """The history of a submission, shown on its page: who did what, when, and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=SubmissionAction.choices)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["submission", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action}"


class Reminder(models.Model):
    """A reminder of the due date sent to one reporter of one agency: in the app and by
    email. One row per cycle, agency, user and kind, so ``send_report_reminders`` may run
    every hour and sends each once."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "agency", "user", "kind"], name="report_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.agency_id}/{self.user_id}/{self.kind}"
