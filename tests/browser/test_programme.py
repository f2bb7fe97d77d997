"""Programme monitoring in a real browser: reporter1 logs a training course with 30 trainees
pasted from Excel and finds it counted under task II.3.a of plan 64; the pages fit a phone."""

from __future__ import annotations

import re

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.programme.demo import build_demo_programme
from tests.browser.helpers import login, screenshot

TRAINEES = "\n".join(
    [f"Nguyễn Thị Học Viên {i}\tNữ\tCán bộ tổ dân phố\tUBND phường Phố Hiến" for i in range(20)]
    + [f"Trần Văn Học Viên {i}\tNam\tCông an khu vực\tCông an phường Phố Hiến" for i in range(10)]
)


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_reporter_logs_a_training_and_sees_it_under_its_task(page, cast, plan64):
    login(page, "reporter1", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/programme/activities/new/?kind=training&task=II.3.a")
    page.wait_for_selector("[data-testid=activity-form]")
    # The task asked for in the link is ticked and named.
    assert page.locator("input[name=tasks][data-code='II.3.a']").is_checked()
    assert "II.3.a" in page.locator("[data-task-summary]").inner_text()
    page.fill("[name=title]", "Tập huấn kỹ năng phòng, chống bạo lực trên cơ sở giới")
    page.fill("[name=start_date]", "10/11/2025")
    page.fill("[name=end_date]", "11/11/2025")
    page.fill("[name=commune]", "pho hien")
    page.select_option("[name=topic]", "general")
    page.fill("[name=trainees]", TRAINEES)
    assert page.locator("[data-trainee-count]").inner_text() == (
        "30 học viên: 20 nữ, 10 nam, 0 khác"
    )
    page.fill("[name=spend_commune_budget]", "12.500.000")
    screenshot(page, "programme-activity-form")
    page.click("[data-testid=activity-submit]")
    page.wait_for_url(re.compile(r"/programme/activities/\d+/$"))
    assert "Đã ghi nhận hoạt động" in page.locator(".alert-success").inner_text()
    participants = page.locator("[data-testid=participants]").inner_text()
    assert participants.startswith("30 người: nữ 20, nam 10")
    assert page.locator("[data-testid=trainee-table] tbody tr").count() == 30
    screenshot(page, "programme-activity")
    activity_url = page.url

    # The plan page counts it under II.3.a (and the sections above it).
    page.goto(f"{page.base_url}/programme/")
    page.wait_for_url(re.compile(rf"/programme/plans/{plan64.pk}/$"))
    row = page.locator("[data-testid=task-row][data-code='II.3.a']")
    assert not row.is_visible()  # folded under II and II.3 until asked for
    page.click("[data-group='II'] > summary")
    page.click("[data-group='II.3'] > summary")
    assert row.is_visible()
    assert row.locator("[data-testid=task-activities]").inner_text() == "1 hoạt động"
    assert row.locator("[data-testid=task-people]").inner_text() == "30 người (nữ 20)"
    assert row.locator("[data-testid=task-spent]").inner_text() == "12.500.000\u00a0đ"
    screenshot(page, "programme-plan")

    # And the task's page lists it.
    row.locator("a.task-title").click()
    page.wait_for_selector("[data-testid=task-activity-list]")
    listed = page.locator("[data-testid=task-activity-list] a")
    assert listed.count() == 1
    assert page.base_url + listed.first.get_attribute("href") == activity_url
    assert page.locator("[data-testid=task-people]").inner_text() == "30"
    screenshot(page, "programme-task")
    assert page.errors == []


def test_programme_pages_fit_a_360px_phone(open_page, cast, plan64):
    build_demo_programme(password=DEMO_PASSWORD)
    page = open_page(width=360, height=740)
    login(page, "coordinator1", DEMO_PASSWORD)
    for path, name in [
        (f"/programme/plans/{plan64.pk}/", "programme-plan-phone"),
        ("/programme/activities/", "programme-activities-phone"),
        ("/programme/budget/", "programme-budget-phone"),
        ("/programme/reports/", "programme-reports-phone"),
        ("/programme/models/", "programme-models-phone"),
    ]:
        page.goto(page.base_url + path)
        page.wait_for_selector("h1")
        assert overflow(page) <= 0, f"{path} is {overflow(page)}px wider than the phone"
        screenshot(page, name)
    # An activity with its flag, trainees and spending.
    page.goto(f"{page.base_url}/programme/activities/?kind=training")
    page.click("[data-testid=activity-row] a")
    page.wait_for_selector("[data-testid=activity-header]")
    assert overflow(page) <= 0
    screenshot(page, "programme-activity-phone")
    assert page.errors == []

    reporter = open_page(width=360, height=740)
    login(reporter, "reporter1", DEMO_PASSWORD)
    reporter.goto(f"{reporter.base_url}/programme/activities/new/?kind=training&task=II.3.a")
    reporter.wait_for_selector("[data-testid=activity-form]")
    assert overflow(reporter) <= 0
    screenshot(reporter, "programme-activity-form-phone")
    assert reporter.errors == []


def test_coordinator_assesses_a_task_and_reads_the_budget(page, cast, plan64):
    build_demo_programme(password=DEMO_PASSWORD)
    login(page, "coordinator1", DEMO_PASSWORD)
    task = plan64.tasks.get(code="II.3.b")
    page.goto(f"{page.base_url}/programme/plans/{plan64.pk}/tasks/{task.pk}/")
    page.select_option("[name=status]", "at_risk")
    page.fill("[name=comment]", "Chưa có hội nghị nào trong năm 2025.")
    screenshot(page, "programme-task-status")
    page.click("[data-testid=task-status-form] button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert page.locator("[data-testid=task-header] [data-testid=task-status]").inner_text() == (
        "Có nguy cơ không đạt"
    )
    # Back to the plan by the breadcrumb: the task's row is opened and shows the comment.
    page.click(f".breadcrumb a[href^='/programme/plans/{plan64.pk}/?q=']")
    row = page.locator("[data-testid=task-row][data-code='II.3.b']")
    assert row.is_visible()
    assert "Chưa có hội nghị nào trong năm 2025." in row.inner_text()

    page.goto(f"{page.base_url}/programme/budget/?plan={plan64.pk}&year=2025")
    rates = page.locator("[data-testid=budget-by-agency] tbody tr")
    assert rates.count() == 3
    screenshot(page, "programme-budget")
    page.goto(f"{page.base_url}/programme/influencers/")
    screenshot(page, "programme-influencers")
    page.goto(f"{page.base_url}/programme/activities/?kind=inspection")
    page.click("[data-testid=activity-row] a")
    page.wait_for_selector("[data-testid=recommendation]")
    screenshot(page, "programme-inspection")
    assert page.errors == []


def test_plan_page_is_short_until_its_groups_are_opened(open_page, cast, plan64):
    """63 tasks once made an 8,000 px page; folded, it fits in about a screen at 1366 px."""
    page = open_page(width=1366, height=800)
    login(page, "coordinator1", DEMO_PASSWORD)
    url = f"{page.base_url}/programme/plans/{plan64.pk}/"
    page.goto(url)
    folded = page.evaluate("document.documentElement.scrollHeight")
    assert folded < 1600, folded
    screenshot(page, "programme-plan-folded")
    page.goto(url + "?open=all")
    assert page.evaluate("document.documentElement.scrollHeight") > folded + 2000
    # A link to a task's row opens the groups that hold it.
    task = plan64.tasks.get(code="II.4.a-3")
    page.goto(f"{url}#task-{task.pk}")
    page.wait_for_load_state("load")
    assert page.locator(f"#task-{task.pk}").is_visible()
    assert page.locator("[data-testid=task-row][data-code='IV.12-3']").is_hidden()
    assert page.errors == []
