"""Contacts left waiting: ``manage.py escalate_contacts`` (a job, every minute) marks every
contact that waited in its hotline's queue longer than ``ANTOAN_CONTACT_ESCALATE_SECONDS``
without being taken (``escalated_at``, set once) and tells the hotline's supervisors: an
in-app notice of the referrals app's kind ``contact_wait`` (which links to the live board) and
an email that names nothing but the hotline. The board shows such contacts highlighted.

The same job ends the web chats whose visitor has gone without a word (tab closed, browser
crashed, network lost): no request with the chat's token for ANTOAN_CHAT_VISITOR_GONE_SECONDS.
The operator sees the chat end, as when the visitor leaves, and records it as usual.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.mail import send_after_commit
from antoan.hotline import choices as h
from antoan.hotline import webchat
from antoan.hotline.models import Call
from antoan.hotline.services import now
from antoan.hotline.services.contacts import chat_visitor_end, escalate_after, visitor_gone_after
from antoan.referrals import unread


@transaction.atomic
def contacts_escalate_waiting() -> int:
    """Escalate every contact waiting too long, once; returns how many."""
    from antoan.accounts.selectors import holders
    from antoan.referrals.models import Notification

    moment = now()
    late = list(
        Call.objects.select_for_update(skip_locked=True)
        .filter(
            ended_at__isnull=True,
            answered_at__isnull=True,
            operator__isnull=True,
            escalated_at__isnull=True,
            received_at__lt=moment - escalate_after(),
        )
        .order_by("received_at")
    )
    by_agency: dict[int, int] = {}
    for contact in late:
        Call.objects.filter(pk=contact.pk).update(escalated_at=moment)
        audit_record(
            action="escalate",
            object_type="call",
            object_id=contact.pk,
            username="escalate_contacts",
            extra={"channel": contact.channel},
        )
        by_agency[contact.agency_id] = by_agency.get(contact.agency_id, 0) + 1
    link = reverse("hotline:board")
    for agency_id in by_agency:
        users = holders(agency_id, Perm.CALL_VIEW_ALL)
        Notification.objects.bulk_create(
            Notification(user=u, kind=Notification.Kind.CONTACT_WAITING, created_at=moment)
            for u in users
        )
        unread.changed(u.pk for u in users)
        addresses = [u.email for u in users if u.email]
        if addresses:
            with translation.override(settings.LANGUAGE_CODE):
                label = str(Notification.Kind.CONTACT_WAITING.label)
                subject = _("[An Toàn] %(kind)s") % {"kind": label}
                body = _(
                    "%(kind)s: %(count)s liên hệ chưa có ai nhận.\n\n"
                    "Xem bảng theo dõi trực tuyến: %(link)s\n\n"
                    "Thư này không chứa thông tin về người liên hệ."
                ) % {"kind": label, "count": by_agency[agency_id], "link": link}
            send_after_commit([(subject, body, addresses)], what="contact escalation")
    return len(late)


def chats_end_gone() -> int:
    """End every web chat whose visitor has not been seen for the configured time; returns
    how many. Each ends in its own transaction (a chat an operator is writing to is skipped,
    and caught at the next run)."""
    limit = now() - visitor_gone_after()
    candidates = (
        Call.objects.filter(channel=h.Channel.WEB_CHAT, ended_at__isnull=True)
        .exclude(visitor_token_hash="")
        .alias(seen=Coalesce("visitor_seen_at", "received_at"))
        .filter(seen__lt=limit)
        .values_list("pk", flat=True)
    )
    ended = 0
    for pk in list(candidates):
        with transaction.atomic():
            contact = (
                Call.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, ended_at__isnull=True)
                .alias(seen=Coalesce("visitor_seen_at", "received_at"))
                .filter(seen__lt=limit)
                .first()
            )
            if contact is None:  # taken by a writer, ended, or seen meanwhile
                continue
            chat_visitor_end(contact=contact, gone=True)
            transaction.on_commit(partial(webchat.push_end, contact))
            ended += 1
    return ended
