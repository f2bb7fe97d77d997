"""Building plans in the app: the next provincial plan from a copy of plan 64, and a commune's
local plan under it, from draft to approval, and what its activities count for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError

from antoan.programme import selectors
from antoan.programme.choices import PlanStatus
from antoan.programme.models import Assignment, BudgetLine, Plan, Task
from antoan.programme.services import plan_build as pb
from antoan.programme.tests.builders import make_reporter

# Messages are matched in the source language, whatever an earlier test left active.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

START, END = dt.date(2026, 1, 1), dt.date(2030, 12, 31)


@pytest.fixture
def next_plan(cast, plan64):
    return pb.plan_create(
        actor=cast["coordinator1"],
        copy_from=plan64,
        number="12/KH-UBND",
        title="Kế hoạch phòng ngừa và ứng phó với bạo lực trên cơ sở giới giai đoạn 2026-2030",
        period_start=START,
        period_end=END,
        issued_on=dt.date(2026, 1, 15),
    )


@pytest.fixture
def published(cast, next_plan):
    return pb.plan_publish(actor=cast["coordinator1"], plan=next_plan, version=next_plan.version)


@pytest.fixture
def local(cast, published):
    return pb.plan_create(
        actor=cast["reporter1"],
        parent=published,
        number="05/KH-UBND",
        title="Kế hoạch của phường Phố Hiến năm 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )


def adopt(actor, plan, code, **kw):
    provincial = plan.parent.tasks.get(code=code)
    plan.refresh_from_db()
    return pb.task_save(
        actor=actor, plan=plan, version=plan.version, title="", text="", carries=provincial, **kw
    )


def approve(cast, local):
    """Adopt II.2.a, add a local task under it, budget the year, submit, approve."""
    reporter, leader = cast["reporter1"], cast["leader1"]
    adopted = adopt(reporter, local, "II.2.a")
    local.refresh_from_db()
    sub = pb.task_save(
        actor=reporter,
        plan=local,
        version=local.version,
        title="Sinh hoạt câu lạc bộ gia đình hạnh phúc hằng quý",
        parent=adopted,
    )
    local.refresh_from_db()
    pb.plan_budget_set(
        actor=reporter,
        plan=local,
        version=local.version,
        total=30_000_000,
        lines={(2026, "commune_budget"): 20_000_000, (2026, "provincial_budget"): 10_000_000},
    )
    local.refresh_from_db()
    pb.plan_submit(actor=reporter, plan=local, version=local.version)
    local.refresh_from_db()
    pb.plan_publish(actor=leader, plan=local, version=local.version)
    local.refresh_from_db()
    return adopted, sub


def test_next_plan_is_a_draft_copy_of_the_previous_one(cast, plan64, next_plan):
    assert next_plan.status == PlanStatus.DRAFT
    assert next_plan.copied_from == plan64
    assert set(next_plan.tasks.values_list("code", flat=True)) == set(
        plan64.tasks.values_list("code", flat=True)
    )
    target = next_plan.objectives.get(code="I.2.a")
    assert (target.indicator_code, target.target_value, target.target_year) == ("GBV-01", 50, 2030)
    # Sở LĐTBXH was dissolved in 2025: its duties go to the agencies that took them over.
    assigned = set(
        Assignment.objects.filter(task__plan=next_plan, agency__isnull=False).values_list(
            "agency__code", flat=True
        )
    )
    assert "so-ldtbxh" not in assigned
    assert "so-noi-vu" in assigned
    assert next_plan.report_to.code != "so-ldtbxh"
    # Only its builders see a draft; activities cannot find it.
    assert next_plan not in selectors.plan_list(cast["reporter1"])
    assert next_plan in selectors.plan_list(cast["coordinator1"])
    assert selectors.plan_current(cast["coordinator1"], on=dt.date(2026, 6, 1)) == plan64


def test_publishing_makes_2026_recordable(cast, plan64, published, record):
    assert selectors.plan_current(cast["reporter1"], on=dt.date(2026, 6, 1)) == published
    activity = record(
        plan=published,
        tasks=[published.tasks.get(code="II.2.a")],
        start_date=dt.date(2026, 3, 8),
        end_date=dt.date(2026, 3, 8),
    )
    rows = {r.task.code: r for r in selectors.plan_task_rows(cast["manager1"], published)}
    assert rows["II.2.a"].activities == 1
    assert activity.plan == published


def test_only_the_coordinator_builds_the_provincial_plan(cast, plan64):
    with pytest.raises(PermissionDenied):
        pb.plan_create(
            actor=cast["reporter1"],
            copy_from=plan64,
            number="1/KH",
            title="x",
            period_start=START,
            period_end=END,
        )


def test_overlapping_published_plans_are_refused(cast, plan64, published):
    other = pb.plan_create(
        actor=cast["coordinator1"],
        copy_from=plan64,
        number="13/KH-UBND",
        title="Bản khác",
        period_start=dt.date(2028, 1, 1),
        period_end=dt.date(2032, 12, 31),
    )
    with pytest.raises(ValidationError, match="trùng với kế hoạch 12/KH-UBND"):
        pb.plan_publish(actor=cast["coordinator1"], plan=other, version=other.version)
    other.refresh_from_db()
    assert other.status == PlanStatus.DRAFT


def test_published_plan_no_longer_changes(cast, published):
    with pytest.raises(ValidationError, match="không còn là dự thảo"):
        pb.plan_update(
            actor=cast["coordinator1"],
            plan=published,
            version=published.version,
            number="99",
            title="x",
            issued_on=START,
            period_start=START,
            period_end=END,
        )


def test_stale_version_is_refused(cast, next_plan):
    version = next_plan.version
    pb.plan_update(
        actor=cast["coordinator1"],
        plan=next_plan,
        version=version,
        number="12/KH-UBND",
        title="Tên mới",
        issued_on=START,
        period_start=START,
        period_end=END,
    )
    with pytest.raises(ValidationError, match="Người khác vừa thay đổi"):
        pb.plan_update(
            actor=cast["coordinator1"],
            plan=next_plan,
            version=version,
            number="12/KH-UBND",
            title="Tên khác",
            issued_on=START,
            period_start=START,
            period_end=END,
        )
    next_plan.refresh_from_db()
    assert next_plan.title == "Tên mới"


def test_local_plan_from_draft_to_approval(cast, local):
    assert local.parent.number == "12/KH-UBND"
    assert local.issuing_agency.code == "ubnd-pho-hien"
    assert local.status == PlanStatus.DRAFT
    adopted, sub = approve(cast, local)
    assert local.status == PlanStatus.PUBLISHED
    assert adopted.code == "II.2.a" and sub.code == "II.2.a/1"
    assert sub.carries == adopted.carries
    assert local.budget_total == 30_000_000


def test_a_local_task_must_sit_under_a_provincial_task(cast, local):
    with pytest.raises(ValidationError) as exc:
        pb.task_save(actor=cast["reporter1"], plan=local, version=local.version, title="Tự đặt")
    assert "carries" in exc.value.message_dict
    assert not local.tasks.exists()


def test_a_local_plan_cannot_adopt_another_plans_task(cast, plan64, local):
    with pytest.raises(ValidationError) as exc:
        pb.task_save(
            actor=cast["reporter1"],
            plan=local,
            version=local.version,
            title="",
            carries=plan64.tasks.get(code="II.2.a"),
        )
    assert "carries" in exc.value.message_dict


def test_budget_that_does_not_add_up_is_refused(cast, local):
    with pytest.raises(ValidationError, match="không bằng tổng kinh phí"):
        pb.plan_budget_set(
            actor=cast["reporter1"],
            plan=local,
            version=local.version,
            total=30_000_000,
            lines={(2026, "commune_budget"): 20_000_000},
        )
    assert not BudgetLine.objects.filter(plan=local).exists()
    local.refresh_from_db()
    assert local.budget_total is None


def test_budget_outside_the_period_is_refused(cast, local):
    with pytest.raises(ValidationError, match="ngoài thời gian"):
        pb.plan_budget_set(
            actor=cast["reporter1"],
            plan=local,
            version=local.version,
            total=5,
            lines={(2027, "commune_budget"): 5},
        )


def test_another_commune_cannot_build_or_approve(cast, agencies, local):
    other = make_reporter("reporter_thd", agencies["ubnd-tran-hung-dao"])
    with pytest.raises(PermissionDenied):
        adopt(other, local, "II.2.a")
    adopt(cast["reporter1"], local, "II.2.a")
    local.refresh_from_db()
    pb.plan_budget_set(
        actor=cast["reporter1"],
        plan=local,
        version=local.version,
        total=1,
        lines={(2026, "commune_budget"): 1},
    )
    local.refresh_from_db()
    pb.plan_submit(actor=cast["reporter1"], plan=local, version=local.version)
    local.refresh_from_db()
    with pytest.raises(PermissionDenied):
        pb.plan_publish(actor=cast["coordinator1"], plan=local, version=local.version)
    with pytest.raises(PermissionDenied):
        pb.plan_publish(actor=cast["reporter1"], plan=local, version=local.version)


def test_leader_returns_with_a_reason(cast, local):
    adopt(cast["reporter1"], local, "II.2.a")
    local.refresh_from_db()
    pb.plan_budget_set(
        actor=cast["reporter1"], plan=local, version=local.version, total=0, lines={}
    )
    local.refresh_from_db()
    pb.plan_submit(actor=cast["reporter1"], plan=local, version=local.version)
    local.refresh_from_db()
    with pytest.raises(ValidationError):
        pb.plan_return(actor=cast["leader1"], plan=local, version=local.version, reason=" ")
    pb.plan_return(
        actor=cast["leader1"], plan=local, version=local.version, reason="Bổ sung kinh phí"
    )
    local.refresh_from_db()
    assert (local.status, local.return_reason) == (PlanStatus.DRAFT, "Bổ sung kinh phí")


def test_local_activity_counts_once_for_the_provincial_task(cast, published, local, record):
    adopted, sub = approve(cast, local)
    # One activity carrying both the adopted task and the local task under it.
    record(
        plan=local,
        tasks=[adopted, sub],
        start_date=dt.date(2026, 3, 8),
        end_date=dt.date(2026, 3, 8),
        participants_total=40,
    )
    rows = {r.task.code: r for r in selectors.plan_task_rows(cast["coordinator1"], published)}
    assert rows["II.2.a"].activities == 1
    assert rows["II.2.a"].people == 40
    assert rows["II.2.a"].communes == 1
    assert rows["II.2.a"].local_activities == 1
    # And once more up the tree, not twice.
    assert rows["II.2"].activities == 1
    assert rows["II"].communes == 1
    local_rows = {r.task.code: r for r in selectors.plan_task_rows(cast["reporter1"], local)}
    assert local_rows["II.2.a"].activities == 1
    assert local_rows["II.2.a/1"].activities == 1


def test_local_activity_must_be_the_communes_own(cast, agencies, published, local, record):
    adopted, _ = approve(cast, local)
    other = make_reporter("reporter_thd2", agencies["ubnd-tran-hung-dao"])
    with pytest.raises(ValidationError) as exc:
        record(
            other,
            plan=local,
            tasks=[adopted],
            agency="ubnd-tran-hung-dao",
            start_date=dt.date(2026, 3, 8),
            end_date=dt.date(2026, 3, 8),
        )
    assert "agency" in exc.value.message_dict


def test_no_activity_on_a_draft(cast, next_plan, record):
    with pytest.raises(ValidationError, match="chưa được ban hành"):
        record(
            "reporter1",
            plan=next_plan,
            tasks=[next_plan.tasks.get(code="II.2.a")],
            start_date=dt.date(2026, 3, 8),
            end_date=dt.date(2026, 3, 8),
        )


def test_coverage_lists_every_commune(cast, published, local, record, mini_places):
    rows = {
        r.commune.code: r for r in selectors.local_plan_coverage(cast["analyst1"], published, 2026)
    }
    assert set(rows) >= {"11953", "12452"}
    assert rows["11953"].has_plan and not rows["11953"].approved
    assert not rows["12452"].has_plan
    adopted, _ = approve(cast, local)
    rows = {
        r.commune.code: r for r in selectors.local_plan_coverage(cast["analyst1"], published, 2026)
    }
    assert rows["11953"].approved and rows["11953"].budget == 30_000_000
    assert not rows["11953"].reporting
    record(
        plan=local, tasks=[adopted], start_date=dt.date(2026, 3, 8), end_date=dt.date(2026, 3, 8)
    )
    rows = {
        r.commune.code: r for r in selectors.local_plan_coverage(cast["analyst1"], published, 2026)
    }
    assert rows["11953"].complete
    missing = {
        r.commune.code
        for r in selectors.communes_missing_local_plan(cast["analyst1"], published, 2026)
    }
    assert "11953" not in missing and "12452" in missing


def test_exported_plan_loads_back_the_same(cast, published, tmp_path: Path):
    from antoan.programme.loader import load_plan
    from antoan.programme.plan_file import plan_yaml

    text = plan_yaml(published)
    data = yaml.safe_load(text)
    assert data["plan"]["number"] == "12/KH-UBND"
    assert data["plan"]["period_start"] == START
    before = {
        (t.code, t.title, t.text, t.parent.code if t.parent else None)
        for t in published.tasks.select_related("parent")
    }
    before_assign = set(
        Assignment.objects.filter(task__plan=published).values_list(
            "task__code", "agency__code", "group", "role"
        )
    )
    # Loading the file elsewhere: here, under another code, gives the same tree.
    data["plan"]["code"] = "reloaded"
    path = tmp_path / "next.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    reloaded, _ = load_plan(path)
    after = {
        (t.code, t.title, t.text, t.parent.code if t.parent else None)
        for t in reloaded.tasks.select_related("parent")
    }
    assert after == before
    assert (
        set(
            Assignment.objects.filter(task__plan=reloaded).values_list(
                "task__code", "agency__code", "group", "role"
            )
        )
        == before_assign
    )
    assert Plan.objects.get(code="reloaded").objectives.count() == published.objectives.count()
    assert Task.objects.filter(plan=reloaded).count() == published.tasks.count()


def test_campaigns_expect_the_agencies_of_the_published_provincial_plan(cast, published, local):
    """A commune's draft local plan (created after the provincial plan) is not "the plan in
    force": the 2026 Action Month expects the agencies of IV.10 in the next plan."""
    from antoan.programme.selectors.campaigns import expected_agency_defaults, plan_in_force

    day = dt.date(2026, 11, 15)
    assert plan_in_force(day) == published
    expected = {a.code for a in expected_agency_defaults(day)}
    assert "so-noi-vu" in expected


def test_the_yearly_report_on_the_provincial_plan_freezes_the_local_plan(
    cast, agencies, published, local, record
):
    from antoan.reports.tests.helpers import submit_year

    adopted, _ = approve(cast, local)
    submit_year(cast["reporter1"], published, agencies["ubnd-pho-hien"], 2026)
    with pytest.raises(ValidationError, match="đã nộp"):
        record(
            plan=local,
            tasks=[adopted],
            start_date=dt.date(2026, 3, 8),
            end_date=dt.date(2026, 3, 8),
        )
    assert not local.activities.exists()
