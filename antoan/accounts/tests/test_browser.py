"""The two-factor pages in headless Chromium: the CSP holds (no console errors) and they fit a
360 px phone. Skips without Chromium, unless REQUIRE_BROWSER=1 (as tests/browser does)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from antoan.accounts.tests.helpers import PASSWORD, current_code

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM must still work here.
    # Only for this module: the variable must not leak into other tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.base_url = live_server.url
    yield page
    context.close()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_case_worker_enrols_and_logs_in_with_a_code_on_a_phone(phone, cast, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.ANTOAN_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    phone.goto(f"{phone.base_url}/accounts/login/")
    phone.fill("input[name=username]", "worker1")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("form[action$='/accounts/login/'] button[type=submit]")

    phone.wait_for_selector("[data-testid=otp-qr] svg")
    assert re.search(r"/accounts/security/otp/", phone.url)
    assert phone.locator("[data-testid=otp-qr] svg").bounding_box()["width"] > 100
    assert overflow(phone) <= 0
    device = TOTPDevice.objects.get(user=cast["worker1"], confirmed=False)
    phone.fill("input[name=code]", current_code(device))
    phone.click("main form button[type=submit]")
    phone.wait_for_selector("[data-testid=twofa-status]")
    assert "Đang bật" in phone.locator("[data-testid=twofa-status]").inner_text()
    assert overflow(phone) <= 0

    phone.click("button.navbar-toggler")
    phone.click("[data-testid=user-menu]")
    phone.click("form[action$='/accounts/logout/'] button")
    phone.wait_for_selector("input[name=username]")
    phone.fill("input[name=username]", "worker1")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("form[action$='/accounts/login/'] button[type=submit]")
    phone.wait_for_selector("input[name=code]")
    assert overflow(phone) <= 0
    phone.fill("input[name=code]", current_code(device))
    phone.click("form[action$='/accounts/login/otp/'] button[type=submit]:not([name=cancel])")
    phone.wait_for_selector("h1")
    assert phone.locator("h1").inner_text().startswith("Xin chào")
    assert phone.errors == []
