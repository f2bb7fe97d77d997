"""The web chat's operator pages and both websockets (docs/hotline.md "Web chat")."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connections

from antoan.accounts.demo import DEMO_PASSWORD, demo_user
from antoan.accounts.models import Agency
from antoan.accounts.roles import Role
from antoan.asgi import application
from antoan.hotline import choices as h
from antoan.hotline.models import Call
from antoan.hotline.services import contacts

CHATS = "/api/v1/hotline/chats"
ORIGIN = [(b"origin", b"http://testserver"), (b"host", b"testserver")]


def run_scenario(scenario) -> None:
    """Run the async scenario on a loop of its own thread: the browser tests' Playwright keeps
    an event loop on this worker's main thread, where async_to_sync refuses to run. The
    consumers' database work runs on Channels' own thread, whose connection is closed at the
    end, so that the test database can be dropped after the run."""

    async def then_close() -> None:
        try:
            await scenario()
        finally:
            await database_sync_to_async(connections.close_all)()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, then_close()).result()


@pytest.fixture
def staffed(cast, settings):
    settings.ANTOAN_CHAT_HOTLINE = "ctxh-tinh"
    contacts.presence_set(actor=cast["hotline1"], state=h.Presence.AVAILABLE)
    return cast


def start(client) -> tuple[int, str]:
    body = client.post(CHATS).json()
    return body["id"], body["token"]


def cookie_of(client, user) -> list[tuple[bytes, bytes]]:
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return [*ORIGIN, (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={session}".encode())]


# --- The operator's pages ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_operator_takes_replies_sends_the_help_contacts_and_ends(client, staffed):
    from antoan.referrals.demo import build_demo_providers

    build_demo_providers()
    chat_id, token = start(client)
    client.post(
        f"{CHATS}/{chat_id}/messages",
        data=json.dumps({"body": "Tôi cần giúp"}),
        content_type="application/json",
        HTTP_X_CHAT_TOKEN=token,
    )
    client.force_login(staffed["hotline1"])

    waiting = client.get("/hotline/conversations/")
    assert waiting.status_code == 200
    assert f"/hotline/{chat_id}/conversation/" in waiting.content.decode()
    assert "chờ 0:0" in waiting.content.decode()

    page = client.get(f"/hotline/{chat_id}/conversation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="take"' in html and "Tôi cần giúp" in html

    json_accept = {"HTTP_ACCEPT": "application/json"}
    taken = client.post(f"/hotline/{chat_id}/conversation/", {"action": "take"}, **json_accept)
    assert taken.status_code == 200 and taken.json() == {"state": "active"}
    again = client.post(f"/hotline/{chat_id}/conversation/", {"action": "take"}, **json_accept)
    assert again.status_code == 409 and again.json()["error"]["code"] == "taken"

    empty = client.post(
        f"/hotline/{chat_id}/conversation/", {"action": "reply", "body": " "}, **json_accept
    )
    assert empty.status_code == 400
    replied = client.post(
        f"/hotline/{chat_id}/conversation/", {"action": "reply", "body": "Chị ở đâu?"}
    )
    assert replied.status_code == 302  # without JavaScript: back to the page

    helped = client.post(f"/hotline/{chat_id}/conversation/", {"action": "help"}, **json_accept)
    assert helped.status_code == 200
    info = helped.json()["message"]["body"]
    assert "1800 1567" in info and "113" in info and "111" in info

    polled = client.get(f"/hotline/{chat_id}/conversation/messages/?after=1").json()
    assert polled["state"] == "active"
    assert [m["direction"] for m in polled["messages"]] == ["out", "out"]
    # The visitor sees the same.
    seen = client.get(f"{CHATS}/{chat_id}/messages?after=1", HTTP_X_CHAT_TOKEN=token).json()
    assert seen["messages"][0]["body"] == "Chị ở đâu?"

    ended = client.post(f"/hotline/{chat_id}/conversation/", {"action": "end"}, **json_accept)
    assert ended.json() == {"state": "ended"}
    late = client.post(
        f"/hotline/{chat_id}/conversation/", {"action": "reply", "body": "alo"}, **json_accept
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "chat_ended"
    visitor = client.post(
        f"{CHATS}/{chat_id}/messages",
        data=json.dumps({"body": "còn đó không"}),
        content_type="application/json",
        HTTP_X_CHAT_TOKEN=token,
    )
    assert visitor.status_code == 409


@pytest.mark.django_db
def test_only_the_operator_who_took_it_writes(client, staffed):
    chat_id, _token = start(client)
    chat = Call.objects.get(pk=chat_id)
    contacts.contact_take(contact=chat, actor=staffed["hotline1"])
    colleague = demo_user(
        "hotline8",
        "Lý Thị Tám",
        Agency.objects.get(code="ctxh-tinh"),
        Role.HOTLINE_OPERATOR,
        password=DEMO_PASSWORD,
    )
    client.force_login(colleague)
    response = client.post(
        f"/hotline/{chat_id}/conversation/",
        {"action": "reply", "body": "xin chào"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 403
    assert not chat.messages.exists()


@pytest.mark.django_db
def test_a_phone_call_has_no_conversation_page(client, staffed):
    from antoan.hotline import services

    call = services.call_log(
        actor=staffed["hotline1"],
        data=services.CallInput(channel="phone", caller_type="survivor", category="dv"),
    )
    client.force_login(staffed["hotline1"])
    response = client.get(f"/hotline/{call.pk}/conversation/")
    assert response.status_code == 302 and response["Location"] == f"/hotline/{call.pk}/"


# --- The websockets ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_visitor_and_operator_talk_over_websockets(client, staffed):
    chat_id, token = start(client)
    operator_headers = cookie_of(client, staffed["hotline1"])
    contacts.contact_take(contact=Call.objects.get(pk=chat_id), actor=staffed["hotline1"])

    async def scenario():
        visitor = WebsocketCommunicator(application, f"/ws/hotline/chats/{chat_id}/", ORIGIN)
        assert (await visitor.connect())[0]
        await visitor.send_json_to({"type": "hello", "token": token, "after": 0})
        assert await visitor.receive_json_from() == {"type": "state", "state": "active"}

        operator = WebsocketCommunicator(
            application, f"/ws/hotline/contacts/{chat_id}/", operator_headers
        )
        assert (await operator.connect())[0]
        await operator.send_json_to({"type": "hello", "after": 0})
        assert await operator.receive_json_from() == {"type": "state", "state": "active"}

        await visitor.send_json_to({"type": "message", "body": "Tôi bị đánh"})
        for side in (visitor, operator):
            got = await side.receive_json_from()
            assert got["type"] == "message"
            assert got["message"]["seq"] == 1 and got["message"]["body"] == "Tôi bị đánh"
            assert got["message"]["direction"] == "in"

        await operator.send_json_to({"type": "message", "body": "Chị có an toàn không?"})
        for side in (visitor, operator):
            got = await side.receive_json_from()
            assert got["message"]["seq"] == 2 and got["message"]["direction"] == "out"

        # A message posted over HTTP (the polling fallback) reaches the sockets too.
        await sync_to_async(client.post)(
            f"{CHATS}/{chat_id}/messages",
            data=json.dumps({"body": "Tôi ở nhà mẹ"}),
            content_type="application/json",
            HTTP_X_CHAT_TOKEN=token,
        )
        for side in (visitor, operator):
            assert (await side.receive_json_from())["message"]["seq"] == 3

        # Binary, huge, malformed: refused with a clear answer, the socket stays.
        await visitor.send_to(bytes_data=b"\x89PNG\x00")
        assert (await visitor.receive_json_from())["code"] == "not_text"
        await visitor.send_to(text_data=json.dumps({"type": "message", "body": "a" * 20000}))
        assert (await visitor.receive_json_from())["code"] == "payload_too_large"
        await visitor.send_to(text_data="{not json")
        assert (await visitor.receive_json_from())["code"] == "malformed_json"
        await visitor.send_json_to({"type": "message", "body": 42})
        assert (await visitor.receive_json_from())["code"] == "invalid"

        # The visitor leaves: both sides see the notice and the end.
        await visitor.send_json_to({"type": "end"})
        for side in (visitor, operator):
            notice = await side.receive_json_from()
            assert notice["message"]["direction"] == "system"
            assert await side.receive_json_from() == {"type": "state", "state": "ended"}
        await visitor.send_json_to({"type": "message", "body": "còn đó không?"})
        assert (await visitor.receive_json_from())["code"] == "chat_ended"
        await operator.send_json_to({"type": "message", "body": "alo"})
        assert (await operator.receive_json_from())["code"] == "chat_ended"
        await visitor.disconnect()
        await operator.disconnect()

    run_scenario(scenario)
    chat = Call.objects.get(pk=chat_id)
    assert chat.state == h.ContactState.ENDED
    assert [m.seq for m in chat.messages.all()] == [1, 2, 3, 4]


@pytest.mark.django_db(transaction=True)
def test_a_wrong_token_or_another_hotline_closes_the_socket(client, staffed):
    chat_id, token = start(client)
    other = demo_user(
        "hotline9",
        "Đỗ Văn Chín",
        Agency.objects.get(code="ubnd-tran-hung-dao"),
        Role.HOTLINE_OPERATOR,
        password=DEMO_PASSWORD,
    )
    other_headers = cookie_of(client, other)
    worker_headers = cookie_of(client, staffed["worker1"])

    async def scenario():
        for hello in (
            {"type": "hello", "token": "x" * 43},
            {"type": "hello"},
            {"type": "message", "body": "hi", "token": token},
        ):
            visitor = WebsocketCommunicator(application, f"/ws/hotline/chats/{chat_id}/", ORIGIN)
            assert (await visitor.connect())[0]
            await visitor.send_json_to(hello)
            assert (await visitor.receive_json_from())["type"] == "error"
            closed = await visitor.receive_output()
            assert closed["type"] == "websocket.close" and closed["code"] in (4404, 4400)
        # Another hotline's operator, a case worker, nobody: no socket at all.
        for headers in (other_headers, worker_headers, ORIGIN):
            operator = WebsocketCommunicator(
                application, f"/ws/hotline/contacts/{chat_id}/", headers
            )
            connected, _code = await operator.connect()
            assert not connected
        # A page of another site may not open the visitor's socket.
        foreign = WebsocketCommunicator(
            application,
            f"/ws/hotline/chats/{chat_id}/",
            [(b"origin", b"https://evil.example"), (b"host", b"testserver")],
        )
        assert not (await foreign.connect())[0]

    run_scenario(scenario)
    assert not Call.objects.get(pk=chat_id).messages.exists()
