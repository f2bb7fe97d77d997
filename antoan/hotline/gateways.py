"""Where replies to SMS and Zalo contacts go out: a gateway class named by
``ANTOAN_MESSAGE_GATEWAY``.

- ``ConsoleGateway`` (``make run`` and the tests) sends nothing: it keeps what would have been
  sent in memory (``outbox``), for the page and the tests to show, and logs only the contact's
  id and the message's number.
- ``HttpGateway`` posts each reply as signed JSON (the webhooks' signature, secret
  ``ANTOAN_MESSAGES_SECRET``) to ``ANTOAN_MESSAGE_GATEWAY_URL``: the small service in front of
  an SMS brand-name provider or a Zalo Official Account (docs/hotline-telephony.md).

Never log a message's text or the person's number: logs leave the case scope. A reply the
gateway could not send stays in the conversation, followed by a system message saying so.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from antoan.hotline.models import Call, ContactMessage

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """The gateway did not take the message (down, refused it, timed out)."""


class Gateway(Protocol):
    def send(self, *, channel: str, to: str, body: str, contact_id: int, seq: int) -> None:
        """Send ``body`` to ``to`` on ``channel``; raise GatewayError if it was not taken."""
        ...


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
        # Which reply, never to whom or what.
        logger.info(
            "console gateway: %s reply %d of contact #%d (not sent)", channel, seq, contact_id
        )

    @classmethod
    def clear(cls) -> None:
        cls.outbox.clear()


class HttpGateway:
    """Posts ``{"channel", "to", "body", "contact", "seq", "message_id"}`` to the configured URL,
    signed like the webhooks; any answer but 2xx is a GatewayError."""

    timeout = 10

    def __init__(self, url: str | None = None, secret: str | None = None):
        from antoan.hotline import webhooks

        self.url = url or settings.ANTOAN_MESSAGE_GATEWAY_URL
        secrets = webhooks.secrets_for(webhooks.MESSAGES)
        self.secret = secret.encode() if secret else (secrets[0] if secrets else b"")
        if not self.url.startswith(("https://", "http://")) or not self.secret:
            raise ImproperlyConfigured(
                "HttpGateway needs ANTOAN_MESSAGE_GATEWAY_URL and ANTOAN_MESSAGES_SECRET."
            )

    def send(self, *, channel: str, to: str, body: str, contact_id: int, seq: int) -> None:
        from antoan.hotline import webhooks

        payload = json.dumps(
            {
                "channel": channel,
                "to": to,
                "body": body,
                "contact": contact_id,
                "seq": seq,
                # Stable per reply: the gateway drops a retry it has already sent.
                "message_id": f"antoan-{contact_id}-{seq}",
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - http(s) only (checked above)
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                webhooks.HEADER: webhooks.sign(payload, self.secret),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise GatewayError(f"gateway answered {response.status}")
        except urllib.error.HTTPError as exc:
            raise GatewayError(f"gateway answered {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"gateway unreachable: {type(exc).__name__}") from None


def gateway() -> Gateway:
    return import_string(settings.ANTOAN_MESSAGE_GATEWAY)()


def send_reply(contact: Call, message: ContactMessage) -> None:
    """Send an operator's reply to the person who wrote (after the reply is committed). If the
    gateway does not take it, the conversation says so (the operator sees it and can call)."""
    try:
        gateway().send(
            channel=contact.channel,
            to=str(contact.caller_address),
            body=str(message.body),
            contact_id=contact.pk,
            seq=message.seq,
        )
    except (GatewayError, ImproperlyConfigured) as exc:
        logger.warning(
            "reply %d of contact #%d not sent: %s", message.seq, contact.pk, type(exc).__name__
        )
        from antoan.hotline.services.contacts import reply_not_sent

        reply_not_sent(contact=contact, seq=message.seq)
