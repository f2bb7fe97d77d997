"""The province dashboard in a real browser: manager1, on a phone, filters to 2024 and one
commune and reads the same numbers the API gives; the page passes axe-core with the CSP in
force (axe itself loaded under it), draws its charts, and logs no console or CSP errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from antoan.accounts.demo import DEMO_PASSWORD
from tests.browser import helpers
from tests.browser.helpers import login, screenshot

TZ = timezone.get_current_timezone()


@pytest.fixture
def history_2024(cast, mini_places, catalogue, plan64):
    """Cases opened in 2024: 8 in old Phường An Tảo (now part of Phố Hiến), 7 in Trần Hưng Đạo;
    6 of each with needs, 5 of those served."""
    from antoan.accounts.models import Agency
    from antoan.cases.models import Case, Incident, Survivor
    from antoan.indicators.selectors.places import forget
    from antoan.places.models import Place, PlaceSuccession
    from antoan.referrals.models import ServiceDelivery

    old = Place.objects.create(
        code="11956", name="Phường An Tảo", level="commune",
        parent=mini_places["old_province"], valid_to=dt.date(2025, 6, 30),
    )  # fmt: skip
    PlaceSuccession.objects.create(
        predecessor=old, successor=mini_places["commune_a"], effective_on=dt.date(2025, 7, 1)
    )
    forget()
    plan = [
        (old, "ubnd-pho-hien", 8, 6, 5),
        (mini_places["commune_b"], "ubnd-tran-hung-dao", 7, 6, 5),
    ]
    n = 0
    for place, agency_code, total, with_needs, served in plan:
        agency = Agency.objects.get(code=agency_code)
        for i in range(total):
            n += 1
            opened = dt.datetime(2024, 3 + i % 6, 12, 9, 0, tzinfo=TZ)
            survivor = Survivor.objects.create(
                full_name=f"Người {n}", name_index=f"b{n}", sex="female", birth_year=1990
            )
            case = Case.objects.create(
                number=f"B-2024-{n:06d}", survivor=survivor, agency=agency, source="self",
                needs=["health"] if i < with_needs else [], opened_at=opened,
                created_by=cast["worker1"],
            )  # fmt: skip
            Incident.objects.create(
                case=case, gbv_type="physical_assault", dv_forms=["physical"],
                occurred_on=opened.date(), first_reported_on=opened.date(), commune=place,
                consent_statistics=True, created_by=cast["worker1"],
            )  # fmt: skip
            if i < served:
                ServiceDelivery.objects.create(
                    case=case, service="health", delivered_on=opened.date(), agency=agency,
                    recorded_by=cast["worker1"], recorded_at=opened + dt.timedelta(hours=6),
                )  # fmt: skip


ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations of every impact, axe loaded as a static file under
    the page's CSP (tests/browser/helpers.py)."""
    return helpers.axe_violations(page, impacts=ALL_IMPACTS)


def test_a_manager_on_a_phone_sees_the_apis_numbers(open_page, history_2024):
    page = open_page(width=360, height=740, locale="vi-VN")
    login(page, "manager1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/indicators/")
    page.wait_for_selector("[data-testid=filters]")
    page.select_option("#id_year", "2024")
    page.select_option("#id_place", "11953")
    page.click("[data-testid=apply-filters]")
    page.wait_for_selector("[data-testid=card-GBV-02]")
    assert "Năm 2024 · Phường Phố Hiến" in page.locator("[data-testid=scope]").inner_text()
    shown = page.locator("[data-testid=value-GBV-02]").inner_text()

    api = page.request.get(f"{page.base_url}/api/v1/indicators/values?year=2024&place=11953")
    assert api.ok
    rows = {r["code"]: r for r in json.loads(api.text())["results"]}
    # Phố Hiến's 2024: the 8 cases of old An Tảo; 6 with needs, 5 of them served.
    assert (rows["GBV-02"]["numerator"], rows["GBV-02"]["denominator"]) == (5, 6)
    assert shown == "83,3\u00a0%" == f"{rows['GBV-02']['value']:.1f}".replace(".", ",") + "\u00a0%"
    for code, row in rows.items():
        card = page.locator(f"[data-testid=value-{code}]")
        if card.count():
            text = card.inner_text()
            if row["suppressed"]:
                assert text == "ẩn", code
            elif row["value"] is not None and code.startswith(("GBV", "GE", "DV")):
                assert text.startswith(f"{row['value']:.1f}".replace(".", ",")), code
    # The charts were drawn (the canvas has pixels), and the page fits the phone.
    assert page.evaluate("document.querySelector('canvas[data-chart]').width") > 0
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, "indicators-phone")
    assert axe_violations(page) == []
    assert page.errors == []


def test_the_dashboard_on_a_desk_screen_passes_axe_and_prints(open_page, history_2024):
    page = open_page(width=1366, height=900, locale="vi-VN")
    login(page, "analyst1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/indicators/?year=2024&indicator=GBV-01")
    page.wait_for_selector("[data-testid=commune-table]")
    rows = page.locator("[data-testid=commune-row]")
    assert rows.count() == 3  # two communes and the row of records with no known commune
    screenshot(page, "indicators-desk")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    assert not page.locator("[data-testid=filters]").is_visible()
    page.pdf(path=str(Path(__file__).resolve().parents[2] / "test-artifacts" / "indicators.pdf"))
    assert page.errors == []


def test_a_first_view_shows_the_figures_by_itself_once_the_worker_computed_them(
    open_page, history_2024, settings
):
    """With a task worker (production), the first view of a dashboard says its figures are
    being computed, polls, and shows them without the user doing anything."""
    from antoan.jobs.worker import run_pending

    settings.ANTOAN_DASHBOARD_BACKGROUND = True
    page = open_page(width=360, height=740, locale="vi-VN")
    login(page, "manager1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/indicators/?year=2024")
    pending = page.locator("[data-testid=figures-pending]")
    pending.wait_for()
    assert "Đang tính số liệu từ hồ sơ" in pending.inner_text()
    screenshot(page, "indicators-pending-phone")
    assert axe_violations(page) == []
    page.wait_for_timeout(2500)  # a poll answered "not yet" changes nothing
    assert pending.is_visible()
    assert run_pending() == 1
    page.wait_for_selector("[data-testid=card-GBV-02]", timeout=10_000)
    assert pending.count() == 0
    assert "Năm 2024" in page.locator("[data-testid=scope]").inner_text()
    assert page.errors == []
