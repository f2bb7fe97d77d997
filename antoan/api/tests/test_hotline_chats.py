"""``/api/v1/hotline/chats``: the public web chat. Tokens, refusals, limits, no cookie, and no
message stored in clear."""

from __future__ import annotations

import pytest
from django.db import connection

from antoan.accounts.demo import DEMO_PASSWORD, demo_user
from antoan.accounts.models import Agency
from antoan.accounts.roles import Role
from antoan.api.hotline.chats import ChatThrottle
from antoan.api.tests.test_cases_helpers import send
from antoan.hotline import choices as h
from antoan.hotline.models import Call, ContactMessage
from antoan.hotline.services import contacts

pytestmark = pytest.mark.django_db

CHATS = "/api/v1/hotline/chats"
SECRET = "Chồng tôi đang say rượu, tôi trốn ở nhà hàng xóm số 12"


@pytest.fixture
def staffed(cast, settings):
    """hotline1 is at the provincial hotline's queue, which receives the chats."""
    settings.ANTOAN_CHAT_HOTLINE = "ctxh-tinh"
    contacts.presence_set(actor=cast["hotline1"], state=h.Presence.AVAILABLE)
    return cast


def start(client):
    response = client.post(CHATS)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "token", "staffed"}
    return body["id"], body["token"]


def say(client, chat_id, token, body, **extra):
    return send(
        client, "post", f"{CHATS}/{chat_id}/messages", {"body": body}, HTTP_X_CHAT_TOKEN=token
    )


def test_a_visitor_opens_a_chat_without_an_account_or_a_cookie(client, staffed):
    response = client.post(CHATS)
    assert response.status_code == 201
    assert "Set-Cookie" not in response
    assert not response.cookies
    body = response.json()
    chat = Call.objects.get(pk=body["id"])
    assert chat.channel == h.Channel.WEB_CHAT and chat.state == h.ContactState.WAITING
    assert chat.anonymous and chat.operator is None and not chat.caller_address
    assert chat.agency.code == "ctxh-tinh"
    # Only the token's digest is kept.
    assert body["token"] not in chat.visitor_token_hash
    assert chat.visitor_token_hash == contacts.token_digest(body["token"])


def test_outside_staffed_hours_the_answer_is_the_hotline_numbers(client, cast, settings):
    from antoan.referrals.demo import build_demo_providers

    build_demo_providers()
    settings.ANTOAN_CHAT_HOTLINE = "ctxh-tinh"
    response = client.post(CHATS)
    assert response.status_code == 200
    body = response.json()
    assert body["staffed"] is False
    assert any(line["phone"] for line in body["hotlines"])
    assert not Call.objects.filter(channel=h.Channel.WEB_CHAT).exists()


def test_messages_go_both_ways_with_the_token(client, staffed):
    chat_id, token = start(client)
    response = say(client, chat_id, token, SECRET)
    assert response.status_code == 201, response.content
    assert response.json()["seq"] == 1 and response.json()["direction"] == "in"
    assert "Set-Cookie" not in response

    chat = Call.objects.get(pk=chat_id)
    hotline1 = staffed["hotline1"]
    contacts.contact_take(contact=chat, actor=hotline1)
    contacts.contact_reply(contact=chat, actor=hotline1, body="Chị đang ở đâu?")

    response = client.get(f"{CHATS}/{chat_id}/messages?after=1", HTTP_X_CHAT_TOKEN=token)
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "active"
    assert [(m["seq"], m["direction"], m["body"]) for m in body["messages"]] == [
        (2, "out", "Chị đang ở đâu?")
    ]
    assert "Set-Cookie" not in response


