# ruff: noqa: F811 - pytest fixtures imported from the helpers are redefined as parameters
"""Building plans over the API: the next provincial plan copied from plan 64, a commune's
local plan from draft to approval, an activity under it counted once for the provincial task,
the communes' coverage, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from antoan.api.tests.test_cases_helpers import fields_of, send
from antoan.api.tests.test_programme_helpers import (
    ACTIVITIES,
    activity_body,
    agency_id,
    reporter2,  # noqa: F401 - fixture
)
from antoan.programme.models import Activity, BudgetLine, Plan, Task

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/programme/plans"
TITLE = "Kế hoạch phòng ngừa và ứng phó với bạo lực trên cơ sở giới giai đoạn 2026-2030"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ok(response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.json()
    return response.json()


def version_of(client: Client, plan_id: int) -> int:
    return ok(client.get(f"{PLANS}/{plan_id}"))["version"]


def next_plan_body(plan64, **overrides: Any) -> dict[str, Any]:
    body = {
        "copy_from": plan64.pk,
        "number": "12/KH-UBND",
        "title": TITLE,
        "period_start": "2026-01-01",
        "period_end": "2030-12-31",
        "parent": None,
        "issued_on": "2026-01-15",
    }
    body.update(overrides)
    return body


def local_plan_body(parent_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "number": "05/KH-UBND",
        "title": "Kế hoạch của phường Phố Hiến năm 2026",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "parent": parent_id,
    }
    body.update(overrides)
    return body


@pytest.fixture
def coordinator(cast):
    return as_user(cast["coordinator1"])


@pytest.fixture
def reporter(cast):
    return as_user(cast["reporter1"])


@pytest.fixture
def leader(cast):
    return as_user(cast["leader1"])


@pytest.fixture
def published(coordinator, plan64) -> dict[str, Any]:
    """The 2026-2030 plan, copied from plan 64 and published by the coordinator."""
    draft = ok(send(coordinator, "post", PLANS, next_plan_body(plan64)), 201)
    return ok(
        send(coordinator, "post", f"{PLANS}/{draft['id']}/publish", {"version": draft["version"]})
    )


@pytest.fixture
def local(reporter, published) -> dict[str, Any]:
    """reporter1's draft local plan for 2026 under the published plan."""
    return ok(send(reporter, "post", PLANS, local_plan_body(published["id"])), 201)


def add_task(client: Client, plan_id: int, **body: Any):
    body["version"] = version_of(client, plan_id)
    return send(client, "post", f"{PLANS}/{plan_id}/tasks", body)


def set_budget(client: Client, plan_id: int, total: int, lines: list[dict[str, Any]]):
    body = {"version": version_of(client, plan_id), "total": total, "lines": lines}
    return send(client, "put", f"{PLANS}/{plan_id}/budget", body)


BUDGET = [
    {"year": 2026, "source": "commune_budget", "planned": 20_000_000},
    {"year": 2026, "source": "provincial_budget", "planned": 10_000_000},
]


def ready_and_submit(reporter: Client, plan_id: int) -> None:
    """Adopt II.2.a, add a local task under it, budget 2026 and submit."""
    ok(add_task(reporter, plan_id, carries="II.2.a"), 201)
    ok(
        add_task(
            reporter,
            plan_id,
            parent="II.2.a",
            title="Sinh hoạt câu lạc bộ gia đình hạnh phúc hằng quý",
        ),
        201,
    )
    ok(set_budget(reporter, plan_id, 30_000_000, BUDGET))
    version = version_of(reporter, plan_id)
    ok(send(reporter, "post", f"{PLANS}/{plan_id}/submit", {"version": version}))


def rows_by_code(client: Client, plan_id: int) -> dict[str, dict[str, Any]]:
    body = ok(client.get(f"{PLANS}/{plan_id}/tasks"))
    return {row["code"]: row for row in body["results"]}


# --- The whole way, through the API -------------------------------------------------------------


