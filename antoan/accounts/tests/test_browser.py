"""The two-factor pages in headless Chromium: the CSP holds (no console errors) and they fit a
360 px phone."""

from __future__ import annotations

import re

import pytest

from antoan.accounts.tests.helpers import PASSWORD, current_code
from tests.browser.helpers import logout

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(open_page):
    return open_page(width=360, height=740, locale="vi-VN")


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

    logout(phone)
    phone.fill("input[name=username]", "worker1")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("form[action$='/accounts/login/'] button[type=submit]")
    phone.wait_for_selector("input[name=code]")
    assert overflow(phone) <= 0
    phone.fill("input[name=code]", current_code(device))
    phone.click("form[action$='/accounts/login/otp/'] button[type=submit]:not([name=cancel])")
    # The code page has an h1 too: wait until we have left it.
    phone.wait_for_url(f"{phone.base_url}/")
    assert phone.locator("h1").inner_text().startswith("Xin chào")
    assert phone.errors == []
