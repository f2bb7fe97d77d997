"""Races of the hotline that only PostgreSQL shows: SQLite admits one writer at a time, so
two messages cannot be written at the same moment there (the second fails with "database is
locked" instead of racing)."""

from __future__ import annotations

import json
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from antoan.accounts.models import User
from antoan.hotline import selectors
from antoan.hotline.models import Call
from antoan.hotline.webhooks import HEADER, sign

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

MESSAGES = "/api/v1/hotline/messages/inbound"
NEW_NUMBER = "0987654321"


def gateway_posts(*payloads: dict) -> list[int]:
    """The gateway posts the messages at the same moment, each on its own connection; the
    status codes in order."""
    start = threading.Barrier(len(payloads))
    statuses: list[int] = [0] * len(payloads)
    errors: list[BaseException] = []

    def post(index: int, payload: dict) -> None:
        try:
            body = json.dumps(payload).encode()
            headers = {HEADER: sign(body, settings.ANTOAN_MESSAGES_SECRET)}
            client = Client()
            start.wait()
            response = client.generic(
                "POST", MESSAGES, body, content_type="application/json", headers=headers
            )
            statuses[index] = response.status_code
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, p)) for i, p in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a message is stuck"
    assert errors == []
    return statuses


@pytest.mark.parametrize("channel", ["sms", "zalo"])
def test_two_first_messages_at_once_from_a_new_sender_make_one_conversation(cast, channel):
    first = "Tôi cần giúp đỡ"
    second = "Chồng tôi đang say rượu, tôi sợ lắm"
    statuses = gateway_posts(
        {"message_id": f"{channel}-1", "channel": channel, "sender": NEW_NUMBER, "body": first},
        {"message_id": f"{channel}-2", "channel": channel, "sender": NEW_NUMBER, "body": second},
    )
    # One opened the conversation, the other joined it.
    assert sorted(statuses) == [200, 201]
    contact = Call.objects.get()
    assert contact.channel == channel
    assert sorted(str(m.body) for m in contact.messages.all()) == sorted([first, second])
    assert [m.seq for m in contact.messages.order_by("seq")] == [1, 2]
    # The operator sees one person waiting, once.
    queue = selectors.operator_queue(User.objects.get(username="hotline1"), audit=False)
    assert [entry.contact.pk for entry in queue.waiting] == [contact.pk]