def test_from_a_copy_of_plan_64_to_a_local_activity_counted_once(
    cast, plan64, coordinator, reporter, leader, reporter2
):
    # The coordinator copies plan 64 into 2026-2030: a draft only its builders see.
    draft = ok(send(coordinator, "post", PLANS, next_plan_body(plan64)), 201)
    assert draft["status"] == "draft"
    assert draft["copied_from"] == plan64.pk and draft["parent"] is None
    assert draft["number"] == "12/KH-UBND" and draft["period_start"] == "2026-01-01"
    assert draft["editable"] is True and draft["approvable"] is True
    targets = {o["code"]: o for o in draft["objectives"]}
    assert targets["I.2.a"]["indicator"] == "GBV-01"
    assert targets["I.2.a"]["target"]["year"] == 2030  # "by the end of the plan" moved on
    assert set(rows_by_code(coordinator, draft["id"])) == set(
        plan64.tasks.values_list("code", flat=True)
    )
    assert reporter.get(f"{PLANS}/{draft['id']}").status_code == 404
    listed = ok(reporter.get(PLANS))["results"]
    assert draft["id"] not in [p["id"] for p in listed]

    published = ok(
        send(coordinator, "post", f"{PLANS}/{draft['id']}/publish", {"version": draft["version"]})
    )
    assert published["status"] == "published"
    assert published["version"] > draft["version"]
    assert published["editable"] is False
    assert ok(reporter.get(f"{PLANS}/{draft['id']}"))["status"] == "published"

    # reporter1 starts the commune's local plan under it; reporter2 does not see the draft.
    local = ok(send(reporter, "post", PLANS, local_plan_body(published["id"])), 201)
    assert local["status"] == "draft"
    assert local["parent"] == published["id"]
    assert local["issuing_agency"] == agency_id("ubnd-pho-hien")
    assert local["place"] == "11953"
    assert as_user(reporter2).get(f"{PLANS}/{local['id']}").status_code == 404

    adopted = ok(add_task(reporter, local["id"], carries="II.2.a"), 201)
    assert adopted["code"] == "II.2.a" and adopted["carries"] == "II.2.a"
    assert adopted["title"] == plan64.tasks.get(code="II.2.a").title
    sub = ok(
        add_task(
            reporter,
            local["id"],
            parent="II.2.a",
            title="Sinh hoạt câu lạc bộ gia đình hạnh phúc hằng quý",
        ),
        201,
    )
    assert (sub["code"], sub["parent"], sub["carries"]) == ("II.2.a/1", "II.2.a", "II.2.a")

    funded = ok(set_budget(reporter, local["id"], 30_000_000, BUDGET))
    assert funded["budget_total"] == 30_000_000
    assert funded["budget_lines"] == [
        {"year": 2026, "source": "commune_budget", "planned": 20_000_000},
        {"year": 2026, "source": "provincial_budget", "planned": 10_000_000},
    ]
    submitted = ok(
        send(reporter, "post", f"{PLANS}/{local['id']}/submit", {"version": funded["version"]})
    )
    assert submitted["status"] == "submitted"
    # The reporter does not approve their own plan; the commune's leader does.
    refused = send(
        reporter, "post", f"{PLANS}/{local['id']}/publish", {"version": submitted["version"]}
    )
    assert refused.status_code == 403
    assert ok(leader.get(f"{PLANS}/{local['id']}"))["approvable"] is True
    approved = ok(
        send(leader, "post", f"{PLANS}/{local['id']}/publish", {"version": submitted["version"]})
    )
    assert approved["status"] == "published"

    # An activity under the local task counts for the local plan and, once, for II.2.a.
    response = send(
        reporter,
        "post",
        ACTIVITIES,
        activity_body(
            plan=local["id"],
            tasks=["II.2.a/1"],
            start_date="2026-03-08",
            end_date="2026-03-08",
        ),
    )
    activity = ok(response, 201)
    assert activity["plan"] == local["id"] and activity["tasks"] == ["II.2.a/1"]

    provincial = rows_by_code(coordinator, published["id"])
    assert provincial["II.2.a"]["activities"] == 1
    assert provincial["II.2.a"]["communes"] == 1
    assert provincial["II.2.a"]["local_activities"] == 1
    assert provincial["II.2.a"]["local_people"] == 30
    assert provincial["II.2"]["activities"] == 1  # and once up the tree
    assert provincial["II.2.b"]["activities"] == 0
    assert provincial["II.2.a"]["carries"] is None
    own = rows_by_code(reporter, local["id"])
    assert own["II.2.a"]["activities"] == 1 and own["II.2.a/1"]["activities"] == 1

    # The local plans under the provincial plan, and the communes' coverage of 2026.
    under = ok(reporter.get(f"{PLANS}?parent={published['id']}"))["results"]
    assert [p["id"] for p in under] == [local["id"]]
    coverage = ok(coordinator.get(f"{PLANS}/{published['id']}/coverage?year=2026"))
    rows = {row["commune"]: row for row in coverage["results"]}
    assert rows["11953"]["plan"] == local["id"]
    assert rows["11953"]["plan_status"] == "published"
    assert rows["11953"]["agency"] == agency_id("ubnd-pho-hien")
    assert rows["11953"]["budget"] == 30_000_000
    assert rows["11953"]["activities"] == 1
    assert rows["11953"]["reporting"] and rows["11953"]["complete"]
    assert rows["12452"]["plan"] is None and not rows["12452"]["complete"]
    assert coverage["totals"]["communes"] == len(coverage["results"]) >= 2
    assert coverage["totals"]["with_plan"] == 1
    assert coverage["totals"]["approved"] == 1
    assert coverage["totals"]["with_budget"] == 1
    assert coverage["totals"]["reporting"] == 1


