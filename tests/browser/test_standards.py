# ruff: noqa: F811 - pytest fixtures imported from the programme tests are redefined as parameters
"""Standards in a real browser: the coordinator scores a trusted address against its checklist
and finds the result on the models registry; the form fits a phone."""

from __future__ import annotations

import re

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.programme.tests.builders import TRUSTED_WEIGHTS
from antoan.programme.tests.conftest import (  # noqa: F401 - fixtures
    agencies,
    standards,
    trusted_address,
)
from tests.browser.helpers import login, screenshot


def test_coordinator_scores_a_trusted_address_and_the_registry_shows_it(
    open_page, cast, trusted_address, standards
):
    page = open_page(width=390, height=844)  # a phone
    login(page, "coordinator1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/programme/models/{trusted_address.pk}/")
    page.click("[data-testid=assess]")
    page.click("text=Tiêu chí mô hình Địa chỉ tin cậy tại cộng đồng")
    page.wait_for_selector("[data-testid=assessment-form]")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    for code in TRUSTED_WEIGHTS:
        page.fill(f"[name=score_{code}]", "1" if code == "A2" else "2")
    page.fill("[name=score_C4]", "3")  # out of range: refused, the input kept
    page.check("input[name=status][value=final]")
    page.click("[data-testid=assessment-form] button[type=submit]")
    assert "phải từ 0 đến 2; đã nhập 3" in page.locator("#id_score_C4_errors").inner_text()
    assert page.input_value("[name=score_B1]") == "2"
    page.fill("[name=score_C4]", "2")
    page.fill("[name=note_A1]", "Quyết định số 12/QĐ-UBND ngày 08/03/2022")
    screenshot(page, "standards-assessment-form")
    page.click("[data-testid=assessment-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/programme/assessments/\d+/$"))
    assert page.locator("[data-testid=total]").inner_text() == "97,2 %"  # 17.5 of 18
    assert page.locator("[data-testid=band]").inner_text() == "Đạt chuẩn"
    page.goto(f"{page.base_url}/programme/models/")
    assert "97,2 %" in page.locator("[data-testid=model-results]").inner_text()
    screenshot(page, "standards-registry")
    # The refused form answered 400, as the house's forms do; nothing else went wrong.
    assert [e for e in page.errors if "status of 400" not in e] == []
