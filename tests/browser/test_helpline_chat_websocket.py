"""The web chat of issue 15 over its websockets, as deployed: daphne serves antoan.asgi with the
Redis channel layer, on the test's PostgreSQL database. A visitor on a 360 px phone starts a
chat from the public help page, hotline1 takes it from the queue, they write to each other and
the visitor ends it.

The pages' polling (the fallback when websockets are blocked, and the safety poll beside a live
socket) is answered "204 No Content", which both pages ignore: everything the other side sees
(a message, "taken", "ended") can only have come through a socket, and the frames the browser
received are checked for it. The polling fallback itself is tested under the WSGI live server
(test_helpline_chat.py).

PostgreSQL only: daphne is another process and must see the test's rows, which SQLite's test
database (in memory) cannot share.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.hotline import choices as h
from antoan.hotline import webchat
from antoan.hotline.models import Call
from antoan.hotline.services import contacts
from tests.browser.helpers import login, screenshot

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = str(Path(sys.executable).with_name("daphne"))
# This test's own Redis database (emptied before and after): the channel layer between the
# sockets, and the cache that holds the chat's rate limits.
REDIS_URL = "redis://127.0.0.1:6379/14"
FIRST = "Chồng tôi vừa đánh tôi, tôi đang trốn trong nhà tắm"
REPLY = "Chị có bị thương không? Chị đang ở xã nào?"
SECOND = "Không bị thương. Tôi ở phường Phố Hiến"


@dataclass
class Server:
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _redis(command: str, *args: str):
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        return client.execute_command(command, *args)
    finally:
        client.close()


def _empty_redis() -> None:
    _redis("FLUSHDB")


def _redis_or_skip() -> None:
    """Skips without Redis, unless REQUIRE_BROWSER=1 (CI, which starts Redis), where it fails."""
    import redis

    try:
        _redis("PING")
    except redis.ConnectionError as exc:
        message = f"Redis not reachable at {REDIS_URL} ({exc}; apt-get install redis-server)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _wait_until_up(server: subprocess.Popen, url: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"daphne exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"daphne did not answer {url} within {timeout:.0f} s:\n{log.read_text()}")


@pytest.fixture
def chat_server(transactional_db, tmp_path):
    """daphne (.venv/bin/daphne, as deploy/systemd/antoan-chat.service runs it) serving the
    site on a free port, in this process's environment and keys, on the test database, with
    the Redis channel layer. Its output goes to a file, printed at teardown (shown when the
    test fails); it is always stopped."""
    _redis_or_skip()
    _empty_redis()
    env = dict(os.environ)
    # The browser fixture lets this process use the ORM beside Playwright's event loop; the
    # server must not get that licence, or a consumer touching the ORM unsafely would pass.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        ANTOAN_ENV="test",
        DJANGO_SETTINGS_MODULE="antoan.settings",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=REDIS_URL,
        # The same keys as this process: both read and write the same encrypted rows.
        ANTOAN_FIELD_KEYS=",".join(settings.ANTOAN_FIELD_KEYS),
        ANTOAN_INDEX_KEY=settings.ANTOAN_INDEX_KEY,
        ANTOAN_CHAT_HOTLINE="ctxh-tinh",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    port = _free_port()
    log_path = tmp_path / "daphne.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - our own server
            [
                DAPHNE,
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "--websocket_timeout",
                "7200",
                "--access-log",
                "-",
                "tests.browser.asgi_static:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, f"{url}/static/js/chat-visitor.js", log_path)
        yield Server(url=url, log_path=log_path)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        print(f"--- daphne (exit {server.returncode}) ---\n{log_path.read_text(errors='replace')}")
        _empty_redis()


@dataclass
class Sockets:
    """The websockets a page opened, and the JSON frames each received."""

    urls: list[str] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)

    def events(self, kind: str) -> list[dict]:
        return [frame for frame in self.received if frame.get("type") == kind]


def watch_sockets(page) -> Sockets:
    seen = Sockets()

    def opened(ws) -> None:
        seen.urls.append(ws.url)
        ws.on("framereceived", lambda payload: seen.received.append(json.loads(payload)))

    page.on("websocket", opened)
    return seen


def without_polling(page, pattern: re.Pattern) -> list[str]:
    """Answer the page's polls with 204 (ignored by the page); the URLs asked."""
    asked: list[str] = []

    def answer(route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=204)

    page.route(pattern, answer)
    return asked


