"""Duties of the personal data law: data subjects' requests, access packages, breaches.

Free text that may name people is encrypted (``EncryptedTextField``). Workflow fields change
only through ``services.py``; every change of a request's status is written to
``DataRequestEvent``. Nothing here is deleted (``PROTECT``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antoan.core.crypto import EncryptedTextField, row_key_field
from antoan.privacy import choices as p

USER = settings.AUTH_USER_MODEL


class DataRequest(models.Model):
    """A data subject's request (access, correction, deletion...) with its legal clock."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("loại yêu cầu"), max_length=12, choices=p.RequestKind.choices)
    channel = models.CharField(_("hình thức nhận"), max_length=12, choices=p.RequestChannel.choices)
    requester = models.CharField(_("người yêu cầu"), max_length=16, choices=p.Requester.choices)
    row_key = row_key_field()  # binds the encrypted values below to this row
    details = EncryptedTextField(_("nội dung yêu cầu"), blank=True)
    received_at = models.DateTimeField(_("thời điểm nhận"))
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=p.RequestStatus.choices,
        default=p.RequestStatus.RECEIVED,
    )
    # Deadlines are computed once (antoan.privacy.rules) and stored: the calendar's swaps may
    # change later, a promise made to the data subject does not.
    acknowledge_due = models.DateTimeField(_("hạn xác nhận tiếp nhận"))
    response_due = models.DateTimeField(_("hạn trả lời"))
    supervisor = models.ForeignKey(
        USER,
        verbose_name=_("giám sát phụ trách"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    extended_at = models.DateTimeField(_("gia hạn lúc"), null=True, blank=True)
    extended_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    extension_reason = EncryptedTextField(_("lý do gia hạn"), blank=True)
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = EncryptedTextField(_("kết quả"), blank=True)
    refusal_reason = EncryptedTextField(_("lý do từ chối"), blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # Optimistic concurrency: every change names the version it was based on.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        ordering = ["response_due", "pk"]
        indexes = [models.Index(fields=["status", "response_due"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=p.RequestStatus.values), name="data_request_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "acknowledged", "extended"])
                | Q(decided_at__isnull=False),
                name="data_request_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="data_request_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(extended_at__isnull=True) | ~Q(extension_reason=""),
                name="data_request_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(response_due__gte=models.F("acknowledge_due")),
                name="data_request_response_after_acknowledgement",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"YC-{self.pk:06d}" if self.pk else "YC-?"

    @property
    def is_open(self) -> bool:
        return self.status in p.OPEN_STATUSES


class DataRequestEvent(models.Model):
    """The request's history: every change of status, by whom and when."""

    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.kind

    @property
    def label(self) -> str:
        """The status reached, in the viewer's language."""
        return str(dict(p.RequestStatus.choices).get(self.to_status, self.kind))


class AccessPackage(models.Model):
    """The data subject's own data as a PDF: prepared by one person, approved by another.

    The PDF is kept encrypted (base64 inside an ``EncryptedTextField``) so that what the second
    person approved is exactly what is released; its SHA-256 is shown to both.
    """

    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="packages")
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=p.PackageStatus.choices,
        default=p.PackageStatus.PREPARED,
    )
    row_key = row_key_field()  # binds the encrypted values below to this row
    content = EncryptedTextField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveIntegerField(editable=False)
    # What the package holds, as section codes and counts (never content): the approver's view.
    summary = models.JSONField(default=dict)
    prepared_at = models.DateTimeField()
    prepared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = EncryptedTextField(_("lý do không duyệt"), blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["prepared_at", "pk"]
        constraints = [
            # The two-person rule, in the database as well as in the service.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("prepared_by")),
                name="access_package_approver_is_not_preparer",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "released"]) | Q(approved_by__isnull=False),
                name="access_package_released_only_when_approved",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=["prepared", "approved"]),
                name="one_pending_access_package",
            ),
        ]

    def __str__(self) -> str:
        return f"package {self.pk} {self.status}"


class Breach(models.Model):
    """A suspected or confirmed personal data breach, with the fields of the decree's form.

    Holds no survivor's identifying data: counts and categories only (the form says so).
    """

    detected_at = models.DateTimeField(_("thời điểm phát hiện"))
    occurred_at = models.DateTimeField(_("thời điểm xảy ra"), null=True, blank=True)
    kind = models.CharField(_("loại vi phạm"), max_length=12, choices=p.BreachKind.choices)
    row_key = row_key_field()  # binds the encrypted values below to this row
    description = EncryptedTextField(_("mô tả vi phạm"))
    data_categories = models.JSONField(_("loại dữ liệu cá nhân bị ảnh hưởng"), default=list)
    subjects_affected = models.PositiveIntegerField(
        _("số chủ thể dữ liệu bị ảnh hưởng"), null=True, blank=True
    )
    records_affected = models.PositiveIntegerField(
        _("số bản ghi bị ảnh hưởng"), null=True, blank=True
    )
    consequences = EncryptedTextField(_("hậu quả, thiệt hại có thể xảy ra"), blank=True)
    measures_taken = EncryptedTextField(_("biện pháp đã thực hiện"), blank=True)
    measures_proposed = EncryptedTextField(_("biện pháp đề xuất"), blank=True)
    contact_name = models.CharField(_("người liên hệ"), max_length=120)
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=20, blank=True)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=p.BreachStatus.choices,
        default=p.BreachStatus.SUSPECTED,
    )
    authority_notified_at = models.DateTimeField(
        _("đã thông báo cơ quan chuyên trách lúc"), null=True, blank=True
    )
    authority_reference = models.CharField(_("số văn bản thông báo"), max_length=60, blank=True)
    late_reason = EncryptedTextField(_("lý do thông báo sau 72 giờ"), blank=True)
    subjects_notified_at = models.DateTimeField(
        _("đã thông báo chủ thể dữ liệu lúc"), null=True, blank=True
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("vi phạm dữ liệu cá nhân")
        verbose_name_plural = _("vi phạm dữ liệu cá nhân")
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=p.BreachStatus.values), name="breach_status_known"
            ),
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=True) | Q(occurred_at__lte=models.F("detected_at")),
                name="breach_occurred_before_detected",
            ),
            models.CheckConstraint(
                condition=~Q(status="notified") | Q(authority_notified_at__isnull=False),
                name="breach_notified_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"VP-{self.pk:05d}" if self.pk else "VP-?"
