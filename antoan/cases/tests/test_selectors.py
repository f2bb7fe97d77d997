"""Reading cases: who reaches a case, what it costs to show one, and the task list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from antoan.cases import services
from antoan.cases.models import Case
from antoan.cases.selectors import case_detail, case_get_for_user, cases_for_user, tasks_for_user
from antoan.cases.tests.conftest import MISSING_REASON, VN, close_case, fresh, full_checklist
from antoan.core.models import AuditEvent


@pytest.fixture
def case(cast, open_case):
    return open_case(cast["worker1"])


# --- Who reaches a case ---------------------------------------------------------------------


@pytest.mark.parametrize("username", ["worker1", "supervisor1"])
def test_the_assigned_worker_and_the_agencys_supervisor_reach_the_case(case, cast, username):
    assert case_get_for_user(cast[username], case.pk) == case
    assert case_get_for_user(cast[username], str(case.pk)) == case


@pytest.mark.parametrize(
    "username",
    [
        "worker2",
        "hotline1",
        "health1",
        "police1",
        "reporter1",  # in agency A, but not a case role
        "coordinator1",
        "analyst1",
        "manager1",
        "auditor1",
        "admin1",
    ],
)
def test_everyone_else_gets_not_found(case, cast, username):
    with pytest.raises(Http404):
        case_get_for_user(cast[username], case.pk)
    assert not cases_for_user(cast[username]).exists()


def test_a_worker_does_not_reach_a_colleagues_case(cast, open_case):
    theirs = open_case(cast["supervisor1"])
    with pytest.raises(Http404):
        case_get_for_user(cast["worker1"], theirs.pk)


@pytest.mark.parametrize("case_id", [10**9, "abc", None, "1 OR 1=1", "", -1])
def test_a_missing_or_malformed_id_is_not_found_too(case, cast, case_id):
    with pytest.raises(Http404):
        case_get_for_user(cast["supervisor1"], case_id)


def test_a_worker_whose_membership_ended_reaches_nothing(case, cast):
    from antoan.accounts.models import Membership
    from antoan.core.permissions import forget_memberships

    worker = cast["worker1"]
    Membership.objects.filter(user=worker).update(valid_to=timezone.localdate() - dt.timedelta(1))
    forget_memberships(worker)
    with pytest.raises(Http404):
        case_get_for_user(worker, case.pk)


def test_reaching_a_case_is_audited_as_a_view(case, cast):
    request = RequestFactory().get(f"/cases/{case.pk}/")
    request.user = cast["supervisor1"]
    before = AuditEvent.objects.count()
    case_get_for_user(cast["supervisor1"], case.pk, request=request)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_type, event.object_id, event.place_code) == (
        "view",
        "case",
        str(case.pk),
        "11953",
    )
    assert event.user == cast["supervisor1"]


def test_a_refused_lookup_and_an_unaudited_one_write_nothing(case, cast):
    before = AuditEvent.objects.count()
    with pytest.raises(Http404):
        case_get_for_user(cast["worker2"], case.pk)
    case_get_for_user(cast["worker1"], case.pk, audit=False)
    assert AuditEvent.objects.count() == before


# --- The case page costs the same however long the case has run -----------------------------


def grow(case, worker, agencies, clock, *, follow_ups):
    """Add follow-ups (and some of everything else) to a case, as months of work would."""
    for _ in range(follow_ups):
        services.follow_up_add(
            case=fresh(case), actor=worker, done_on=clock.today(), method="phone", notes="Ổn"
        )
        services.note_add(case=fresh(case), actor=worker, body="Ghi chú")
    services.case_plan_add(
        case=fresh(case),
        actor=worker,
        goals="An toàn",
        items=[services.PlanItemInput("legal", agencies["a"], clock.today())] * 3,
    )
    services.assessment_add(case=fresh(case), actor=worker, needs=["legal"], answers={})
    services.consent_record(
        case=fresh(case),
        actor=worker,
        consent=services.ConsentInput(True, True, sharing_agencies=[agencies["b"]]),
    )


def queries_to_show(case) -> tuple[int, dict]:
    case = Case.objects.get(pk=case.pk)
    with CaptureQueriesContext(connection) as queries:
        detail = case_detail(case)
        # Touch what the page shows, related rows included.
        for incident in detail["incidents"]:
            _ = [p.details for p in incident.perpetrators.all()], incident.commune
        for plan in detail["case_plans"]:
            _ = [item.responsible_agency.name for item in plan.items.all()]
        for consent in detail["consents"]:
            _ = [a.name for a in consent.agencies.all()], consent.recorded_by.username
        _ = [f.created_by.username for f in detail["follow_ups"]]
        _ = [n.created_by.username for n in detail["notes"]]
        _ = [e.actor.username for e in detail["events"]]
        _ = [a.assessed_by.username for a in detail["assessments"]]
    return len(queries), detail


def test_the_case_detail_costs_the_same_with_10_or_100_follow_ups(cast, open_case, agencies, clock):
    worker = cast["worker1"]
    small = open_case(worker, full_name="Người Một")
    large = open_case(worker, full_name="Người Hai")
    grow(small, worker, agencies, clock, follow_ups=10)
    grow(large, worker, agencies, clock, follow_ups=100)

    small_queries, small_detail = queries_to_show(small)
    large_queries, large_detail = queries_to_show(large)

    assert len(small_detail["follow_ups"]) == 10
    assert len(large_detail["follow_ups"]) == 100
    assert len(large_detail["notes"]) == 100
    assert large_queries == small_queries
    # One query per list shown (and per prefetched relation), none per row; the 15th lists the
    # agencies a provincial reviewer put this case in touch with.
    assert small_queries <= 15


# --- Tasks ----------------------------------------------------------------------------------


def kinds(user, clock, **kwargs) -> dict[str, list]:
    found: dict[str, list] = {}
    for task in tasks_for_user(user, now=clock.now(), **kwargs):
        found.setdefault(task.kind, []).append(task)
    return found


def test_a_new_case_is_due_for_assessment_in_3_days_and_a_plan_in_7(case, cast, clock):
    tasks = tasks_for_user(cast["worker1"], now=clock.now())
    assert [(t.kind, t.case, t.due) for t in tasks] == [
        ("assessment", case, clock.now() + dt.timedelta(days=3)),
        ("case_plan", case, clock.now() + dt.timedelta(days=7)),
    ]
    assert [t.countdown.label() for t in tasks] == ["còn 3 ngày", "còn 7 ngày"]
    assert not any(t.countdown.overdue for t in tasks)


def test_tasks_go_overdue_and_disappear_once_done(case, cast, agencies, clock):
    worker = cast["worker1"]
    clock.advance(days=4)
    assessment = kinds(worker, clock)["assessment"][0]
    assert assessment.countdown.overdue
    assert assessment.countdown.label() == "quá hạn 1 ngày"

    services.assessment_add(case=fresh(case), actor=worker, needs=[], answers={})
    assert set(kinds(worker, clock)) == {"case_plan"}

    services.case_plan_add(
        case=fresh(case),
        actor=worker,
        goals="An toàn",
        items=[services.PlanItemInput("legal", agencies["a"], clock.today())],
    )
    assert kinds(worker, clock) == {}


def test_the_next_follow_up_is_a_task_due_that_afternoon(case, cast, agencies, clock):
    worker = cast["worker1"]
    services.follow_up_add(
        case=fresh(case),
        actor=worker,
        done_on=clock.today(),
        method="phone",
        next_due=dt.date(2026, 3, 30),
    )
    (task,) = kinds(worker, clock)["follow_up"]
    assert task.due == dt.datetime(2026, 3, 30, 17, 0, tzinfo=VN)
    assert task.case == case
    # A later follow-up replaces the date.
    clock.set(dt.datetime(2026, 3, 30, 10, 0, tzinfo=VN))
    services.follow_up_add(
        case=fresh(case),
        actor=worker,
        done_on=clock.today(),
        method="home_visit",
        next_due=dt.date(2026, 4, 13),
    )
    (task,) = kinds(worker, clock)["follow_up"]
    assert task.due.date() == dt.date(2026, 4, 13)
    services.follow_up_add(case=fresh(case), actor=worker, done_on=clock.today(), method="phone")
    assert "follow_up" not in kinds(worker, clock)


def test_the_supervisor_sees_closure_approvals_and_the_worker_does_not(case, cast, clock):
    services.closure_request(
        case=fresh(case),
        actor=cast["worker1"],
        reason="Xong",
        checklist=full_checklist(),
        version=fresh(case).version,
        missing_reason=MISSING_REASON,
    )
    approvals = kinds(cast["supervisor1"], clock)["closure_approval"]
    assert [t.case for t in approvals] == [case]
    assert "closure_approval" not in kinds(cast["worker1"], clock)
    services.closure_decide(case=fresh(case), actor=cast["supervisor1"], approve=True)
    # A closed case has no tasks left.
    assert kinds(cast["supervisor1"], clock) == {}
    assert kinds(cast["worker1"], clock) == {}


def test_tasks_are_scoped_like_cases(case, cast, open_case, clock):
    theirs = open_case(cast["supervisor1"], full_name="Người Khác")
    b_case = open_case(cast["worker2"], full_name="Người Bên B", commune="12452")
    worker_cases = {t.case for t in tasks_for_user(cast["worker1"], now=clock.now())}
    supervisor_cases = {t.case for t in tasks_for_user(cast["supervisor1"], now=clock.now())}
    assert worker_cases == {case}
    assert supervisor_cases == {case, theirs}
    assert {t.case for t in tasks_for_user(cast["worker2"], now=clock.now())} == {b_case}
    assert tasks_for_user(cast["hotline1"], now=clock.now()) == []


def test_tasks_come_soonest_first(cast, open_case, clock):
    first = open_case(cast["worker1"], full_name="Người Một")
    clock.advance(days=1)
    second = open_case(cast["worker1"], full_name="Người Hai")
    tasks = tasks_for_user(cast["worker1"], now=clock.now())
    assert [(t.kind, t.case) for t in tasks] == [
        ("assessment", first),
        ("assessment", second),
        ("case_plan", first),
        ("case_plan", second),
    ]
    assert [t.due for t in tasks] == sorted(t.due for t in tasks)


def test_a_closed_case_shows_no_tasks(case, cast, clock):
    close_case(case, worker=cast["worker1"], supervisor=cast["supervisor1"])
    assert tasks_for_user(cast["worker1"], now=clock.now()) == []