def test_the_web_chat_travels_over_websockets_through_daphne(chat_server, open_page_at, cast):
    contacts.presence_set(actor=cast["hotline1"], state=h.Presence.AVAILABLE)

    # The visitor, on a phone, with no account.
    visitor = open_page_at(chat_server.url, width=360, height=780, locale="vi-VN")
    visitor_sockets = watch_sockets(visitor)
    without_polling(visitor, re.compile(r"/api/v1/hotline/chats/\d+/messages\?after=\d+$"))
    visitor.goto(f"{visitor.base_url}/tim-ho-tro/")
    visitor.click("[data-testid=chat-link]")
    visitor.wait_for_url(re.compile(r"/tim-ho-tro/tro-chuyen/$"))
    visitor.click("[data-testid=chat-start]")
    expect(visitor.get_by_test_id("chat-status")).to_contain_text("Đang chờ tư vấn viên")
    visitor.fill("[data-testid=chat-body]", FIRST)
    visitor.click("[data-testid=chat-send]")
    expect(visitor.locator("[data-testid=chat-log] li.in")).to_contain_text(FIRST)
    chat = Call.objects.get(channel=h.Channel.WEB_CHAT)

    # hotline1 sees the waiting chat and takes it.
    operator = open_page_at(chat_server.url, width=1366, height=800, locale="vi-VN")
    operator_sockets = watch_sockets(operator)
    without_polling(operator, re.compile(r"/hotline/\d+/conversation/messages/\?after=\d+$"))
    login(operator, "hotline1", DEMO_PASSWORD)
    operator.goto(f"{operator.base_url}/hotline/conversations/")
    waiting = operator.get_by_test_id("waiting-chats")
    expect(waiting).to_contain_text(f"#{chat.pk}")
    waiting.locator(f"a[href='/hotline/{chat.pk}/conversation/']").click()
    expect(operator.get_by_test_id("conversation-log")).to_contain_text(FIRST)
    operator.click("[data-testid=take]")
    expect(operator.get_by_test_id("conversation-state")).to_have_text("Đang trao đổi")
    # With polling answered empty, only the visitor's socket can tell them.
    expect(visitor.get_by_test_id("chat-status")).to_contain_text("Tư vấn viên đã nhận")

    # They write to each other: each message reaches the other side through its socket.
    operator.fill("[data-testid=reply-body]", REPLY)
    operator.click("[data-testid=reply-send]")
    expect(visitor.locator("[data-testid=chat-log] li.out")).to_contain_text(REPLY)
    visitor.fill("[data-testid=chat-body]", SECOND)
    visitor.click("[data-testid=chat-send]")
    expect(operator.locator("[data-testid=conversation-log] li.in").last).to_contain_text(SECOND)
    screenshot(visitor, "webchat-websocket-visitor-phone")
    # Both sockets joined the chat's group in Redis (the channel layer between processes).
    assert _redis("ZCARD", f"antoan-chat:group:{webchat.group_name(chat.pk)}") >= 2

    # The visitor ends the chat: the operator's page learns it through its socket.
    visitor.click("[data-testid=chat-end]")
    expect(operator.get_by_test_id("conversation-state")).to_have_text("Đã kết thúc")

    # The sockets were the chat's, and their frames carried the messages and the states.
    assert visitor_sockets.urls and all(
        url == f"{chat_server.url.replace('http', 'ws', 1)}/ws/hotline/chats/{chat.pk}/"
        for url in visitor_sockets.urls
    )
    assert operator_sockets.urls and all(
        url == f"{chat_server.url.replace('http', 'ws', 1)}/ws/hotline/contacts/{chat.pk}/"
        for url in operator_sockets.urls
    )
    assert ("out", REPLY) in [
        (m["message"]["direction"], m["message"]["body"]) for m in visitor_sockets.events("message")
    ]
    assert {s["state"] for s in visitor_sockets.events("state")} >= {"waiting", "active"}
    assert ("in", SECOND) in [
        (m["message"]["direction"], m["message"]["body"])
        for m in operator_sockets.events("message")
    ]
    assert "ended" in [s["state"] for s in operator_sockets.events("state")]
    assert operator_sockets.events("error") == [] and visitor_sockets.events("error") == []

    chat.refresh_from_db()
    assert chat.ended_at is not None
    assert [str(m.body) for m in chat.messages.order_by("seq")][:3] == [FIRST, REPLY, SECOND]
    assert visitor.errors == [] and operator.errors == []
    assert "Traceback" not in chat_server.log()
