"""The hotline's call log and the record of who was told about a call in immediate danger.

A call belongs to the hotline agency whose operator logged it. Its summary may name people,
so it is encrypted at rest. A call in immediate danger must lead to notifying the commune
chairperson (Law 13/2022 on domestic violence); ``CallNotification`` records every such notice.
Nothing here is deleted (``PROTECT``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antoan.core.crypto import EncryptedTextField, row_key_field
from antoan.hotline import choices as h

USER = settings.AUTH_USER_MODEL


class Call(models.Model):
    received_at = models.DateTimeField(_("thời điểm nhận"), db_index=True)
    channel = models.CharField(_("kênh"), max_length=10, choices=h.Channel.choices)
    operator = models.ForeignKey(
        USER, verbose_name=_("điện thoại viên"), on_delete=models.PROTECT, related_name="calls"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("đơn vị đường dây nóng"),
        on_delete=models.PROTECT,
        related_name="calls",
    )
    caller_type = models.CharField(_("người gọi"), max_length=12, choices=h.CallerType.choices)
    anonymous = models.BooleanField(_("giấu tên"), default=False)
    commune = models.ForeignKey(
        "places.Place",
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(_("loại vụ việc"), max_length=20, choices=h.Category.choices)
    row_key = row_key_field()  # binds the encrypted values below to this row
    summary = EncryptedTextField(_("tóm tắt"), blank=True)
    immediate_danger = models.BooleanField(_("nguy hiểm tức thời"), default=False)
    outcome = models.CharField(_("kết quả"), max_length=20, choices=h.Outcome.choices, blank=True)
    duration_seconds = models.PositiveIntegerField(_("thời lượng (giây)"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=6, choices=h.Status.choices, default=h.Status.OPEN
    )
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("hồ sơ ca"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    # Optimistic concurrency, as for cases: a change names the version it was based on.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cuộc gọi")
        verbose_name_plural = _("cuộc gọi")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status", "received_at"]),
            models.Index(fields=["operator", "received_at"]),
            # A case's first call (indicator OP-01: hours from first contact to first service).
            models.Index(fields=["case", "received_at"], name="call_case_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(status="closed"),
                name="call_closed_at_only_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""),
                name="call_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(outcome="case_opened"),
                name="call_case_means_case_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"call #{self.pk}"  # never the summary: this string reaches logs


class CallNotification(models.Model):
    """Someone told about a call (police on duty, the commune chairperson...), when and how."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="notifications")
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("cơ quan được báo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    person_name = models.CharField(_("người được báo"), max_length=200, blank=True)
    role = models.CharField(_("vai trò"), max_length=15, choices=h.NoticeRole.choices)
    method = models.CharField(_("cách báo"), max_length=10, choices=h.NoticeMethod.choices)
    notified_at = models.DateTimeField(_("báo lúc"))
    notified_by = models.ForeignKey(
        USER, verbose_name=_("người báo"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thông báo về cuộc gọi")
        verbose_name_plural = _("thông báo về cuộc gọi")
        ordering = ["notified_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | ~Q(person_name=""),
                name="call_notification_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"notification #{self.pk} of call #{self.call_id}"
