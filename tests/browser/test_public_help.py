"""Journey 4: a visitor with no account finds the hotline and the services of their commune,
then leaves with quick exit, on a desk screen and on a phone.

The quick-exit site (the national weather service by default) is answered by the browser
itself here: tests do not reach the internet, and what matters is that the browser went there
and that Back does not bring the help page back.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from antoan.referrals.demo import build_demo_providers
from tests.browser.helpers import screenshot

EXIT_URL = "https://nchmf.gov.vn/"
NEUTRAL_PAGE = "<!doctype html><title>Dự báo thời tiết</title><h1>Dự báo thời tiết</h1>"


def _neutral_site(page) -> None:
    page.context.route(
        re.compile(r"^https://nchmf\.gov\.vn/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=NEUTRAL_PAGE
        ),
    )


def _watch_traffic(page) -> dict[str, list]:
    """Every request the page makes, and every Set-Cookie the server sends."""
    seen: dict[str, list] = {"requests": [], "cookies": []}
    page.on("request", lambda request: seen["requests"].append(request.url))

    def on_response(response):
        if response.url.startswith(page.base_url):
            header = response.header_value("set-cookie")
            if header:
                seen["cookies"].append((response.url, header))

    page.on("response", on_response)
    return seen


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the screen"


def _on_help_page(page) -> bool:
    return "/tim-ho-tro/" in page.url or page.locator("[data-testid=hotlines]").count() > 0


@pytest.mark.parametrize(("width", "height", "name"), [(1366, 800, "desk"), (360, 780, "phone")])
def test_a_visitor_finds_the_hotline_and_local_services_then_leaves_quickly(
    open_page, cast, width, height, name
):
    build_demo_providers()
    page = open_page(width=width, height=height, locale="vi-VN")
    _neutral_site(page)
    traffic = _watch_traffic(page)

    # The site's front door is the login page; the way to help is on it, no account needed.
    page.goto(f"{page.base_url}/accounts/login/")
    assert page.locator("[data-quick-exit]").is_visible()
    page.click("a:has-text('Tìm hỗ trợ')")
    page.wait_for_url(re.compile(r"/tim-ho-tro/$"))

    # What to do in danger and the hotline come first, as numbers to tap.
    danger = page.locator("[data-testid=danger]")
    assert danger.locator("a[href='tel:113']").is_visible()
    hotline = page.locator("[data-testid=hotlines] a[href='tel:18001567']")
    assert hotline.is_visible()
    assert hotline.inner_text() == "1800 1567"
    assert page.locator("[data-quick-exit]").is_visible()
    _no_sideways_scroll(page)
    screenshot(page, f"public-help-{name}")

    # The commune, typed without accents as on a phone keyboard.
    page.fill("input[name=q]", "pho hien")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("[data-testid=commune]")
    commune = page.locator("[data-testid=commune]")
    assert commune.inner_text() == "Phường Phố Hiến, Tỉnh Hưng Yên"
    # The answer is in view, not below the danger and hotline sections seen already.
    expect(commune).to_be_in_viewport()
    services = page.locator("[data-testid=services]")
    assert services.get_by_text("Trạm Y tế phường Phố Hiến", exact=True).is_visible()
    assert services.locator("a[href='tel:02213862200']").is_visible()
    assert "Địa chỉ tin cậy" not in page.content()  # the demo's shelter in Phố Hiến
    # The quick-exit button stays within reach while scrolling down the list.
    page.locator("[data-testid=services] li").last.scroll_into_view_if_needed()
    assert page.locator("[data-quick-exit]").is_visible()
    assert page.locator("[data-quick-exit]").bounding_box()["y"] < height
    _no_sideways_scroll(page)
    screenshot(page, f"public-help-commune-{name}")

    # Leaving: the neutral site replaces the page, and Back does not bring it back.
    page.click("[data-quick-exit]")
    page.wait_for_url(EXIT_URL)
    assert page.locator("h1").inner_text() == "Dự báo thời tiết"
    page.go_back()
    page.wait_for_load_state()
    assert not _on_help_page(page), page.url

    # The help pages set no cookie (the login page's form has its CSRF cookie: not theirs).
    assert [c for c in traffic["cookies"] if "/tim-ho-tro/" in c[0]] == []
    assert {c["name"] for c in page.context.cookies()} <= {"csrftoken"}
    others = [url for url in traffic["requests"] if not url.startswith((page.base_url, EXIT_URL))]
    assert others == [], "requests to other sites (tracking?)"
    assert page.errors == []


def test_pressing_escape_twice_leaves_the_help_page(open_page, cast):
    build_demo_providers()
    page = open_page(width=360, height=780, locale="vi-VN")
    _neutral_site(page)
    traffic = _watch_traffic(page)
    page.goto(f"{page.base_url}/tim-ho-tro/?xa=11953")
    page.wait_for_selector("[data-testid=services]")
    assert traffic["cookies"] == []
    assert page.context.cookies() == []
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(EXIT_URL)
    page.go_back()
    page.wait_for_load_state()
    assert not _on_help_page(page), page.url
    assert page.errors == []


def test_the_commune_search_works_without_javascript(browser, live_server, cast):
    build_demo_providers()
    context = browser.new_context(
        java_script_enabled=False, locale="vi-VN", viewport={"width": 360, "height": 780}
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/tim-ho-tro/")
        page.fill("input[name=q]", "Phuong")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_selector("[data-testid=commune-choices]")
        page.click("[data-testid=commune-choices] a:has-text('Phường Trần Hưng Đạo')")
        page.wait_for_selector("[data-testid=services]")
        assert page.get_by_text("Trạm Y tế phường Trần Hưng Đạo", exact=True).is_visible()
        assert context.cookies() == []
    finally:
        context.close()
