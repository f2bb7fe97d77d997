"""The hotline's contacts (calls, chats, messages...) and who was told about one in danger.

A contact of any channel is a ``Call`` row (table ``hotline_call``; ``Contact`` is the same
model): the name predates web chat, and the API and the audit log keep it. A contact belongs
to the hotline agency that received it. Its summary, its messages and the caller's number may
name people, so they are encrypted at rest. A contact in immediate danger must lead to
notifying the commune chairperson (Law 13/2022 on domestic violence); ``CallNotification``
records every such notice. Nothing here is deleted (``PROTECT``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antoan.core.crypto import EncryptedTextField, row_key_field
from antoan.hotline import choices as h

USER = settings.AUTH_USER_MODEL


class Call(models.Model):
    received_at = models.DateTimeField(_("thời điểm nhận"), db_index=True)
    channel = models.CharField(_("kênh"), max_length=10, choices=h.Channel.choices)
    # Who answered it; empty only while a contact that arrived by itself waits in the queue.
    operator = models.ForeignKey(
        USER,
        verbose_name=_("tư vấn viên"),
        on_delete=models.PROTECT,
        related_name="calls",
        null=True,
        blank=True,
    )
    # The conversation's times: received_at is when it arrived (rang, opened, was written).
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    # Set once, when a waiting contact was not taken in time and its supervisors were told.
    escalated_at = models.DateTimeField(_("báo giám sát lúc"), null=True, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("đơn vị đường dây nóng"),
        on_delete=models.PROTECT,
        related_name="calls",
    )
    # Caller type and category are asked during the conversation: a contact that arrived by
    # itself has neither yet; closing needs both.
    caller_type = models.CharField(
        _("người gọi"), max_length=12, choices=h.CallerType.choices, blank=True
    )
    anonymous = models.BooleanField(_("giấu tên"), default=False)
    commune = models.ForeignKey(
        "places.Place",
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(
        _("loại vụ việc"), max_length=20, choices=h.Category.choices, blank=True
    )
    row_key = row_key_field()  # binds the encrypted values below to this row
    summary = EncryptedTextField(_("tóm tắt"), blank=True)
    # The caller's number or messaging account (telephony, SMS, Zalo), encrypted; its blind
    # index is keyed per hotline (``services.contacts.caller_index``), so it only counts this
    # hotline's earlier contacts and matches nothing else in the system.
    caller_address = EncryptedTextField(_("số, tài khoản người liên hệ"), blank=True)
    caller_index = models.CharField(max_length=40, blank=True, editable=False)
    # The id the PBX or the message gateway gives the conversation, and the line it came in on.
    external_id = models.CharField(max_length=100, blank=True, editable=False)
    line = models.CharField(_("đường dây"), max_length=40, blank=True)
    # A web chat's visitor proves who they are with a token; only its digest is kept.
    visitor_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    # When the web chat's visitor last showed the tab is still there (any request with the
    # token: the page polls every 15 s even beside its websocket). A chat whose visitor has
    # been gone ANTOAN_CHAT_VISITOR_GONE_SECONDS is ended by ``escalate_contacts``.
    visitor_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
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
            # The live queue: contacts of a hotline still in conversation.
            models.Index(
                fields=["agency", "received_at"],
                condition=Q(ended_at__isnull=True),
                name="call_live_queue",
            ),
            models.Index(
                fields=["agency", "caller_index"],
                condition=~Q(caller_index=""),
                name="call_caller_index",
            ),
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
            models.CheckConstraint(
                condition=~Q(status="closed") | (~Q(category="") & ~Q(caller_type="")),
                name="call_closed_is_classified",
            ),
            models.CheckConstraint(
                condition=Q(operator__isnull=False) | Q(answered_at__isnull=True),
                name="call_answered_has_operator",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("received_at")),
                name="call_ends_after_arrival",
            ),
            models.UniqueConstraint(
                fields=["agency", "channel", "external_id"],
                condition=~Q(external_id=""),
                name="call_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"call #{self.pk}"  # never the summary: this string reaches logs

    @property
    def state(self) -> str:
        if self.ended_at is not None:
            return h.ContactState.ENDED
        if self.answered_at is not None:
            return h.ContactState.ACTIVE
        return h.ContactState.WAITING


Contact = Call


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


class ContactMessage(models.Model):
    """One message of a written conversation (web chat, SMS, Zalo), encrypted at rest."""

    contact = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="messages")
    # 1, 2, 3... within the contact: what a client asks for "after" and what keeps the order.
    seq = models.PositiveIntegerField()
    direction = models.CharField(max_length=6, choices=h.Direction.choices)
    author = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    row_key = row_key_field()
    body = EncryptedTextField(_("nội dung"))
    sent_at = models.DateTimeField(_("gửi lúc"))

    class Meta:
        verbose_name = _("tin nhắn")
        verbose_name_plural = _("tin nhắn")
        ordering = ["contact", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "seq"], name="contact_message_seq"),
        ]

    def __str__(self) -> str:
        return f"message {self.seq} of contact #{self.contact_id}"


class OperatorPresence(models.Model):
    """An operator's availability on a hotline, and the phone extension the PBX knows them by."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=h.Presence.choices, default=h.Presence.AWAY
    )
    changed_at = models.DateTimeField()
    # Refreshed while the operator's queue page is open; an old one means the page is closed.
    seen_at = models.DateTimeField()
    extension = models.CharField(_("số máy lẻ"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("trạng thái tư vấn viên")
        verbose_name_plural = _("trạng thái tư vấn viên")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="presence_user_agency"),
            models.UniqueConstraint(
                fields=["agency", "extension"],
                condition=~Q(extension=""),
                name="presence_extension_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"presence of user #{self.user_id} at agency #{self.agency_id}"


class WebhookEvent(models.Model):
    """An event a PBX or message gateway sent, kept so that a replayed one is refused."""

    source = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source} event {self.event_id}"
