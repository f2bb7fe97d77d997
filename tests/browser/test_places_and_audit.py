"""On a 360 px phone: the incident's commune typed by name on intake (the list of names comes
from the place search as one types), and the audit log read and scrolled with the keyboard."""

from __future__ import annotations

from antoan.accounts.demo import DEMO_PASSWORD as CAST_PASSWORD
from tests.browser.helpers import check_axe, login, screenshot
from tests.browser.test_case_journey import fill_intake

PHONE = {"width": 360, "height": 780}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_place_is_typed_by_name_on_intake_on_a_phone(open_page, cast):
    page = open_page(**PHONE)
    login(page, "worker1", CAST_PASSWORD)
    page.goto(f"{page.base_url}/cases/new/")
    page.wait_for_load_state("load")
    fill_intake(page)
    box = page.locator("[name='incident-commune']")
    box.fill("")
    box.press_sequentially("pho hien", delay=30)
    # places.js asks the server for the names of the incident's date and fills the list.
    options = page.locator("#id_incident-commune-options option")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#id_incident-commune-options option')]"
        ".some(o => o.value === 'Phường Phố Hiến, Tỉnh Hưng Yên')"
    )
    assert options.count() >= 1
    assert overflow(page) <= 0, "the intake page is wider than the phone"
    check_axe(page, "intake with the place list at 360 px")
    screenshot(page, "intake-place-by-name-phone")
    page.click("button[type=submit]:has-text('Tạo hồ sơ')")
    page.wait_for_selector(".alert-success")
    assert "Đã tạo hồ sơ" in page.content()
    from antoan.cases.models import Case

    assert Case.objects.get().incidents.get().commune.name == "Phường Phố Hiến"
    assert page.errors == []


def test_the_audit_log_reads_and_scrolls_on_a_phone(open_page, cast):
    from antoan.core.audit import audit_record

    audit_record(action="view", user=cast["worker1"], object_type="referral", object_id=3)
    audit_record(action="update", user=cast["worker1"], object_type="programme.activity")
    page = open_page(**PHONE)
    login(page, "auditor1", CAST_PASSWORD)
    page.goto(f"{page.base_url}/audit/?object_type=chuyen+gui")
    page.wait_for_selector("[data-testid=audit-results]")
    assert overflow(page) <= 0, "the audit page is wider than the phone"
    row = page.locator("[data-testid=audit-results] tbody tr").first
    assert row.locator("td[data-label='Loại đối tượng']").inner_text() == "Chuyển gửi"
    # Each cell says which column it is (the header row is hidden on a phone).
    label = page.evaluate(
        "getComputedStyle(document.querySelector(\"td[data-label='Hành động']\"), '::before')"
        ".content"
    )
    assert "Hành động" in label
    region = page.locator(".audit-scroll")
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('audit-scroll')")
    check_axe(page, "the audit log at 360 px")  # scrollable-region-focusable among others
    page.set_viewport_size({"width": 1366, "height": 800})
    check_axe(page, "the audit log at 1366 px")
    screenshot(page, "audit-phone")
    assert page.errors == []
