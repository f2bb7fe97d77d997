"""The case lists on a 360 px phone (issue 12): every case shows its risk level without
scrolling sideways, and the page itself is no wider than the phone."""

from __future__ import annotations

from django.utils import timezone

from antoan.accounts.demo import DEMO_PASSWORD as CAST_PASSWORD
from tests.browser.helpers import login, screenshot

PHONE = {"width": 360, "height": 780}
# Long Vietnamese names and a risk in each level: what used to push the risk column off-screen.
CASES = [
    ("Nguyễn Thị Thanh Hương Giang", "immediate"),
    ("Trần Thị Bích Ngọc", "high"),
    ("Lê Thị Hoài Thương", "medium"),
    ("Phạm Thị Hòa", "low"),
]
LABELS = {"immediate": "Nguy hiểm tức thời", "high": "Cao", "medium": "Trung bình", "low": "Thấp"}


def open_cases(worker) -> None:
    from antoan.cases import services
    from antoan.cases.tests.conftest import incident_input, survivor_input

    today = timezone.localdate()
    for name, risk in CASES:
        services.case_open(
            actor=worker,
            survivor=survivor_input(full_name=name),
            source="self",
            consent=services.ConsentInput(services=True, reporting=True),
            incident=incident_input(today),
            needs=["health"],
            risk_level=risk,
            immediate_danger=risk == "immediate",
        )


def check_list(page, name: str) -> None:
    page.wait_for_selector("[data-testid=case-list]")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the phone"
    badges = page.locator("[data-testid=case-row-risk]")
    assert badges.count() == len(CASES)
    shown = []
    for index in range(badges.count()):
        badge = badges.nth(index)
        assert badge.is_visible()
        box = badge.bounding_box()
        assert box is not None and box["x"] >= 0, f"{name}: risk badge {index} is off-screen"
        assert box["x"] + box["width"] <= PHONE["width"], f"{name}: risk badge {index} is cut"
        shown.append(badge.inner_text())
    assert sorted(shown) == sorted(LABELS[risk] for _name, risk in CASES)
    screenshot(page, f"case-list-phone-{name}")


def test_case_lists_show_risk_on_a_phone(open_page, cast):
    open_cases(cast["worker1"])
    page = open_page(**PHONE)

    login(page, "worker1", CAST_PASSWORD)
    page.goto(f"{page.base_url}/cases/mine/")
    check_list(page, "mine")
    assert page.errors == []

    page.context.clear_cookies()
    login(page, "supervisor1", CAST_PASSWORD)
    page.goto(f"{page.base_url}/cases/team/")
    check_list(page, "team")
    assert page.errors == []
