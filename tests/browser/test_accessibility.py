"""Every page of the menus, for every role of the demo, at 1366 px: no serious or critical
axe-core violation (WCAG 2.x A/AA) with the Content-Security-Policy in force; focus is visible;
pages declare their language.

One test walks all roles (a failure lists every page that fails, not only the first): the
world is built once, which keeps the run short on a small machine."""

from __future__ import annotations

import pytest

from antoan.accounts.demo import DEMO_PASSWORD, USERS
from tests.browser.helpers import axe_violations, check_axe, describe_violations, login, screenshot
from tests.browser.journeys import shoot

ROLES = [username for username, *_ in USERS]

# Pages left to another piece of work, each with its reason. Keep this short.
SKIPPED_PATHS: dict[str, str] = {}


def menu_paths(page) -> list[str]:
    """The main menu's entries and the user menu's pages, as paths, in the order shown."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                '#main-nav a.nav-link:not(.dropdown-toggle), #main-nav a.dropdown-item')]
            .map(a => new URL(a.href).pathname)
            .filter((p, i, all) => all.indexOf(p) === i)"""
    )


@pytest.fixture
def world(cast, plan64, catalogue):
    return cast


def test_every_menu_page_of_every_role_passes_axe(open_page, world):
    failures: dict[str, str] = {}
    visited = 0
    for username in ROLES:
        page = open_page(width=1366, height=800, locale="vi-VN")
        login(page, username, DEMO_PASSWORD)
        shoot(page, f"home-{username}")  # the user guide's picture of each role's home page
        for path in menu_paths(page):
            if path in SKIPPED_PATHS:
                continue
            response = page.goto(f"{page.base_url}{path}")
            assert response is not None and response.status == 200, (username, path)
            page.wait_for_load_state("load")
            visited += 1
            problems = []
            if page.evaluate("document.documentElement.lang") not in ("vi", "en"):
                problems.append("- <html> has no lang attribute")
            violations = axe_violations(page)
            if violations:
                problems.append(describe_violations(violations))
            if problems:
                failures[f"{username} {path}"] = "\n".join(problems)
        page.context.close()
    assert visited > len(ROLES) * 3
    assert not failures, "\n".join(f"{where}:\n{text}" for where, text in failures.items())


def test_focus_is_visible_on_menu_links_and_buttons(open_page, world):
    """Tabbing to a menu link shows a clear outline (not only Bootstrap's faint shadow)."""
    page = open_page(width=1366, height=800, locale="vi-VN")
    login(page, "worker1", DEMO_PASSWORD)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the first menu entry
    outline = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert outline[0] not in ("none", "") and outline[1] >= 2, outline


def test_errors_are_summarised_at_the_top_focused_and_linked_to_their_fields(open_page, world):
    """GOV.UK's error summary: a titled box at the top of the form takes focus when the page
    comes back with errors; each link moves focus to its field; the error stays by the field."""
    page = open_page(width=1366, height=800, locale="vi-VN")
    login(page, "hotline1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/hotline/new/")
    page.get_by_role("button", name="Lưu cuộc gọi").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.get_by_role("heading").inner_text() == "Có lỗi cần sửa"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = summary.locator("a[data-error-link]")
    assert links.count() >= 1
    target = links.first.get_attribute("href")[1:]
    links.first.click()
    assert page.evaluate("document.activeElement.id") == target
    assert page.locator(f"#{target}_errors").is_visible()
    screenshot(page, "error-summary")
    check_axe(page, "the call form with errors")
