"""The plan page and a task's page: who may open them, what they show, the coordinator's
status with its conflict on a stale version."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

CAST = [
    "hotline1",
    "worker1",
    "supervisor1",
    "worker2",
    "health1",
    "police1",
    "reporter1",
    "leader1",
    "coordinator1",
    "analyst1",
    "manager1",
    "auditor1",
    "admin1",
]
PROGRAMME = {"reporter1", "coordinator1", "analyst1", "manager1", "leader1"}
RECORDS_ACTIVITIES = {"reporter1", "coordinator1"}


def pages(plan, task) -> dict[str, set[str]]:
    return {
        f"/programme/plans/{plan.pk}/": PROGRAMME,
        f"/programme/plans/{plan.pk}/tasks/{task.pk}/": PROGRAMME,
        "/programme/models/": PROGRAMME,
        "/programme/influencers/": PROGRAMME,
        "/programme/budget/": PROGRAMME,
        "/reports/": PROGRAMME,
        "/programme/activities/": RECORDS_ACTIVITIES,
        "/programme/activities/new/": {"reporter1"},
        "/programme/models/new/": RECORDS_ACTIVITIES,
        "/programme/influencers/new/": RECORDS_ACTIVITIES,
    }


@pytest.mark.parametrize("who", CAST)
def test_who_may_open_the_programme_pages(cast, client_for, plan64, tasks, who):
    client = client_for(cast[who])
    for url, allowed in pages(plan64, tasks["II.3.a"]).items():
        status = client.get(url).status_code
        assert status == (200 if who in allowed else 403), (url, who, status)


def test_programme_home_opens_the_current_plan(cast, client_for, plan64):
    response = client_for(cast["analyst1"]).get("/programme/")
    assert response.status_code == 302
    assert response["Location"] == f"/programme/plans/{plan64.pk}/"


def test_menu_shows_plan_and_activities_to_those_who_use_them(cast, client_for, plan64):
    reporter = client_for(cast["reporter1"]).get(f"/programme/plans/{plan64.pk}/")
    nav = reporter.content.decode().split("</nav>")[0]
    assert 'href="/programme/"' in nav and 'href="/programme/activities/"' in nav
    # On the plan page only "Kế hoạch" is current, not "Hoạt động" too.
    assert nav.count('aria-current="page"') == 1
    analyst = client_for(cast["analyst1"]).get(f"/programme/plans/{plan64.pk}/")
    nav = analyst.content.decode().split("</nav>")[0]
    assert 'href="/programme/"' in nav and "/programme/activities/" not in nav
    worker = client_for(cast["worker1"]).get("/").content.decode().split("</nav>")[0]
    assert "/programme/" not in worker


def test_plan_page_shows_header_objectives_and_task_tree(
    cast, client_for, plan64, record, vietnamese, django_assert_max_num_queries
):
    for i in range(10):  # the number of queries must not grow with the activities
        record(cast["reporter1"], title=f"Buổi {i}", spending={"donor": 1_000_000})
    client = client_for(cast["manager1"])
    # 17: one of them is the menu's count of unread notifications (docs/home.md).
    with django_assert_max_num_queries(17):
        page = client.get(f"/programme/plans/{plan64.pk}/").content.decode()
    assert "64/KH-UBND" in page
    assert "05/05/2021" in page and "01/01/2021 – 31/12/2025" in page
    assert "trước ngày 10/12 hằng năm" in page
    assert "GBV-01" in page and "≥ 50 %" in page
    codes = re.findall(r'data-testid="task-row" data-code="([^"]+)"', page)
    assert codes.index("II") < codes.index("II.3.a") < codes.index("IV.12-5")
    assert len(codes) == plan64.tasks.count()
    # The labour department was merged away in 2025: its successor is named.
    row = page.split('data-code="II.1.a"')[1].split('data-testid="task-row"')[0]
    assert "Chủ trì" in row and "Sở Lao động - Thương binh và Xã hội tỉnh (cũ)" in row
    assert "nay: Sở Nội vụ tỉnh" in row


def test_plan_page_counts_activities_people_and_money_under_each_task(
    cast, client_for, plan64, record, vietnamese
):
    record(
        cast["reporter1"],
        tasks=["II.3.a"],
        kind="training",
        details={"topic": "general"},
        participants_total=30,
        participants_female=20,
        participants_male=10,
        spending={"commune_budget": 15_000_000},
    )
    page = client_for(cast["analyst1"]).get(f"/programme/plans/{plan64.pk}/").content.decode()

    def row(code: str) -> str:
        return page.split(f'data-code="{code}"')[1].split('data-testid="task-row"')[0]

    for code in ("II.3.a", "II.3", "II"):
        assert "1 hoạt động" in row(code), code
        assert "30 người (nữ 20)" in row(code)
        assert "15.000.000\u00a0đ" in row(code)
    assert "Chưa có hoạt động" in row("II.2.a")
    # The year filter: nothing in 2024.
    page = client_for(cast["analyst1"]).get(f"/programme/plans/{plan64.pk}/?year=2024")
    assert "1 hoạt động" not in page.content.decode().split('data-code="II.3.a"')[1][:2000]


def test_task_page_lists_activities_for_their_agency_only(
    cast, client_for, plan64, tasks, activity_a, activity_b, vietnamese
):
    url = f"/programme/plans/{plan64.pk}/tasks/{tasks['II.2.a'].pk}/"
    reporter = client_for(cast["reporter1"]).get(url).content.decode()
    assert activity_a.title in reporter and activity_b.title not in reporter
    assert 'data-testid="task-activities">2<' in reporter  # totals count every agency
    coordinator = client_for(cast["coordinator1"]).get(url).content.decode()
    assert activity_a.title in coordinator and activity_b.title in coordinator
    analyst = client_for(cast["analyst1"]).get(url).content.decode()
    assert activity_a.title not in analyst and activity_b.title not in analyst
    assert 'data-testid="totals-only"' in analyst
    assert 'data-testid="task-activities">2<' in analyst


def test_task_of_another_plan_or_missing_is_404(cast, client_for, plan64, tasks):
    client = client_for(cast["coordinator1"])
    assert client.get(f"/programme/plans/{plan64.pk}/tasks/999999/").status_code == 404
    assert client.get(f"/programme/plans/999999/tasks/{tasks['II'].pk}/").status_code == 404


def test_coordinator_sets_a_status_with_comment(cast, client_for, plan64, tasks, vietnamese):
    task = tasks["II.3.a"]
    url = f"/programme/plans/{plan64.pk}/tasks/{task.pk}/"
    client = client_for(cast["coordinator1"])
    response = client.post(
        url, {"status": "at_risk", "comment": "Chưa mở lớp nào năm 2025", "version": task.version}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "at_risk" and task.status_comment == "Chưa mở lớp nào năm 2025"
    page = client.get(url).content.decode()
    assert "Có nguy cơ không đạt" in page and "Chưa mở lớp nào năm 2025" in page
    plan_page = client.get(f"/programme/plans/{plan64.pk}/").content.decode()
    assert "Chưa mở lớp nào năm 2025" in plan_page


def test_status_on_a_stale_version_is_refused_and_keeps_the_comment(
    cast, client_for, plan64, tasks, vietnamese
):
    task = tasks["II.3.a"]
    url = f"/programme/plans/{plan64.pk}/tasks/{task.pk}/"
    client = client_for(cast["coordinator1"])
    loaded = task.version
    client.post(url, {"status": "in_progress", "comment": "", "version": loaded})
    response = client.post(url, {"status": "done", "comment": "Đã mở 3 lớp", "version": loaded})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="conflict"' in page and "Đã mở 3 lớp" in page
    task.refresh_from_db()
    assert task.status == "in_progress"
    assert f'name="version" value="{task.version}"' in page  # a second save goes through


def test_done_without_a_comment_is_refused(cast, client_for, plan64, tasks, vietnamese):
    task = tasks["II.3.a"]
    url = f"/programme/plans/{plan64.pk}/tasks/{task.pk}/"
    response = client_for(cast["coordinator1"]).post(
        url, {"status": "done", "comment": "", "version": task.version}
    )
    assert response.status_code == 400
    assert "Hãy ghi nhận xét" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "not_started"


@pytest.mark.parametrize("who", ["reporter1", "analyst1", "manager1"])
def test_only_the_coordinator_sets_a_status(cast, client_for, plan64, tasks, who):
    task = tasks["II.3.a"]
    url = f"/programme/plans/{plan64.pk}/tasks/{task.pk}/"
    client = client_for(cast[who])
    assert 'data-testid="task-status-form"' not in client.get(url).content.decode()
    response = client.post(url, {"status": "done", "comment": "x", "version": task.version})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == "not_started"
