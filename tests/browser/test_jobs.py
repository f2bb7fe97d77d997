"""A long Excel import in a real browser: the upload leads to the job's page, whose progress
bar updates itself (htmx) until the worker has finished, then shows the result."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.jobs.models import Job
from antoan.jobs.worker import run_pending
from antoan.programme.tests.test_excel_import import COMMUNICATION_ROW
from tests.browser.helpers import login, screenshot


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_import_job_page_shows_progress_then_the_result(open_page, cast, plan64, tmp_path):
    page = open_page(width=360, height=780)
    login(page, "reporter1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/programme/toolkit/")
    with page.expect_download() as download:
        page.locator("a[href*='/templates/communication.xlsx']").first.click()
    wb = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    ws = wb["Hoạt động"]
    headers = {cell.value: cell.column for cell in ws[1] if cell.value}
    for number in range(2, 302):
        row = {**COMMUNICATION_ROW, "Tên hoạt động": f"Phát thanh số {number - 1}"}
        for header, value in row.items():
            ws.cell(row=number, column=headers[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    filled = tmp_path / "hoat-dong.xlsx"
    filled.write_bytes(out.getvalue())

    # The page's timers run only when the test says: no poll reaches the (SQLite) test server
    # while the worker writes.
    page.clock.install()
    page.goto(f"{page.base_url}/programme/toolkit/import/")
    assert "100000 dòng" in page.get_by_test_id("import-limits").inner_text()
    page.locator("input[type=file]").set_input_files(str(filled))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.wait_for_url("**/jobs/*/")
    page.clock.pause_at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    progress = page.get_by_test_id("job-progress")
    assert progress.get_attribute("data-status") == "queued"
    assert page.get_by_test_id("job-bar").is_visible()
    assert overflow(page) <= 0
    screenshot(page, "job-queued")

    page.clock.run_for(2_500)  # a poll: still waiting for the worker
    page.wait_for_timeout(500)
    assert progress.get_attribute("data-status") == "queued"

    assert run_pending() == 1  # the worker; the page is not reloaded by the test
    page.clock.run_for(2_500)  # the next poll brings the result
    page.wait_for_selector("[data-testid=job-progress][data-status=done]", timeout=15_000)
    done = page.get_by_test_id("job-done").inner_text()
    assert "Đã nhập 300 hoạt động" in done
    assert page.get_by_test_id("job-bar").get_attribute("value") == "100"
    assert overflow(page) <= 0
    screenshot(page, "job-done")
    assert Job.objects.get().status == "done"
    assert page.errors == []