def test_list_filters_by_status(cast, plan64, coordinator):
    draft = ok(send(coordinator, "post", PLANS, next_plan_body(plan64)), 201)
    drafts = ok(coordinator.get(f"{PLANS}?status=draft"))["results"]
    assert [p["id"] for p in drafts] == [draft["id"]]
    published = ok(coordinator.get(f"{PLANS}?status=published"))["results"]
    assert plan64.pk in [p["id"] for p in published] and draft["id"] not in published
    assert fields_of(coordinator.get(f"{PLANS}?status=signed")).keys() == {"status"}


def test_a_leader_returns_a_plan_with_the_reason(cast, reporter, leader, local):
    ready_and_submit(reporter, local["id"])
    version = version_of(leader, local["id"])
    response = send(leader, "post", f"{PLANS}/{local['id']}/return", {"version": version})
    assert fields_of(response).keys() == {"reason"}
    returned = ok(
        send(
            leader,
            "post",
            f"{PLANS}/{local['id']}/return",
            {"version": version, "reason": "Bổ sung kinh phí năm 2026"},
        )
    )
    assert returned["status"] == "draft"
    assert returned["return_reason"] == "Bổ sung kinh phí năm 2026"
    assert ok(reporter.get(f"{PLANS}/{local['id']}"))["editable"] is True


