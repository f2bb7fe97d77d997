"""The operators' queue and the supervisors' live board (issue 15) at 360 px and 1366 px: no
sideways scrolling, no serious axe-core violation; taking a chat from the queue; the board
refreshes itself (htmx) without a reload."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from antoan.accounts.demo import DEMO_PASSWORD
from tests.browser.helpers import check_axe, login, screenshot

SIZES = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1366, "height": 800}}


def _waiting(n: int):
    from antoan.accounts.models import Agency
    from antoan.hotline.models import Call
    from antoan.hotline.services import contacts

    agency = Agency.objects.get(code="ctxh-tinh")
    chats = []
    for i in range(n):
        chat = contacts.chat_start(agency=agency).contact
        Call.objects.filter(pk=chat.pk).update(
            received_at=timezone.now() - dt.timedelta(minutes=i + 1)
        )
        chats.append(chat)
    return chats


def _wait_for_text(page, selector: str, text: str, seconds: float = 30) -> None:
    """Poll from Python (the CSP forbids the evaluated predicates of wait_for_function)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.locator(selector).inner_text().strip() == text:
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"{selector} never showed {text!r}")


def _no_overflow(page, where: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where}: the page is {overflow}px wider than the window"


def test_queue_and_board_fit_phone_and_desktop_and_pass_axe(open_page, cast):
    from antoan.hotline.demo import build_demo_hotline

    build_demo_hotline(password=DEMO_PASSWORD)
    _waiting(3)
    for name, size in SIZES.items():
        page = open_page(**size, locale="vi-VN")
        login(page, "hotline1", DEMO_PASSWORD)
        page.goto(f"{page.base_url}/hotline/queue/")
        page.wait_for_selector("[data-testid=waiting-contact]")
        assert page.locator("[data-testid=waiting-contact]").count() == 3
        _no_overflow(page, f"queue {name}")
        check_axe(page, f"queue {name}")
        screenshot(page, f"hotline-queue-{name}")
        page.context.close()
        page = open_page(**size, locale="vi-VN")
        login(page, "hotlinesup1", DEMO_PASSWORD)
        page.goto(f"{page.base_url}/hotline/board/")
        page.wait_for_selector("[data-testid=board-live]")
        _no_overflow(page, f"board {name}")
        check_axe(page, f"board {name}")
        screenshot(page, f"hotline-board-{name}")
        page.context.close()


def test_an_operator_takes_a_chat_and_the_board_updates_itself(open_page, cast):
    from antoan.hotline.demo import build_demo_hotline

    build_demo_hotline(password=DEMO_PASSWORD)
    board = open_page(**SIZES["desktop"], locale="vi-VN")
    login(board, "hotlinesup1", DEMO_PASSWORD)
    board.goto(f"{board.base_url}/hotline/board/")
    assert board.locator("[data-testid=board-waiting]").inner_text() == "0"
    (chat,) = _waiting(1)
    # No reload: the board's polling brings the new chat in.
    _wait_for_text(board, "[data-testid=board-waiting]", "1")
    page = open_page(**SIZES["phone"], locale="vi-VN")
    login(page, "hotline1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/hotline/queue/")
    page.click("[data-testid=take]")
    page.wait_for_load_state("load")
    chat.refresh_from_db()
    assert chat.operator is not None and chat.operator.username == "hotline1"
    _wait_for_text(board, "[data-testid=board-active]", "1")
