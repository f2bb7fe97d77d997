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


# axe-core, from npm (package.json devDependencies), is served by the test server as a static
# file (tests/browser/conftest.py adds it under AXE_STATIC) and loaded with a <script src> that
# the page's Content-Security-Policy ('self') allows: the check runs with the CSP in force.
AXE_STATIC = "test-only/axe/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = ("serious", "critical")


# Regions of pages that are not ours to fix, by path, each with its reason.
AXE_EXCLUDED_REGIONS: dict[str, list[str]] = {
    # The Swagger UI widget of /api/v1/docs is a third-party bundle (drf-spectacular's sidecar):
    # its operation rows nest buttons and use its own colours. The page around it (language,
    # title) is ours and is checked.
    "/api/v1/docs": ["#swagger-ui"],
}


def axe_violations(page, impacts=AXE_FAILING_IMPACTS) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations of the page as it is now, of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=f"{page.base_url}/static/{AXE_STATIC}")
    path = page.evaluate("location.pathname")
    context = {"exclude": AXE_EXCLUDED_REGIONS.get(path, [])}
    found = page.evaluate(
        """async ([tags, context]) => (await axe.run(
                context.exclude.length ? context : document,
                {runOnly: {type: "tag", values: tags}}))
            .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "),
                    summary: n.failureSummary || ""}))}))""",
        [AXE_TAGS, context],
    )
    return [v for v in found if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())[:300]
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def check_axe(page, where: str = "") -> None:
    """Fail on any serious or critical axe-core violation, naming the rule and the elements."""
    violations = axe_violations(page)
    if violations:
        label = where or page.url
        raise AssertionError(
            f"axe-core: serious/critical violations on {label}:\n{describe_violations(violations)}"
        )