@pytest.mark.parametrize("token", [None, "", "x" * 43, "nonsense"])
def test_a_wrong_or_missing_token_is_a_404_like_a_missing_chat(client, staffed, token):
    chat_id, _right = start(client)
    headers = {} if token is None else {"HTTP_X_CHAT_TOKEN": token}
    for response in (
        client.get(f"{CHATS}/{chat_id}/messages", **headers),
        send(client, "post", f"{CHATS}/{chat_id}/messages", {"body": "hi"}, **headers),
        client.post(f"{CHATS}/{chat_id}/end", **headers),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    missing = client.get(f"{CHATS}/{chat_id + 1000}/messages", HTTP_X_CHAT_TOKEN=_right)
    assert missing.status_code == 404
    assert missing.json() == client.get(f"{CHATS}/{chat_id}/messages").json()
    assert not ContactMessage.objects.exists()
    assert Call.objects.get(pk=chat_id).ended_at is None


def test_one_chats_token_does_not_open_another(client, staffed):
    _first, token = start(client)
    second, _other = start(client)
    assert client.get(f"{CHATS}/{second}/messages", HTTP_X_CHAT_TOKEN=token).status_code == 404


def test_huge_binary_or_non_text_messages_are_refused_and_nothing_is_stored(client, staffed):
    chat_id, token = start(client)
    path = f"{CHATS}/{chat_id}/messages"
    huge = say(client, chat_id, token, "a" * 20000)
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"
    too_long = say(client, chat_id, token, "a" * (contacts.MESSAGE_MAX + 1))
    assert too_long.status_code == 400
    assert "body" in too_long.json()["error"]["fields"]
    for body in ({"x": 1}, ["a"], 12, None, ""):
        response = say(client, chat_id, token, body)
        assert response.status_code == 400, body
        assert response.json()["error"]["message"]
    control = say(client, chat_id, token, "xin chào\x00\x07")
    assert control.status_code == 400
    binary = client.post(
        path, data=b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png", HTTP_X_CHAT_TOKEN=token
    )
    assert binary.status_code == 415
    unknown = send(client, "post", path, {"body": "hi", "name": "Hoa"}, HTTP_X_CHAT_TOKEN=token)
    assert unknown.status_code == 400
    assert not ContactMessage.objects.filter(contact_id=chat_id).exists()


def test_a_message_to_an_ended_chat_is_a_409_and_is_not_stored(client, staffed):
    chat_id, token = start(client)
    assert say(client, chat_id, token, "xin chào").status_code == 201
    ended = client.post(f"{CHATS}/{chat_id}/end", HTTP_X_CHAT_TOKEN=token)
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    # Ending twice (quick exit after "Kết thúc") is not an error.
    assert client.post(f"{CHATS}/{chat_id}/end", HTTP_X_CHAT_TOKEN=token).status_code == 200
    response = say(client, chat_id, token, "còn đó không?")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "chat_ended"
    directions = list(
        ContactMessage.objects.filter(contact_id=chat_id).values_list("direction", flat=True)
    )
    assert directions == ["in", "system"]


def test_a_flood_of_chats_from_one_address_is_rate_limited(client, staffed, monkeypatch):
    monkeypatch.setattr(ChatThrottle, "THROTTLE_RATES", {"chat_start": "3/hour", "chat": "5/min"})
    for _ in range(3):
        start(client)
    flood = client.post(CHATS)
    assert flood.status_code == 429
    assert flood.json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in flood
    assert Call.objects.filter(channel=h.Channel.WEB_CHAT).count() == 3
    # Another address still gets in.
    assert client.post(CHATS, REMOTE_ADDR="10.0.0.9").status_code == 201


def test_a_flood_of_messages_is_rate_limited_without_losing_the_ones_taken(
    client, staffed, monkeypatch
):
    monkeypatch.setattr(ChatThrottle, "THROTTLE_RATES", {"chat_start": "9/hour", "chat": "3/min"})
    chat_id, token = start(client)
    answers = [say(client, chat_id, token, f"tin {n}").status_code for n in range(5)]
    assert answers == [201, 201, 201, 429, 429]
    assert ContactMessage.objects.filter(contact_id=chat_id).count() == 3


def test_a_full_queue_asks_the_visitor_to_call(client, staffed, settings):
    settings.ANTOAN_CHAT_MAX_WAITING = 1
    start(client)
    response = client.post(CHATS)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "queue_full"


def test_no_message_is_stored_in_clear(client, staffed):
    chat_id, token = start(client)
    assert say(client, chat_id, token, SECRET).status_code == 201
    chat = Call.objects.get(pk=chat_id)
    contacts.contact_take(contact=chat, actor=staffed["hotline1"])
    contacts.contact_reply(contact=chat, actor=staffed["hotline1"], body="Chị gọi 113 ngay nhé")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM hotline_contactmessage")
        rows = [row[0] for row in cursor.fetchall()]
    assert len(rows) == 2
    for raw in rows:
        text = raw if isinstance(raw, str) else bytes(raw).decode("latin-1")
        # Words with spaces or diacritics: a ciphertext (hex and base64) can hold neither,
        # while a number such as "113" can turn up in it by chance.
        assert "rượu" not in text and "gọi 113" not in text and "hàng xóm" not in text
        assert "Chồng" not in text and "Chị" not in text
    # ... and the application reads them back.
    assert [str(m.body) for m in contacts.messages_after(chat)] == [SECRET, "Chị gọi 113 ngay nhé"]


def test_the_chat_endpoints_are_in_the_schema(client, cast):
    client.force_login(cast["hotline1"])
    schema = client.get("/api/v1/schema?format=json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/hotline/chats"]
    assert {"get", "post"} <= set(paths["/api/v1/hotline/chats/{chat_id}/messages"])
    assert "post" in paths["/api/v1/hotline/chats/{chat_id}/end"]


def test_another_hotlines_operator_cannot_reach_the_conversation(client, staffed):
    chat_id, token = start(client)
    say(client, chat_id, token, SECRET)
    other = demo_user(
        "hotline9",
        "Đỗ Văn Chín",
        Agency.objects.get(code="ubnd-tran-hung-dao"),
        Role.HOTLINE_OPERATOR,
        password=DEMO_PASSWORD,
    )
    client.force_login(other)
    assert client.get(f"/hotline/{chat_id}/conversation/").status_code == 404
    assert client.get(f"/hotline/{chat_id}/conversation/messages/").status_code == 404
    response = client.post(f"/hotline/{chat_id}/conversation/", {"action": "take"})
    assert response.status_code == 404
    assert Call.objects.get(pk=chat_id).operator is None
    client.force_login(staffed["worker1"])
    assert client.get(f"/hotline/{chat_id}/conversation/").status_code == 403
