"""The audit log: append-only, tamper-evident (each event carries the previous one's hash)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from antoan.core.crypto import EncryptedTextField, row_key_field


class AuditAction(models.TextChoices):
    VIEW = "view", _("Xem")
    LIST = "list", _("Xem danh sách")
    SEARCH = "search", _("Tìm kiếm")
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Cập nhật")
    DELETE = "delete", _("Xoá")
    EXPORT = "export", _("Xuất dữ liệu")
    LOGIN = "login", _("Đăng nhập")
    LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
    LOCKED_OUT = "locked_out", _("Bị khoá đăng nhập")
    LOGOUT = "logout", _("Đăng xuất")
    LOGOUT_EVERYWHERE = "logout_everywhere", _("Đăng xuất khỏi mọi thiết bị")
    OTP_ENROLLED = "otp_enrolled", _("Bật xác thực hai lớp")
    OTP_FAILED = "otp_failed", _("Mã xác thực sai")
    TOKEN_ISSUED = "token_issued", _("Cấp mã truy cập API")
    TOKEN_REVOKED = "token_revoked", _("Thu hồi mã truy cập API")
    PERMISSION_DENIED = "permission_denied", _("Bị từ chối truy cập")
    PASSWORD_CHANGED = "password_changed", _("Đổi mật khẩu")
    PASSWORD_CHANGE_FAILED = "password_change_failed", _("Đổi mật khẩu thất bại")
    REAUTH = "reauth", _("Xác nhận lại mật khẩu hoặc mã OTP")
    REAUTH_FAILED = "reauth_failed", _("Xác nhận lại thất bại")
    OTP_RESET = "otp_reset", _("Đặt lại xác thực hai lớp")
    # Something an auditor should look at (e.g. unusual export volume); ``extra.reason`` says what.
    ALERT = "alert", _("Cảnh báo")
    INTEGRITY_FAILED = "integrity_failed", _("Dữ liệu mã hoá không khớp với hồ sơ")
    ANONYMISED = "anonymised", _("Ẩn danh theo thời hạn lưu trữ")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    # The position in the hash chain, assigned when the event is sealed (under the chain
    # head's lock, see antoan/core/audit.py), never reused. NULL while the event is unsealed.
    seq = models.BigIntegerField(unique=True, null=True, editable=False)
    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)
    # No index of its own on user or agency: (user, occurred_at) and (agency, occurred_at)
    # below serve every lookup by either, and each index costs every append (tens of millions
    # of events; docs/performance.md, "Audit append").
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Kept as typed so failed logins with unknown names are searchable, and history survives
    # a username change.
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True, db_index=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    role = models.CharField(_("vai trò"), max_length=30, blank=True)
    action = models.CharField(_("hành động"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("loại đối tượng"), max_length=60, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    place_code = models.CharField(_("địa bàn"), max_length=10, blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    # Names of changed fields only, never values: values may identify a survivor.
    changed_fields = models.JSONField(_("trường thay đổi"), default=list, blank=True)
    # Small non-identifying details (the permission refused, the path without query string).
    extra = models.JSONField(default=dict, blank=True)
    # Empty until the event is sealed.
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký truy cập")
        # Newest first by id: unsealed events (no seq yet) are listed too.
        ordering = ["-id"]
        indexes = [
            # The sealer's queue: the few events not sealed yet, in id order.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"
            ),
            models.Index(fields=["user", "occurred_at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["action", "occurred_at"]),
            # The auditor's search pages newest first by (occurred_at, seq): these let a search
            # by username or agency read one page from an index instead of sorting all matches.
            models.Index(fields=["username", "occurred_at"], name="audit_username_time_idx"),
            models.Index(fields=["agency", "occurred_at"], name="audit_agency_time_idx"),
        ]

    def __str__(self) -> str:
        position = f"#{self.seq}" if self.seq is not None else f"(unsealed, id {self.pk})"
        return f"{position} {self.action} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


class AuditChainHead(models.Model):
    """The last event's position and hash: a lock to append under, and the chain's anchor."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class FormDraft(models.Model):
    """What a user has typed into a long form and not yet submitted (docs/forms.md).

    A dropped connection or a closed tab loses nothing: the page saves here every few seconds,
    and offers it back when the same user opens the same form. Not a record: only its owner
    ever reads it, it is deleted when the form is submitted, and ``purge_form_drafts`` removes
    it after ``ANTOAN_DRAFT_RETENTION_DAYS``. The content may identify a survivor, so it is
    encrypted like the case it may become, and never searched, exported or audited as data.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người soạn"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Which form: "cases:intake", "cases:assessment:<case id>", "programme:activity:<id>"...
    form_key = models.CharField(_("biểu mẫu"), max_length=120)
    row_key = row_key_field()
    # JSON: [[field name, value], ...] as the browser would submit them.
    data = EncryptedTextField(_("nội dung"), blank=True)
    updated_at = models.DateTimeField(_("lưu lúc"), db_index=True)

    class Meta:
        verbose_name = _("bản nháp biểu mẫu")
        verbose_name_plural = _("bản nháp biểu mẫu")
        constraints = [
            models.UniqueConstraint(fields=["owner", "form_key"], name="form_draft_one_per_form")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.form_key}"
