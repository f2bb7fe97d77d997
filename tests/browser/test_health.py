"""A commune health station's nurse records a survivor seen as a patient, on a 360 px phone."""

from __future__ import annotations

from antoan.accounts.demo import DEMO_PASSWORD as CAST_PASSWORD
from antoan.health.models import ServiceContact
from tests.browser.helpers import login, screenshot


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone"


def test_a_nurse_records_a_contact_on_a_phone(open_page, cast):
    page = open_page(width=360, height=740)
    login(page, "nurse1", CAST_PASSWORD)
    page.goto(f"{page.base_url}/health/contacts/new/")
    page.wait_for_selector("[data-testid=contact-form]")
    _no_sideways_scroll(page)
    # The station is chosen and the date is today's: the nurse only ticks.
    assert page.locator("input[name=facility]").first.is_checked()
    assert page.locator("input[name=contact_date]").input_value()

    page.check("input[name=sex][value=female]")
    page.check("input[name=age_band][value='18-25']")
    page.check("input[name=gbv_type][value=sexual_assault]")
    page.check("input[name=violence_forms][value=sexual]")
    page.check("input[name=emergency_care]")
    page.check("input[name=counselling]")
    page.check("input[name=contraception_pep]")
    page.check("input[name=referral_offered]")
    page.check("input[name=referral_accepted]")
    _no_sideways_scroll(page)
    screenshot(page, "health-contact-phone")
    page.click("[data-testid=save]")

    page.wait_for_selector("[data-testid=recorded]")
    assert "Đã ghi nhận" in page.locator("[data-testid=recorded]").inner_text()
    _no_sideways_scroll(page)
    contact = ServiceContact.objects.get()
    assert (contact.sex, contact.age_band, contact.gbv_type) == (
        "female",
        "18-25",
        "sexual_assault",
    )
    assert contact.contraception_pep and contact.referral_accepted and not contact.forensic_exam
    assert contact.recorded_by.username == "nurse1"

    page.click("[data-testid=again]")
    page.wait_for_selector("[data-testid=contact-form]")
    assert not page.locator("input[name=sex]:checked").count()
    assert page.errors == []
