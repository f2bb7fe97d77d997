"""The web chat of issue 15, in two browser contexts: a visitor on a 360 px phone starts a chat
from the public help page, hotline1 takes it, they exchange messages, hotline1 sends the help
contacts and opens a case from it; the visitor's quick exit ends the chat and clears the page.

The test server here is pytest-django's live server (WSGI): it answers no websocket, so both
pages prove the polling fallback (docs/hotline.md "Web chat"). The websockets are tested in
Chromium through daphne on PostgreSQL (test_helpline_chat_websocket.py), and their protocol
with Channels' communicator (antoan/hotline/tests/test_webchat.py).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.hotline import choices as h
from antoan.hotline.models import Call
from antoan.hotline.services import contacts
from antoan.referrals.demo import build_demo_providers
from tests.browser.helpers import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

EXIT_URL = "https://nchmf.gov.vn/"
NEUTRAL_PAGE = "<!doctype html><title>Dự báo thời tiết</title><h1>Dự báo thời tiết</h1>"
FIRST = "Chồng tôi vừa đánh tôi, tôi đang trốn trong nhà tắm"
REPLY = "Chị có bị thương không? Chị đang ở xã nào?"
SECOND = "Không bị thương. Tôi ở phường Phố Hiến"


def _errors(page) -> list[str]:
    # Under the WSGI test server the websocket cannot open: the pages poll instead.
    return [e for e in page.errors if "/ws/hotline/" not in e and "WebSocket" not in e]


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the screen"


def _wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_visitor_chats_from_a_phone_and_the_operator_opens_a_case(open_page, cast, settings):
    build_demo_providers()
    settings.ANTOAN_CHAT_HOTLINE = "ctxh-tinh"
    contacts.presence_set(actor=cast["hotline1"], state=h.Presence.AVAILABLE)

    # The visitor, on a phone, with no account.
    visitor = open_page(width=360, height=780, locale="vi-VN")
    visitor.context.route(
        re.compile(r"^https://nchmf\.gov\.vn/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=NEUTRAL_PAGE
        ),
    )
    cookies_set = []
    visitor.on(
        "response",
        lambda r: cookies_set.append(r.url) if r.header_value("set-cookie") else None,
    )
    visitor.goto(f"{visitor.base_url}/tim-ho-tro/")
    visitor.click("[data-testid=chat-link]")
    visitor.wait_for_url(re.compile(r"/tim-ho-tro/tro-chuyen/$"))
    visitor.click("[data-testid=chat-start]")
    expect(visitor.get_by_test_id("chat-status")).to_contain_text("Đang chờ tư vấn viên")
    visitor.fill("[data-testid=chat-body]", FIRST)
    visitor.click("[data-testid=chat-send]")
    expect(visitor.locator("[data-testid=chat-log] li.in")).to_contain_text(FIRST)
    _no_sideways_scroll(visitor)
    assert visitor.locator("[data-quick-exit]").is_visible()
    screenshot(visitor, "webchat-visitor-waiting-phone")
    chat = Call.objects.get(channel=h.Channel.WEB_CHAT)
    assert chat.state == h.ContactState.WAITING

    # hotline1 sees the waiting chat, with its waiting time, and takes it.
    operator = open_page(width=1366, height=800, locale="vi-VN")
    login(operator, "hotline1", DEMO_PASSWORD)
    operator.goto(f"{operator.base_url}/hotline/conversations/")
    waiting = operator.get_by_test_id("waiting-chats")
    expect(waiting).to_contain_text(f"#{chat.pk}")
    expect(waiting).to_contain_text("chờ 0:")
    waiting.locator(f"a[href='/hotline/{chat.pk}/conversation/']").click()
    expect(operator.get_by_test_id("conversation-log")).to_contain_text(FIRST)
    operator.click("[data-testid=take]")
    expect(operator.get_by_test_id("conversation-state")).to_have_text("Đang trao đổi")
    expect(visitor.get_by_test_id("chat-status")).to_contain_text("Tư vấn viên đã nhận")

    # They write to each other.
    operator.fill("[data-testid=reply-body]", REPLY)
    operator.click("[data-testid=reply-send]")
    expect(operator.locator("[data-testid=conversation-log] li.out")).to_contain_text(REPLY)
    expect(visitor.locator("[data-testid=chat-log] li.out")).to_contain_text(REPLY)
    visitor.fill("[data-testid=chat-body]", SECOND)
    visitor.click("[data-testid=chat-send]")
    expect(operator.locator("[data-testid=conversation-log] li.in").last).to_contain_text(SECOND)
    operator.click("[data-testid=send-help]")
    expect(visitor.locator("[data-testid=chat-log] li.out").last).to_contain_text("1800 1567")
    _no_sideways_scroll(visitor)
    screenshot(visitor, "webchat-visitor-conversation-phone")
    screenshot(operator, "webchat-operator-conversation-desk")
    # The transcript is the contact's, encrypted: nothing in the visitor's browser.
    storage = visitor.evaluate("[localStorage.length, sessionStorage.length, document.cookie]")
    assert storage == [0, 0, ""]

    # hotline1 opens a case from the chat.
    operator.click("[data-testid=open-case]")
    form = operator.get_by_test_id("open-case-form")
    form.locator("[name='survivor-full_name']").fill("Nguyễn Thị Hoa")
    form.locator("[name='survivor-sex']").select_option("female")
    form.locator("[name='survivor-birth_year']").fill("1990")
    form.locator("[name='needs'][value='health']").check()
    form.locator("[name='consent-services']").check()
    form.locator("[name='consent-reporting']").check()
    form.get_by_role("button", name="Tạo hồ sơ").click()
    number = operator.get_by_test_id("case-link").inner_text().strip()
    assert re.fullmatch(r"HY-\d{4}-\d{6}", number), number
    chat.refresh_from_db()
    assert chat.case is not None and chat.outcome == h.Outcome.CASE_OPENED

    # The visitor leaves with quick exit: the chat ends, the page is gone, Back does not return.
    visitor.click("[data-quick-exit]")
    visitor.wait_for_url(EXIT_URL)
    assert _wait_for(lambda: Call.objects.get(pk=chat.pk).ended_at is not None), "chat not ended"
    visitor.go_back()
    visitor.wait_for_load_state()
    assert "/tro-chuyen/" not in visitor.url
    assert visitor.locator("[data-testid=chat-log]").count() == 0

    operator.goto(f"{operator.base_url}/hotline/{chat.pk}/conversation/")
    expect(operator.get_by_test_id("conversation-state")).to_have_text("Đã kết thúc")
    expect(operator.get_by_test_id("conversation-log")).to_contain_text(
        "Người liên hệ đã rời cuộc trò chuyện"
    )
    assert [url for url in cookies_set if "/tim-ho-tro/" in url or "/api/" in url] == []
    assert _errors(visitor) == [] and _errors(operator) == []
