"""The referral network in a real browser: an emergency call becomes a case, the case is
referred to the hospital, the hospital accepts and records the care, and the case shows the
need met."""

from __future__ import annotations

import re

from django.utils import timezone

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.hotline.demo import build_demo_hotline
from antoan.referrals.demo import build_demo_providers
from tests.browser.helpers import login, logout, screenshot


def test_emergency_call_to_case_to_hospital_referral_to_need_met(page, cast):
    build_demo_hotline(password=DEMO_PASSWORD)
    build_demo_providers()

    # 1. The operator logs a call from a survivor in immediate danger.
    login(page, "hotline1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/hotline/new/")
    page.check("[name='immediate_danger']")
    page.check("[name='channel'][value='phone']")
    page.select_option("[name='caller_type']", "survivor")
    page.fill("[name='commune']", "Phố Hiến")
    page.select_option("[name='category']", "dv")
    page.fill("[name='summary']", "Chị gọi từ nhà hàng xóm, chồng đang say rượu đập phá")
    page.click("button:has-text('Lưu cuộc gọi')")
    page.wait_for_url(re.compile(r"/hotline/\d+/$"))
    call_url = page.url
    # The on-duty contacts of the caller's commune, and the chairperson reminder.
    assert page.locator("[data-testid=emergency-contacts] [data-testid=contact]").count() >= 1
    assert page.locator("[data-testid=chair-reminder]").is_visible()
    screenshot(page, "hotline-emergency-call")

    page.check("[data-testid=notice-form] [name='role'][value='commune_chair']")
    committee = page.locator(
        "[data-testid=notice-form] [name='agency'] option",
        has_text="Ủy ban nhân dân phường Phố Hiến",
    )
    page.select_option(
        "[data-testid=notice-form] [name='agency']", committee.get_attribute("value")
    )
    page.fill("[data-testid=notice-form] [name='person_name']", "Chủ tịch UBND phường")
    page.click("[data-testid=notice-form] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=chair-reminder]").count() == 0

    # 2. A case is opened from the call; the call keeps the link.
    page.click("[data-testid=open-case]")
    page.wait_for_selector("[data-testid=open-case-form]")
    page.fill("[name='survivor-full_name']", "Phạm Thị Lý")
    page.select_option("[name='survivor-sex']", "female")
    page.fill("[name='survivor-birth_year']", "1988")
    page.check("[name='needs'][value='health']")
    page.check("[name='consent-services']")
    page.check("[name='consent-reporting']")
    page.click("button:has-text('Tạo hồ sơ')")
    page.wait_for_url(re.compile(r"/hotline/\d+/"))
    number = page.locator("[data-testid=case-link]").inner_text().strip()
    assert re.fullmatch(r"HY-\d{4}-\d{6}", number), number
    assert page.url.startswith(call_url)
    logout(page)

    # 3. The hotline's supervisor refers the case to the provincial hospital.
    login(page, "hotlinesup1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/cases/team/")
    page.fill("[data-testid=case-search] [name=q]", number)
    page.click("[data-testid=case-search] button[type=submit]")
    page.click(f"text={number}")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case_url = page.url
    page.click("[data-testid=needs-met] >> text=Chuyển gửi")
    page.wait_for_selector("[data-testid=referral-form]")
    hospital = page.locator("[name='provider'] option", has_text="Bệnh viện Đa khoa tỉnh")
    page.select_option("[name='provider']", hospital.first.get_attribute("value"))
    page.select_option("[name='service']", "health")
    page.select_option("[name='urgency']", "immediate")
    page.fill("[name='note']", "Chấn thương vùng đầu; đi cùng cán bộ xã")
    page.click("[data-testid=referral-form] button[type=submit]")
    page.wait_for_url(case_url)
    assert "Đã gửi yêu cầu chuyển gửi CG-" in page.locator(".alert-success").inner_text()
    section = page.locator("[data-testid=needs-met]")
    assert "Chưa đáp ứng" in section.inner_text()
    link = section.locator("a[href^='/referrals/']").first
    referral_number = link.inner_text().strip()
    referral_url = page.base_url + link.get_attribute("href")
    logout(page)

    # 4. The hospital accepts and records the care; it sees only what the referral shares.
    login(page, "health1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/referrals/inbox/")
    inbox = page.locator("main").inner_text()
    assert referral_number in inbox
    assert "còn 59 phút" in inbox or "còn 1 giờ" in inbox  # immediate: accept within 1 hour
    page.goto(referral_url)
    assert page.locator("[data-testid=shared-alias]").inner_text().strip() == "Lý"
    assert "Phạm Thị Lý" not in page.content()
    with page.expect_navigation():
        page.click("button[name=action][value=accept]")
    page.goto(referral_url)
    page.fill("[name='deliver-delivered_on']", timezone.localdate().strftime("%d/%m/%Y"))
    page.fill("[name='deliver-description']", "Khám, chụp CT, khâu vết thương")
    with page.expect_navigation():
        page.click("button[name=action][value=deliver]")
    screenshot(page, "referral-delivered")
    # The hospital's access ends with the delivery; the case itself was never open to it.
    assert page.goto(case_url).status == 404
    logout(page)

    # 5. The case shows the need met.
    login(page, "hotlinesup1", DEMO_PASSWORD)
    needs = _needs(page, case_url)
    assert "Đã đáp ứng" in needs
    assert "Chưa đáp ứng" not in needs
    screenshot(page, "case-need-met")
    assert page.errors == [] or all("404" in e for e in page.errors)


def _needs(page, case_url: str) -> str:
    page.goto(case_url)
    return page.locator("[data-testid=needs-met]").inner_text()
