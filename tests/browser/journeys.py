"""Driving the browser as a person does, with the mouse or with the keyboard only.

``UI(page)`` clicks, types and picks like a mouse user (Playwright's fill, click, select).
``UI(page, keyboard=True)`` reaches every control with Tab / Shift+Tab only and acts on it
with typing, Space, Enter and the arrow keys: no mouse event is ever sent. A journey written
against ``UI`` runs both ways unchanged. Every page the UI lands on is checked with axe-core.
Locators are by label and role where the page allows, so that a change of layout does not
break a journey while a change a user would notice does.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.browser.helpers import check_axe, screenshot

MAX_TABS = 600

_IS_ACTIVE = "el => el === document.activeElement"
# Is the focused element after the target in document order (then go back with Shift+Tab)?
_FOCUS_IS_AFTER = """el => { const a = document.activeElement;
    if (!a || a === document.body || a === el) return false;
    return !!(el.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING); }"""


class UI:
    def __init__(self, page, *, keyboard: bool = False, name: str = "") -> None:
        self.page = page
        self.keyboard = keyboard
        self.name = name  # the journey variant, for screenshot names
        self.checked: set[str] = set()

    # --- reaching a control ---------------------------------------------------------------

    def focus(self, locator) -> None:
        """Tab (or Shift+Tab) until the control has focus."""
        locator = locator.first
        locator.wait_for(state="visible")
        for _ in range(MAX_TABS):
            if locator.evaluate(_IS_ACTIVE):
                return
            back = locator.evaluate(_FOCUS_IS_AFTER)
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"the keyboard never reached {locator}")

    def _focus_radio_group(self, radio) -> None:
        same_group = """(el, target) => { const a = document.activeElement;
            return a && a.type === 'radio' && a.name === target.name && a.form === target.form; }"""
        handle = radio.element_handle()
        for _ in range(MAX_TABS):
            if self.page.evaluate(
                f"([el]) => ({same_group})(document.activeElement, el)", [handle]
            ):
                return
            back = radio.evaluate(_FOCUS_IS_AFTER)
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"the keyboard never reached the group of {radio}")

    # --- acting ---------------------------------------------------------------------------

    def fill(self, locator, text: str) -> None:
        if not self.keyboard:
            locator.first.fill(text)
            return
        self.focus(locator)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Backspace")
        self.page.keyboard.type(text)

    def check(self, locator) -> None:
        """Tick a checkbox, or choose a radio button."""
        locator = locator.first
        if not self.keyboard:
            locator.check()
            return
        if locator.get_attribute("type") == "radio":
            self._focus_radio_group(locator)
            for _ in range(30):
                if locator.is_checked():
                    return
                self.page.keyboard.press("ArrowDown")
            raise AssertionError(f"the arrow keys never chose {locator}")
        self.focus(locator)
        if not locator.is_checked():
            self.page.keyboard.press("Space")
        assert locator.is_checked()

    def select(self, locator, *, label: str | None = None, value: str | None = None) -> None:
        """Choose an option of a list by its visible text (or, failing that, its value)."""
        locator = locator.first
        if not self.keyboard:
            if label is not None:
                locator.select_option(label=label)
            else:
                locator.select_option(value)
            return
        index = locator.evaluate(
            """(el, [label, value]) => [...el.options].findIndex(o =>
                label !== null ? o.text.trim() === label : o.value === value)""",
            [label, value],
        )
        assert index >= 0, (label, value)
        self.focus(locator)
        for _ in range(400):
            current = locator.evaluate("el => el.selectedIndex")
            if current == index:
                return
            self.page.keyboard.press("ArrowDown" if current < index else "ArrowUp")
        raise AssertionError(f"the arrow keys never reached {label or value}")

    def press(self, locator, *, navigates: bool = True) -> None:
        """Click a button or follow a link (Enter on the keyboard); check the new page."""
        locator = locator.first
        if self.keyboard:
            self.focus(locator)
            action = lambda: self.page.keyboard.press("Enter")  # noqa: E731
        else:
            action = locator.click
        if navigates:
            with self.page.expect_navigation():
                action()
            self.landed()
        else:
            action()

    def menu(self, name: str) -> None:
        """Follow an entry of the main menu, opening it first on a phone."""
        toggler = self.page.locator("button.navbar-toggler")
        if toggler.is_visible():
            self.press(toggler, navigates=False)
            self.page.wait_for_selector("#main-nav.show")
        link = self.page.locator("#main-nav").get_by_role("link", name=name, exact=True).first
        if not link.is_visible():
            # The entry sits in a group of the menu (a dropdown, docs/home.md): open it first.
            entry = self.page.locator("a.dropdown-item", has_text=name)
            group = self.page.locator("#main-nav .nav-item.dropdown", has=entry)
            self.press(group.locator("[data-nav-group]"), navigates=False)
            link.wait_for(state="visible")
        self.press(link)

    def goto(self, path: str):
        response = self.page.goto(f"{self.page.base_url}{path}")
        self.landed()
        return response

    def landed(self) -> None:
        """A new page: wait for it, then check it with axe-core once per path."""
        self.page.wait_for_load_state("load")
        path = re.sub(r"\d+", "N", self.page.evaluate("location.pathname"))
        if path not in self.checked:
            self.checked.add(path)
            check_axe(self.page)

    def shot(self, name: str) -> None:
        shoot(self.page, name, variant=self.name)

    def login(self, username: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.fill(self.page.get_by_label("Tên đăng nhập"), username)
        self.fill(self.page.get_by_label("Mật khẩu"), password)
        self.press(self.page.get_by_role("button", name="Đăng nhập"))
        assert "/accounts/login/" not in self.page.url, self.page.url


def shoot(page, name: str, *, variant: str = "") -> None:
    """A test artefact (full page, test-artifacts/); with USER_GUIDE_SHOTS=<dir>, also the
    user guide's picture of the screen as a person sees it (<dir>/<name>-<width>.png)."""
    screenshot(page, f"journey-{variant}-{name}" if variant else f"journey-{name}")
    folder = os.environ.get("USER_GUIDE_SHOTS")
    if folder and not variant.startswith("keyboard"):
        width = page.viewport_size["width"]
        path = Path(folder) / f"{name}-{width}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        # The top of the page, as a person arriving there sees it; then back where we were.
        where = page.evaluate(
            "() => { const y = scrollY; scrollTo({top: 0, behavior: 'instant'}); return y; }"
        )
        page.screenshot(path=str(path))
        page.evaluate("y => scrollTo({top: y, behavior: 'instant'})", where)
        _shrink(path)


def _shrink(path: Path) -> None:
    """Keep the committed pictures small: a 256-colour palette is plenty for a screen."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with the project's dependencies
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
