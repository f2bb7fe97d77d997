"""Races of the hotline that only PostgreSQL shows: SQLite admits one writer at a time, so
two messages cannot be written at the same moment there (the second fails with "database is
locked" instead of racing)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from antoan.accounts.models import User
from antoan.hotline import selectors
from antoan.hotline.models import Call
from antoan.hotline.webhooks import HEADER, sign
from tests.concurrency import race

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

MESSAGES = "/api/v1/hotline/messages/inbound"
NEW_NUMBER = "0987654321"


def gateway_posts(*payloads: dict) -> list[int]:
    """The gateway posts the messages at the same moment, each on its own connection; the
    status codes in order."""

    def post(payload: dict):
        body = json.dumps(payload).encode()
        headers = {HEADER: sign(body, settings.ANTOAN_MESSAGES_SECRET)}
        return lambda: Client().generic(
            "POST", MESSAGES, body, content_type="application/json", headers=headers
        )

    responses, errors = race(*(post(p) for p in payloads))
    assert errors == []
    return [response.status_code for response in responses]


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
