"""The referral and direct-service forms on a 360 px phone: the case forms' layout, no sideways
scrolling, and the live "Nơi nhận sẽ thấy gì" that follows the sender's choices (issue 12)."""

from __future__ import annotations

import re

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.referrals.demo import build_demo_providers
from tests.browser.helpers import login, screenshot

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _case(cast, *, sharing_with=()):
    from antoan.cases import services

    return services.case_open(
        actor=cast["worker1"],
        source="self",
        survivor=services.SurvivorInput(
            full_name="Trần Thị Bình",
            sex="female",
            birth_year=1985,
            commune="11953",
            phone="0912 345 678",
        ),
        consent=services.ConsentInput(
            services=True, reporting=True, sharing_agencies=list(sharing_with)
        ),
        needs=["health", "legal"],
    ).case


def _option(page, name: str, text: str) -> str:
    return page.locator(f"[name='{name}'] option", has_text=text).first.get_attribute("value")


def test_referral_form_on_a_phone_previews_what_the_provider_sees(open_page, cast):
    from antoan.referrals.models import Provider

    build_demo_providers()
    hospital = Provider.objects.get(agency__code="bv-da-khoa-tinh")
    case = _case(cast, sharing_with=[hospital.agency])
    page = open_page(width=360, height=780)
    login(page, "worker1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/referrals/cases/{case.pk}/new/")
    page.wait_for_selector("[data-testid=referral-form]")
    preview = page.locator("[data-testid=recipient-preview]")
    assert preview.locator("[data-testid=preview-empty]").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    # A case worker is not offered the override.
    assert page.locator("[name='emergency_override']").count() == 0

    # The hospital is named in the sharing consent: it will see the phone.
    with page.expect_response(re.compile(r"/preview/")):
        page.select_option("[name='provider']", _option(page, "provider", "Bệnh viện Đa khoa"))
    page.wait_for_selector("[data-testid=recipient-view]")
    assert "0912" in preview.locator("[data-testid=shared-phone]").inner_text()
    assert preview.locator("[data-testid=shared-alias]").inner_text().strip() == "Bình"
    assert "Trần Thị Bình" not in preview.inner_text()

    # Legal aid is not: no phone, and a note asking to call is flagged as it is typed.
    with page.expect_response(re.compile(r"/preview/")):
        page.select_option("[name='provider']", _option(page, "provider", "Trợ giúp pháp lý"))
    page.wait_for_function(
        "document.querySelector('[data-testid=shared-phone]').innerText.includes('Không')"
    )
    with page.expect_response(re.compile(r"/preview/")):
        page.fill("[name='note']", "Hãy gọi cho chị trước khi đến")
    warning = page.locator("[data-testid=preview-warning]")
    warning.wait_for()
    assert "không thấy số điện thoại" in warning.inner_text()
    assert "Hãy gọi cho chị" in preview.locator("[data-testid=shared-notes]").inner_text()
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "referral-form-preview-phone")

    # Sent to the hospital: the message says what went where, in plain words.
    page.select_option("[name='provider']", _option(page, "provider", "Bệnh viện Đa khoa"))
    page.select_option("[name='service']", "health")
    with page.expect_response(re.compile(r"/preview/")):
        page.fill("[name='note']", "Đi cùng cán bộ xã")
    with page.expect_navigation():
        page.click("[data-testid=referral-form] button[type=submit]")
    message = page.locator(".alert-success").inner_text()
    assert re.search(r"Đã gửi yêu cầu chuyển gửi CG-\d{6} đến Bệnh viện Đa khoa tỉnh", message)
    assert page.errors == [], page.errors


def test_errors_and_service_form_fit_a_phone(open_page, cast):
    build_demo_providers()
    case = _case(cast)
    page = open_page(width=360, height=780)
    login(page, "worker1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/referrals/cases/{case.pk}/new/")
    page.click("[data-testid=referral-form] button[type=submit]")
    page.wait_for_selector("[data-testid=form-errors]")
    assert page.locator("[data-field=provider] .invalid-feedback").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "referral-form-errors-phone")

    page.goto(f"{page.base_url}/referrals/cases/{case.pk}/services/new/")
    page.wait_for_selector("[data-testid=service-form]")
    assert page.evaluate(OVERFLOW) <= 0
    page.click("[data-testid=service-form] button[type=submit]")
    page.wait_for_selector("[data-testid=form-errors]")
    assert page.locator("[data-field=delivered_on] .invalid-feedback").is_visible()
    assert page.get_attribute("[name='delivered_on']", "placeholder") == "dd/mm/yyyy"
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "service-form-errors-phone")
    # The refused submissions answer 400, which the browser logs; nothing else may.
    assert all("status of 400" in e for e in page.errors), page.errors


def test_provider_answers_on_a_phone_and_keeps_the_history(open_page, cast):
    from antoan.referrals import services
    from antoan.referrals.models import Provider

    build_demo_providers()
    case = _case(cast)
    referral = services.referral_send(
        case=case,
        actor=cast["worker1"],
        provider=Provider.objects.get(agency__code="bv-da-khoa-tinh"),
        service="health",
        urgency="high",
        note="Đi cùng cán bộ xã",
    )
    page = open_page(width=360, height=780)
    login(page, "health1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/referrals/{referral.pk}/")
    page.wait_for_selector("[data-testid=recipient-view]")
    assert page.evaluate(OVERFLOW) <= 0
    page.fill("[name='decline-reason']", "Hết giường, đề nghị chuyển tuyến huyện")
    with page.expect_navigation():
        page.click("button[name=action][value=decline]")
    # The answered referral lives on in "Đã xử lý", without the survivor.
    assert page.url.endswith(f"/referrals/history/{referral.pk}/")
    assert "Đã từ chối" in page.locator("[data-testid=outcome]").inner_text()
    page.goto(f"{page.base_url}/referrals/history/")
    row = page.locator("[data-testid=history-row]", has_text=referral.number)
    assert "Đã từ chối" in row.inner_text()
    body = page.locator("main").inner_text()
    assert "Bình" not in body and case.number not in body
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "referral-history-phone")
    assert page.errors == [], page.errors
