"""Where replies to SMS and Zalo contacts go out: a gateway class named by
``ANTOAN_MESSAGE_GATEWAY``. ``ConsoleGateway`` (``make run`` and the tests) sends nothing: it
keeps what would have been sent in memory, for the page and the tests to show. Never log a
message's text or the person's number: logs leave the case scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from antoan.hotline.models import Call, ContactMessage


class Gateway(Protocol):
    def send(self, *, channel: str, to: str, body: str, contact_id: int, seq: int) -> None: ...


@dataclass
class Sent:
    channel: str
    to: str
    body: str
    contact_id: int
    seq: int


class ConsoleGateway:
    """Sends nothing; remembers what it was asked to send (process memory only)."""

    outbox: list[Sent] = []

    def send(self, *, channel: str, to: str, body: str, contact_id: int, seq: int) -> None:
        self.outbox.append(Sent(channel, to, body, contact_id, seq))


def gateway() -> Gateway:
    return import_string(settings.ANTOAN_MESSAGE_GATEWAY)()


def send_reply(contact: Call, message: ContactMessage) -> None:
    """Send an operator's reply to the person who wrote (after the reply is committed)."""
    gateway().send(
        channel=contact.channel,
        to=str(contact.caller_address),
        body=str(message.body),
        contact_id=contact.pk,
        seq=message.seq,
    )
