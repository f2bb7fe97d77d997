"""A dropped connection loses nothing: the intake form saves a draft on the server while the
case worker types, gives it back after a reload, and forgets it once the case is created."""

from __future__ import annotations

import re

from antoan.accounts.demo import DEMO_PASSWORD as CAST_PASSWORD
from antoan.core.models import FormDraft
from tests.browser.helpers import login, screenshot
from tests.browser.test_case_journey import fill_intake

INTAKE = "/cases/new/"


def test_intake_draft_survives_a_reload_and_goes_with_the_submission(page, cast):
    login(page, "worker1", CAST_PASSWORD)
    page.goto(page.base_url + INTAKE)
    page.wait_for_selector("[data-testid=intake-form][data-draft-url]")
    fill_intake(page)
    page.fill("[name='survivor-address']", "Số 7 ngõ 3 phố Bãi Sậy")
    # Saved within seconds of a change (and every 10 s while typing).
    page.wait_for_selector("[data-testid=draft-status]:has-text('Đã lưu nháp lúc')", timeout=15000)
    assert FormDraft.objects.filter(owner=cast["worker1"], form_key="cases:intake").exists()

    page.reload()
    notice = page.wait_for_selector("[data-testid=draft-notice]")
    assert re.search(
        r"Đã khôi phục bản nháp lưu lúc \d\d:\d\d \d\d/\d\d/\d{4}", notice.inner_text()
    )
    assert page.input_value("[name='survivor-full_name']") == "Nguyễn Thị Hòa"
    assert page.input_value("[name='survivor-address']") == "Số 7 ngõ 3 phố Bãi Sậy"
    assert page.input_value("[name='survivor-phone']") == "0912 345 678"
    assert page.is_checked("[name='needs'][value='legal']")
    assert page.input_value("[name='perpetrators-0-relationship']") == "husband"
    screenshot(page, "drafts-intake-restored")

    page.click("button:has-text('Tạo hồ sơ')")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert not FormDraft.objects.exists()
    # Opening the form again starts empty: no notice, nothing filled in.
    page.goto(page.base_url + INTAKE)
    page.wait_for_selector("[data-testid=intake-form]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=draft-notice]").count() == 0
    assert page.input_value("[name='survivor-full_name']") == ""
    assert page.errors == []


def test_discarding_the_draft_empties_the_form(page, cast):
    login(page, "worker1", CAST_PASSWORD)
    page.goto(page.base_url + INTAKE)
    page.fill("[name='survivor-full_name']", "Lý Thị Sen")
    page.locator("[name='survivor-full_name']").blur()
    page.wait_for_selector("[data-testid=draft-status]:has-text('Đã lưu nháp lúc')", timeout=15000)
    page.reload()
    page.wait_for_selector("[data-testid=draft-notice]")
    page.click("[data-testid=draft-discard]")
    page.wait_for_selector("[data-testid=draft-notice]", state="detached")
    assert page.input_value("[name='survivor-full_name']") == ""
    assert not FormDraft.objects.exists()


def test_leaving_before_the_draft_is_saved_asks_first(page, cast):
    login(page, "worker1", CAST_PASSWORD)
    page.goto(page.base_url + INTAKE)
    page.wait_for_selector("[data-testid=intake-form][data-draft-url]")
    # Nothing typed: leaving asks nothing.
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.locator("a.navbar-brand").first.click()
    page.wait_for_url(page.base_url + "/")
    assert asked == []

    page.goto(page.base_url + INTAKE)
    page.wait_for_selector("[data-testid=intake-form][data-draft-url]")
    page.click("[name='survivor-full_name']")
    page.keyboard.type("Lý Thị Sen")
    # Typed, and not saved yet: the browser asks; staying keeps what was typed.
    page.locator("a.navbar-brand").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url.endswith(INTAKE)
    assert page.input_value("[name='survivor-full_name']") == "Lý Thị Sen"
