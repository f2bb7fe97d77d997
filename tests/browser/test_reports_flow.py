# ruff: noqa: F811 - pytest fixtures imported from other conftests are redefined as parameters
"""The annual report in a real browser: reporter1 writes Phố Hiến's 2025 report on plan 64 and
submits it; coordinator1 returns it with a reason; reporter1 reads the reason and submits
again; coordinator1 accepts it and downloads the province's consolidated report (Word)."""

from __future__ import annotations

import datetime as dt
import io
import re

from docx import Document

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.jobs.worker import run_pending
from antoan.programme.tests.conftest import (  # noqa: F401 (fixtures)
    activity_input,
    agencies,
    record,
    tasks,
)
from antoan.reports.services import ensure_cycles
from tests.browser.helpers import axe_violations, describe_violations, login, screenshot

REASON = "Đề nghị bổ sung kết quả sinh hoạt câu lạc bộ tháng 11."


def test_a_report_is_written_returned_resubmitted_accepted_and_consolidated(
    open_page, cast, plan64, record
):
    record()  # a community meeting of Phố Hiến on 10/11/2025: the report starts from it
    ensure_cycles(plan64)
    cycle = plan64.report_cycles.get(year=2025)

    reporter = open_page()
    reporter.on("dialog", lambda dialog: dialog.accept())  # "Nộp báo cáo?" confirmations
    login(reporter, "reporter1", DEMO_PASSWORD)
    reporter.goto(f"{reporter.base_url}/reports/")
    reporter.click(f"[data-testid=cycles] tr[data-year='2025'] a[href$='/cycles/{cycle.pk}/']")
    reporter.wait_for_url(re.compile(rf"/reports/cycles/{cycle.pk}/$"))
    reporter.click("[data-testid=start-report]")
    reporter.wait_for_url(re.compile(r"/reports/submissions/\d+/$"))
    submission_url = reporter.url
    # Pre-filled from the records: one communication activity with 40 people.
    assert reporter.input_value("[name=f__activities__communication__count]") == "1"
    assert reporter.input_value("[name=f__activities__communication__participants]") == "40"
    sections = reporter.locator("[data-testid=submission-form] textarea[name^=n__]")
    assert sections.count() >= 4
    for i in range(sections.count()):
        sections.nth(i).fill(f"Mục {i + 1}: đã thực hiện theo kế hoạch, có số liệu kèm theo.")
    screenshot(reporter, "reports-submission-form")
    reporter.click("[data-testid=submit]")
    reporter.wait_for_selector(".alert-success")
    assert "Đã nộp báo cáo" in reporter.locator(".alert-success").inner_text()
    assert reporter.locator("[data-testid=submission-form]").count() == 0

    coordinator = open_page()
    login(coordinator, "coordinator1", DEMO_PASSWORD)
    coordinator.goto(f"{coordinator.base_url}/reports/cycles/{cycle.pk}/")
    row = coordinator.locator("[data-testid=board] tr", has_text="Phố Hiến")
    row.locator("a").click()
    coordinator.wait_for_url(submission_url)
    coordinator.fill("[data-testid=return-form] textarea[name=reason]", REASON)
    coordinator.click("[data-testid=return]")
    coordinator.wait_for_selector(".alert-success")
    assert "Đã trả lại báo cáo" in coordinator.locator(".alert-success").inner_text()

    reporter.goto(submission_url)
    assert REASON in reporter.locator("[data-testid=return-reason]").inner_text()
    reporter.locator("[data-testid=submission-form] textarea[name^=n__]").first.fill(
        "Đã bổ sung kết quả sinh hoạt câu lạc bộ tháng 11."
    )
    assert reporter.locator("[data-testid=submit]").inner_text().strip() == "Nộp lại báo cáo"
    reporter.click("[data-testid=submit]")
    reporter.wait_for_selector(".alert-success")
    assert "Đã nộp lại" in reporter.locator("[data-testid=submission-facts]").inner_text()

    coordinator.goto(submission_url)
    coordinator.click("[data-testid=accept]")
    coordinator.wait_for_selector(".alert-success")
    assert "Đã tiếp nhận báo cáo." in coordinator.locator(".alert-success").inner_text()
    screenshot(coordinator, "reports-accepted")

    # The report is made by the worker (docs/jobs.md): its page, then the file. The page's
    # timers stay still, so no poll reaches the (SQLite) test server while the worker writes.
    coordinator.clock.install()
    coordinator.goto(f"{coordinator.base_url}/reports/cycles/{cycle.pk}/")
    coordinator.click("text=Tạo báo cáo (Word)")
    coordinator.wait_for_url("**/jobs/*/")
    coordinator.clock.pause_at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert run_pending() == 1
    coordinator.reload()
    with coordinator.expect_download() as info:
        coordinator.get_by_test_id("job-result-file").click()
    data = open(info.value.path(), "rb").read()  # noqa: SIM115
    assert data[:2] == b"PK"
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "BÁO CÁO" in text
    # The job is in "Việc của tôi", reached from the user menu, with its file (the page's
    # timers run again: nothing polls there, and axe needs them).
    coordinator.clock.resume()
    href = coordinator.get_by_test_id("my-jobs-link").get_attribute("href")
    coordinator.goto(f"{coordinator.base_url}{href}")
    row = coordinator.locator("[data-testid=my-jobs] tbody tr").first
    assert "Tạo báo cáo tổng hợp năm" in row.inner_text()
    assert row.get_attribute("data-status") == "done"
    assert row.locator("[data-testid=my-job-result]").is_visible()
    assert axe_violations(coordinator) == [], describe_violations(axe_violations(coordinator))
    screenshot(coordinator, "my-jobs")
    assert reporter.errors == [] and coordinator.errors == []
