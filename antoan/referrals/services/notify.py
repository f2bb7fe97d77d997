"""Notifications of the referral network: in the app, and by email after commit.

An email says only the referral's number, the kind of news and where to look: never a name,
a phone or a case detail, because mailboxes are read on shared and lost phones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from antoan.accounts.models import User
from antoan.core.mail import send_after_commit
from antoan.referrals import unread
from antoan.referrals.clock import now
from antoan.referrals.models import Notification, Referral


def email_text(referral: Referral, kind: str) -> tuple[str, str]:
    """Subject and body of the email: the number, the kind and the link; nothing identifying."""
    label = str(Notification.Kind(kind).label)
    link = reverse("referrals:detail", args=[referral.pk])
    subject = _("[An Toàn] %(kind)s: %(number)s") % {"kind": label, "number": referral.number}
    body = _(
        "%(kind)s: %(number)s.\n\nĐăng nhập hệ thống An Toàn để xem: %(link)s\n\n"
        "Thư này không chứa thông tin về người bị bạo lực."
    ) % {"kind": label, "number": referral.number, "link": link}
    return subject, body


def notify(users: Iterable[User], kind: str, referral: Referral) -> list[Notification]:
    """In-app notices now (in the caller's transaction), emails after commit."""
    recipients = {u.pk: u for u in users}.values()
    moment = now()
    rows = Notification.objects.bulk_create(
        Notification(user=u, kind=kind, referral=referral, created_at=moment) for u in recipients
    )
    unread.changed(u.pk for u in recipients)
    addresses = [u.email for u in recipients if u.email]
    if addresses:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = email_text(referral, kind)

        send_after_commit([(subject, body, addresses)], what="referral notification")
    return rows


@transaction.atomic
def notification_read(*, user: Any, notification_id: int | None = None) -> int:
    """Mark one (or every) notification of ``user`` read; returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    marked = rows.update(read_at=now())
    if marked:
        unread.changed([user.pk])
    return marked
