"""Steps shared by browser tests."""

from __future__ import annotations

import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_url(f"{page.base_url}/")


def logout(page) -> None:
    """Log out through the user menu. On a phone the menu sits behind the navbar toggler; wait
    for each Bootstrap transition to finish before the next click, or the click lands on an
    element that is still moving and the menu never opens."""
    page.wait_for_load_state("load")
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.wait_for_selector("#main-nav.show")
    page.click("[data-testid=user-menu]")
    page.wait_for_selector("[data-testid=user-menu] + .dropdown-menu.show")
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_url(re.compile(r"/accounts/login/"))


def open_menu_entry(page, label: str) -> None:
    """Follow an entry of the main menu as a user would: unfold the menu on a phone, open the
    entry's group (a dropdown) when it sits in one, then click it (docs/home.md)."""
    page.wait_for_load_state("load")
    toggler = page.locator("button.navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.wait_for_selector("#main-nav.show")
    link = page.locator("#main-nav a", has_text=label).first
    if not link.is_visible():
        entry = page.locator("a.dropdown-item", has_text=label)
        group = page.locator("#main-nav .nav-item.dropdown", has=entry).locator("[data-nav-group]")
        group.click()
        link.wait_for(state="visible")
    link.click()
