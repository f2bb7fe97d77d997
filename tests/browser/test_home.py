"""A case worker logs in, switches language and back, and sees the Vietnamese home page."""

from __future__ import annotations

import re

from antoan.accounts.demo import DEMO_PASSWORD as CAST_PASSWORD
from tests.browser.helpers import login, screenshot


def test_worker_logs_in_and_switches_language(page, cast):
    login(page, "worker1", CAST_PASSWORD)
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text().startswith("Xin chào")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Cán bộ quản lý ca" in page.content()

    page.click("[data-testid=lang-en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text().startswith("Hello")
    assert "Case worker" in page.content()

    page.click("[data-testid=lang-vi]")
    page.wait_for_selector("html[lang=vi]")
    assert page.locator("h1").inner_text().startswith("Xin chào")
    screenshot(page, "home-vi")
    assert page.errors == []


def test_home_fits_a_360px_phone(page, cast):
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, "worker1", CAST_PASSWORD)
    page.wait_for_selector("h1")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"
    # The menu collapses behind a button and opens with Bootstrap's script (no inline JS).
    page.wait_for_load_state("load")
    page.click("button.navbar-toggler")
    page.wait_for_selector("#main-nav.show")
    screenshot(page, "home-phone")
    assert page.errors == []


def test_dates_are_day_month_year(page, cast):
    login(page, "worker1", CAST_PASSWORD)
    page.wait_for_selector("h1")
    text = page.locator("main").inner_text()
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", text), text
