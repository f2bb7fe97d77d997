"""The main menu on a 1366 px screen and the programme tabs on a 360 px phone (docs/home.md)."""

from __future__ import annotations

import itertools
import re

import pytest

from antoan.accounts.demo import DEMO_PASSWORD
from tests.browser.helpers import login, screenshot

# The top of every entry of the bar, and of the user menu at its end.
TOPS = """() => [...document.querySelectorAll(
    '[data-nav-top], [data-testid=user-menu], .lang-switch')]
  .map(el => { const r = el.getBoundingClientRect();
               return {text: el.innerText.trim(), top: r.top, height: r.height,
                       left: r.left, right: r.right}; })"""


@pytest.mark.parametrize("username", ["supervisor1", "hotlinesup1", "admin1", "analyst1"])
def test_the_menu_fits_one_line_at_1366(open_page, cast, username):
    if username == "hotlinesup1":
        from antoan.hotline.demo import build_demo_hotline

        build_demo_hotline(password=DEMO_PASSWORD)
    page = open_page(width=1366, height=800)
    login(page, username, DEMO_PASSWORD)
    page.wait_for_selector("[data-nav-top]")
    entries = page.evaluate(TOPS)
    *bar, lang = entries  # the language button, smaller, ends the line
    assert len(bar) >= 3, entries
    assert len({round(e["top"]) for e in bar}) == 1, entries
    # No entry wraps its own words onto a second line either.
    assert len({round(e["height"]) for e in bar}) == 1, entries
    # Nor do they run past the screen or over each other.
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    for before, after in itertools.pairwise(entries):
        assert before["right"] <= after["left"] + 1, (before, after)
    assert lang["right"] <= 1366 and lang["top"] < bar[0]["top"] + bar[0]["height"], lang
    if username == "supervisor1":
        screenshot(page, "menu-supervisor-1366")
    assert page.errors == []


def test_a_menu_group_opens_and_closes_by_keyboard(page, cast):
    page.set_viewport_size({"width": 1366, "height": 800})
    login(page, "supervisor1", DEMO_PASSWORD)
    page.wait_for_load_state("load")  # Bootstrap's script (a static file: CSP allows no inline)
    toggle = page.locator("[data-nav-group=cases]")
    assert toggle.get_attribute("aria-expanded") == "false"
    menu = page.locator("[data-nav-group=cases] + .dropdown-menu")
    assert not menu.is_visible()

    # Tab from the brand until the group's button has the focus, as a keyboard user would.
    page.locator(".navbar-brand").focus()
    for _ in range(10):
        if page.evaluate("document.activeElement.dataset.navGroup") == "cases":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.navGroup") == "cases"

    page.keyboard.press("Enter")
    page.wait_for_selector("[data-nav-group=cases] + .dropdown-menu.show")
    assert toggle.get_attribute("aria-expanded") == "true"
    labels = menu.locator(".dropdown-item").all_inner_texts()
    assert "Việc cần làm" in labels and "Hồ sơ của cơ quan" in labels

    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.innerText.trim()") == labels[0]
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-nav-group=cases] + .dropdown-menu:not(.show)", state="attached")
    assert toggle.get_attribute("aria-expanded") == "false"

    # Open again and follow an entry with Enter.
    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-nav-group=cases] + .dropdown-menu.show")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/tasks/$"))
    # The group of the current page is marked in the bar.
    assert "active" in page.locator("[data-nav-group=cases]").get_attribute("class")
    assert page.errors == []


def test_the_programme_tabs_wrap_on_a_phone(open_page, cast, plan64):
    page = open_page(width=360, height=780)
    login(page, "reporter1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/programme/")
    page.wait_for_selector("[data-testid=programme-nav]")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"
    tabs = page.locator("[data-testid=programme-nav] ul")
    assert tabs.evaluate("ul => ul.scrollWidth - ul.clientWidth") <= 0
    # Every tab is on screen: none hides sideways.
    rights = tabs.locator(".nav-link").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().right)"
    )
    assert len(rights) >= 7
    assert max(rights) <= 360, rights
    screenshot(page, "programme-tabs-phone")
    assert page.errors == []
