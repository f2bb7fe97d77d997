"""The service directory, referrals between agencies, services delivered and notifications.

A referral shares a case with another agency for one service; the recipient sees only the
fields listed in ``selectors.shared_fields`` and only while the referral is open. Workflow
fields change only through ``services``; every change is written to ``ReferralEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antoan.cases.choices import Need
from antoan.core.crypto import EncryptedTextField, row_key_field

USER = settings.AUTH_USER_MODEL


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Khẩn cấp")
    HIGH = "high", _("Cao")
    NORMAL = "normal", _("Bình thường")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Đã gửi, chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    DECLINED = "declined", _("Bị từ chối")
    DELIVERED = "delivered", _("Đã cung cấp dịch vụ")
    CLOSED = "closed", _("Đã đóng")
    REVOKED = "revoked", _("Đã thu hồi")


OPEN_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class Provider(models.Model):
    """An agency's entry in the service directory."""

    agency = models.OneToOneField(
        "accounts.Agency",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        related_name="provider",
    )
    services = models.JSONField(_("dịch vụ cung cấp"), default=list)
    communes = models.ManyToManyField(
        "places.Place", verbose_name=_("xã, phường phục vụ"), blank=True, related_name="+"
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    hours = models.CharField(_("giờ làm việc"), max_length=120, blank=True)
    always_open = models.BooleanField(_("hoạt động 24/7"), default=False)
    emergency_phone = models.CharField(_("số điện thoại trực"), max_length=20, blank=True)
    languages = models.CharField(_("ngôn ngữ"), max_length=120, blank=True)
    accessible = models.BooleanField(_("tiếp cận được cho người khuyết tật"), default=False)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    # Kept off the public "Tìm hỗ trợ" page (antoan/public). Shelters and trusted addresses
    # never show there whatever this says: their being in a commune is itself the secret.
    confidential = models.BooleanField(
        _("không công khai"),
        default=False,
        help_text=_(
            "Không hiện trên trang công khai “Tìm hỗ trợ”. Nơi tạm lánh và địa chỉ tin cậy "
            "không bao giờ hiện ở đó."
        ),
    )
    # Shelters and trusted addresses only.
    capacity = models.PositiveSmallIntegerField(_("sức chứa"), null=True, blank=True)
    occupancy = models.PositiveSmallIntegerField(_("số người đang ở"), default=0)
    row_key = row_key_field()  # binds the encrypted values below to this row
    location = EncryptedTextField(_("địa điểm (bảo mật)"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cơ sở cung cấp dịch vụ")
        verbose_name_plural = _("cơ sở cung cấp dịch vụ")
        ordering = ["agency__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True, occupancy=0)
                | Q(capacity__isnull=False, occupancy__lte=models.F("capacity")),
                name="provider_occupancy_within_capacity",
            )
        ]

    def __str__(self) -> str:
        return self.agency.name

    def service_labels(self) -> list[str]:
        from antoan.cases.choices import Need

        labels = dict(Need.choices)
        return [str(labels.get(code, code)) for code in self.services]

    @property
    def is_shelter(self) -> bool:
        return self.capacity is not None

    @property
    def free_places(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.occupancy


class ProviderContact(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("họ và tên"), max_length=120)
    role = models.CharField(_("chức vụ"), max_length=120)
    phone = models.CharField(_("số điện thoại"), max_length=20)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.role}: {self.name}"


class Referral(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="referrals")
    from_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="referrals_received"
    )
    service = models.CharField(_("dịch vụ"), max_length=20, choices=Need.choices)
    urgency = models.CharField(_("mức khẩn"), max_length=10, choices=Urgency.choices)
    row_key = row_key_field()  # binds the encrypted values below to this row
    note = EncryptedTextField(_("ghi chú an toàn"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReferralStatus.choices, default="sent"
    )
    sent_at = models.DateTimeField(_("gửi lúc"))
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("hạn tiếp nhận"))
    escalated_at = models.DateTimeField(null=True, blank=True)
    emergency_override = models.BooleanField(default=False)
    override_reason = EncryptedTextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = EncryptedTextField(_("lý do từ chối"), blank=True)
    delivered_on = models.DateField(_("ngày cung cấp"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery_description = EncryptedTextField(_("dịch vụ đã cung cấp"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = EncryptedTextField(_("lý do thu hồi"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("chuyển gửi")
        verbose_name_plural = _("chuyển gửi")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["to_agency", "status", "due_at"]),
            models.Index(fields=["from_agency", "status"]),
            # The inbox: an agency's open referrals in deadline order, read a page at a time
            # (docs/performance.md, "Referral inbox"). Partial: closed ones are most rows.
            models.Index(
                fields=["to_agency", "due_at", "id"],
                condition=Q(status__in=["sent", "accepted"]),
                name="referral_inbox_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_on__isnull=False),
                name="referral_delivered_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(emergency_override=True) | ~Q(override_reason=""),
                name="referral_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"CG-{self.pk:06d}" if self.pk else "CG-?"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReferralEvent(models.Model):
    """The referral's history: every change of status, by whom and when."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.kind

    @property
    def kind_label(self) -> str:
        """The event in words: a status reached, or the escalation of an overdue referral."""
        if self.kind == "escalated":
            return str(_("Quá hạn tiếp nhận, đã báo giám sát"))
        return str(dict(ReferralStatus.choices).get(self.kind, self.kind))


class ServiceDelivery(models.Model):
    """A service the survivor received: directly from the case's agency or through a referral."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="deliveries")
    service = models.CharField(_("dịch vụ"), max_length=20, choices=Need.choices)
    delivered_on = models.DateField(_("ngày cung cấp"))
    row_key = row_key_field()  # binds the encrypted values below to this row
    description = EncryptedTextField(_("mô tả"), blank=True)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="delivery"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["delivered_on", "pk"]
        # A case's first service (indicator OP-01).
        indexes = [models.Index(fields=["case", "recorded_at"], name="delivery_case_recorded")]

    def __str__(self) -> str:
        return f"{self.service} {self.delivered_on}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("Chuyển gửi mới")
        OVERDUE = "overdue", _("Chuyển gửi quá hạn tiếp nhận")
        ACCEPTED = "accepted", _("Chuyển gửi đã được tiếp nhận")
        DECLINED = "declined", _("Chuyển gửi bị từ chối")
        DELIVERED = "delivered", _("Dịch vụ đã được cung cấp")
        REVOKED = "revoked", _("Chuyển gửi đã bị thu hồi")
        # Not a referral: a hotline contact waited too long in the queue (no referral; the
        # notice links to the hotline's live board). antoan.hotline.services.escalation.
        CONTACT_WAITING = "contact_wait", _("Liên hệ đường dây nóng chờ quá lâu")

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.kind