def test_a_draft_header_changes_and_a_stale_version_is_refused(cast, plan64, coordinator):
    draft = ok(send(coordinator, "post", PLANS, next_plan_body(plan64)), 201)
    changed = ok(
        send(
            coordinator,
            "patch",
            f"{PLANS}/{draft['id']}",
            {"version": draft["version"], "title": "Kế hoạch giai đoạn 2026-2030 (dự thảo 2)"},
        )
    )
    assert changed["title"] == "Kế hoạch giai đoạn 2026-2030 (dự thảo 2)"
    assert changed["number"] == "12/KH-UBND"  # what was not sent stays
    assert changed["version"] > draft["version"]

    # The version loaded before that change is stale: 409, and nothing is overwritten.
    stale = send(
        coordinator,
        "patch",
        f"{PLANS}/{draft['id']}",
        {"version": draft["version"], "title": "Tên khác"},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert stale.json()["error"]["current_version"] == changed["version"]
    for path, body in (
        ("tasks", {"code": "II.9", "title": "Nhiệm vụ mới"}),
        ("objectives", {"code": "I.9", "text": "Mục tiêu mới"}),
        ("publish", {}),
    ):
        response = send(
            coordinator, "post", f"{PLANS}/{draft['id']}/{path}", {"version": 1, **body}
        )
        assert response.status_code == 409, path
    plan = Plan.objects.get(pk=draft["id"])
    assert plan.title == "Kế hoạch giai đoạn 2026-2030 (dự thảo 2)"
    assert plan.status == "draft" and not plan.tasks.filter(code="II.9").exists()

    missing = send(coordinator, "patch", f"{PLANS}/{draft['id']}", {"title": "x"})
    assert fields_of(missing).keys() == {"version"}


def test_a_published_plan_no_longer_changes(cast, plan64, coordinator):
    response = send(
        coordinator, "patch", f"{PLANS}/{plan64.pk}", {"version": plan64.version, "title": "x"}
    )
    assert response.status_code == 400
    assert "không còn là dự thảo" in " ".join(fields_of(response)["non_field_errors"])
    plan64.refresh_from_db()
    assert plan64.title != "x"


def test_provincial_draft_tasks_and_targets(cast, plan64, coordinator):
    draft = ok(send(coordinator, "post", PLANS, next_plan_body(plan64)), 201)
    task = ok(
        add_task(
            coordinator, draft["id"], code="II.3.d", parent="II.3", title="Tập huấn trực tuyến"
        ),
        201,
    )
    assert (task["code"], task["parent"], task["depth"]) == ("II.3.d", "II.3", 2)
    assert task["activities"] == 0 and task["carries"] is None
    taken = add_task(coordinator, draft["id"], code="II.3.d", title="Lần nữa")
    assert fields_of(taken).keys() == {"code"}
    adopting = add_task(coordinator, draft["id"], carries="II.2.a", code="II.3.e", title="x")
    assert fields_of(adopting).keys() == {"carries"}  # only a local plan adopts tasks

    target = {"value": 60, "comparison": ">=", "unit": "%", "year": 2028}
    body = {"version": version_of(coordinator, draft["id"]), "code": "I.2.e", "text": "Tỷ lệ"}
    objective = ok(
        send(
            coordinator,
            "post",
            f"{PLANS}/{draft['id']}/objectives",
            {**body, "indicator": "GBV-02", "target": target},
        ),
        201,
    )
    assert objective["code"] == "I.2.e" and objective["indicator"] == "GBV-02"
    assert objective["target"] == {"value": 60.0, "comparison": ">=", "unit": "%", "year": 2028}
    late = send(
        coordinator,
        "post",
        f"{PLANS}/{draft['id']}/objectives",
        {
            **body,
            "version": version_of(coordinator, draft["id"]),
            "code": "I.2.f",
            "target": {"year": 2035},
        },
    )
    assert fields_of(late).keys() == {"target.year"}

    # Removing a task removes what is under it; the version goes in the query string.
    version = version_of(coordinator, draft["id"])
    response = coordinator.delete(f"{PLANS}/{draft['id']}/tasks/{task['id']}?version={version}")
    assert response.status_code == 204
    assert not Task.objects.filter(pk=task["id"]).exists()
    section = Task.objects.get(plan_id=draft["id"], code="II.3")
    gone = coordinator.delete(f"{PLANS}/{draft['id']}/tasks/{section.pk}")
    assert fields_of(gone).keys() == {"version"}
    stale = coordinator.delete(f"{PLANS}/{draft['id']}/tasks/{section.pk}?version={version}")
    assert stale.status_code == 409
    assert Task.objects.filter(plan_id=draft["id"], code="II.3.a").exists()
    # A task of another plan is not found under this one.
    other = plan64.tasks.get(code="II.3")
    version = version_of(coordinator, draft["id"])
    wrong = coordinator.delete(f"{PLANS}/{draft['id']}/tasks/{other.pk}?version={version}")
    assert wrong.status_code == 404


# --- Refusals -----------------------------------------------------------------------------------


def test_a_local_task_needs_a_provincial_task(cast, reporter, local):
    before = Task.objects.count()
    response = add_task(reporter, local["id"], title="Tự đặt nhiệm vụ")
    assert fields_of(response).keys() == {"carries"}
    assert "nhiệm vụ của kế hoạch tỉnh" in fields_of(response)["carries"][0]
    unknown = add_task(reporter, local["id"], carries="IX.9")
    assert fields_of(unknown).keys() == {"carries"}
    under_nothing = add_task(reporter, local["id"], parent="II.2.a", title="Dưới mục chưa nhận")
    assert fields_of(under_nothing).keys() == {"parent"}
    assert Task.objects.count() == before


def test_a_budget_that_does_not_add_up_is_refused(cast, reporter, local):
    response = set_budget(reporter, local["id"], 30_000_000, BUDGET[:1])
    messages = " ".join(fields_of(response)["lines"])
    assert "20.000.000" in messages and "30.000.000" in messages  # both sums named
    twice = set_budget(reporter, local["id"], 40_000_000, [BUDGET[0], BUDGET[0]])
    assert fields_of(twice).keys() == {"lines"}
    outside = set_budget(
        reporter, local["id"], 5, [{"year": 2027, "source": "commune_budget", "planned": 5}]
    )
    assert fields_of(outside).keys() == {"lines"}
    assert not BudgetLine.objects.filter(plan_id=local["id"]).exists()
    assert Plan.objects.get(pk=local["id"]).budget_total is None


def test_another_communes_reporter_cannot_build_or_approve(
    cast, reporter, leader, local, reporter2
):
    other = as_user(reporter2)
    # A draft of another commune: not found, whatever is asked of it.
    assert add_task(reporter, local["id"], carries="II.2.a").status_code == 201
    version = version_of(reporter, local["id"])
    for path in ("tasks", "submit", "objectives"):
        body = {"version": version, **({"carries": "II.2.b"} if path == "tasks" else {})}
        response = send(other, "post", f"{PLANS}/{local['id']}/{path}", body)
        assert response.status_code == 404, path
    assert send(other, "put", f"{PLANS}/{local['id']}/budget", {}).status_code == 404
    # Once approved, the plan is public to the programme, but only its commune builds.
    ok(set_budget(reporter, local["id"], 30_000_000, BUDGET))
    version = version_of(reporter, local["id"])
    ok(send(reporter, "post", f"{PLANS}/{local['id']}/submit", {"version": version}))
    version = version_of(leader, local["id"])
    ok(send(leader, "post", f"{PLANS}/{local['id']}/publish", {"version": version}))
    assert ok(other.get(f"{PLANS}/{local['id']}"))["editable"] is False
    response = send(other, "post", f"{PLANS}/{local['id']}/tasks", {"version": version})
    assert response.status_code == 403
    # reporter2 starts no plan for reporter1's commune.
    plan = Plan.objects.get(pk=local["id"])
    body = local_plan_body(plan.parent_id, agency=agency_id("ubnd-pho-hien"))
    assert send(other, "post", PLANS, body).status_code == 403


def test_who_may_not_build_plans(cast, plan64, published):
    analyst = as_user(cast["analyst1"])
    hotline = as_user(cast["hotline1"])
    before = Plan.objects.count()
    assert send(analyst, "post", PLANS, next_plan_body(plan64)).status_code == 403
    assert send(hotline, "post", PLANS, next_plan_body(plan64)).status_code == 403
    # Outside the programme a plan id is not found; inside it, a published plan is read-only.
    task = {"version": published["version"], "code": "II.9", "title": "x"}
    assert send(hotline, "post", f"{PLANS}/{published['id']}/tasks", task).status_code == 404
    assert hotline.get(f"{PLANS}/{published['id']}").status_code == 404
    assert send(analyst, "post", f"{PLANS}/{published['id']}/tasks", task).status_code == 403
    # A reporter builds no provincial plan.
    reporter = as_user(cast["reporter1"])
    assert send(reporter, "post", PLANS, next_plan_body(plan64)).status_code == 403
    assert Plan.objects.count() == before


def test_bad_references_name_their_field(cast, plan64, coordinator, reporter, published):
    response = send(coordinator, "post", PLANS, next_plan_body(plan64, copy_from=987654))
    assert fields_of(response).keys() == {"copy_from"}
    response = send(coordinator, "post", PLANS, next_plan_body(plan64, copy_from=None))
    assert fields_of(response).keys() == {"copy_from"}
    response = send(reporter, "post", PLANS, local_plan_body(987654))
    assert fields_of(response).keys() == {"parent"}
    # A local plan's period lies inside its parent's.
    response = send(
        reporter, "post", PLANS, local_plan_body(published["id"], period_end="2031-12-31")
    )
    assert fields_of(response).keys() == {"period_end"}
    response = send(reporter, "post", PLANS, {**local_plan_body(published["id"]), "extra": 1})
    assert fields_of(response).keys() == {"extra"}
    assert not Plan.objects.filter(parent_id=published["id"]).exists()
    response = coordinator.get(f"{PLANS}/{published['id']}/coverage?year=2035")
    assert fields_of(response).keys() == {"year"}


def test_no_activity_under_a_draft_local_plan(cast, reporter, local):
    ok(add_task(reporter, local["id"], carries="II.2.a"), 201)
    response = send(
        reporter,
        "post",
        ACTIVITIES,
        activity_body(
            plan=local["id"], tasks=["II.2.a"], start_date="2026-03-08", end_date="2026-03-08"
        ),
    )
    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_coverage_names_a_draft_only_to_those_who_may_open_it(cast, plan64, client_for):
    """An analyst learns that Phố Hiến has a draft local plan, not its id: the draft answers
    404 to them anyway. reporter1, who builds it, gets the id."""
    import datetime as dt

    from antoan.programme.services import plan_build as pb

    published = pb.plan_create(
        actor=cast["coordinator1"],
        copy_from=plan64,
        number="12/KH-UBND",
        title="Giai đoạn 2026-2030",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )
    published = pb.plan_publish(actor=cast["coordinator1"], plan=published, version=1)
    draft = pb.plan_create(
        actor=cast["reporter1"],
        parent=published,
        number="05/KH-UBND",
        title="Năm 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    url = f"/api/v1/programme/plans/{published.pk}/coverage?year=2026"
    for username, shown in (("analyst1", None), ("reporter1", draft.pk)):
        rows = {r["commune"]: r for r in client_for(cast[username]).get(url).json()["results"]}
        assert rows["11953"]["plan_status"] == "draft"
        assert rows["11953"]["plan"] == shown
