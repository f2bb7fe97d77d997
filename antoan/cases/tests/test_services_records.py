"""Records added to an open case: consent, incidents, assessments, plans, follow-ups, notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from antoan.cases import services
from antoan.cases.models import (
    Assessment,
    CaseNote,
    CasePlan,
    CasePlanItem,
    FollowUp,
    Incident,
    SafetyPlan,
)
from antoan.cases.selectors import case_detail, consent_current
from antoan.cases.tests.conftest import VN, close_case, counts, fresh, incident_input

pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture
def case(cast, open_case):
    return open_case(cast["worker1"], needs=["health"])


def record_counts():
    found = counts()
    for model in (Assessment, CaseNote, CasePlan, CasePlanItem, FollowUp, SafetyPlan):
        found[model.__name__] = model.objects.count()
    return found


# --- Consent --------------------------------------------------------------------------------


def test_withdrawing_reporting_consent_takes_effect_at_once(case, cast, clock):
    w1 = cast["worker1"]
    services.incident_add(case=fresh(case), actor=w1, incident=incident_input(clock.today()))
    assert set(Incident.objects.filter(case=case).values_list("consent_statistics", flat=True)) == {
        True
    }

    clock.advance(hours=2)
    withdrawn = services.consent_withdraw(case=fresh(case), actor=w1, purpose="reporting")

    assert withdrawn == 1
    assert consent_current(case, "reporting") is False
    assert consent_current(case, "services") is True
    assert list(
        Incident.objects.filter(case=case).values_list("consent_statistics", flat=True)
    ) == [
        False,
        False,
    ]
    consent = case_detail(case)["consents"]
    reporting = next(c for c in consent if c.purpose == "reporting")
    assert (reporting.withdrawn_at, reporting.withdrawn_by) == (clock.now(), w1)
    # A later incident is not counted either unless consent is given again.
    services.incident_add(case=fresh(case), actor=w1, incident=incident_input(clock.today()))
    assert not Incident.objects.filter(case=case, consent_statistics=True).exists()


def test_consent_given_again_counts_new_incidents(case, cast, clock):
    w1 = cast["worker1"]
    services.consent_withdraw(case=fresh(case), actor=w1, purpose="reporting")
    clock.advance(minutes=5)
    services.consent_record(
        case=fresh(case), actor=w1, consent=services.ConsentInput(services=True, reporting=True)
    )
    assert consent_current(case, "reporting") is True
    incident = services.incident_add(
        case=fresh(case), actor=w1, incident=incident_input(clock.today())
    )
    assert incident.consent_statistics is True


def test_the_incident_that_counts_the_survivor_follows_consent(case, cast, clock):
    """A survivor counts once, through the case's first incident recorded with statistics
    consent (``Incident.counted_first``, what the dashboards read by index): not through a
    later incident, not at all once consent is withdrawn, again once it is given again."""
    w1 = cast["worker1"]

    def counting():
        return list(
            Incident.objects.filter(case=case, counted_first=True).values_list("pk", flat=True)
        )

    (first,) = Incident.objects.filter(case=case)
    later = services.incident_add(
        case=fresh(case), actor=w1, incident=incident_input(clock.today())
    )
    assert (later.consent_statistics, later.counted_first) == (True, False)
    assert counting() == [first.pk]

    clock.advance(minutes=5)
    services.consent_withdraw(case=fresh(case), actor=w1, purpose="reporting")
    assert counting() == []
    # Recorded while consent is withdrawn: not counted either.
    services.incident_add(case=fresh(case), actor=w1, incident=incident_input(clock.today()))
    assert counting() == []

    clock.advance(minutes=5)
    services.consent_record(
        case=fresh(case), actor=w1, consent=services.ConsentInput(services=True, reporting=True)
    )
    assert counting() == [first.pk]


def test_a_later_consent_replaces_an_earlier_one(case, cast, clock):
    clock.advance(minutes=1)
    services.consent_record(
        case=fresh(case),
        actor=cast["worker1"],
        consent=services.ConsentInput(services=True, reporting=False, method="written"),
    )
    assert consent_current(case, "reporting") is False
    assert consent_current(case, "services") is True


def test_sharing_consent_names_the_agencies(case, cast, agencies):
    records = services.consent_record(
        case=fresh(case),
        actor=cast["worker1"],
        consent=services.ConsentInput(
            services=True, reporting=True, sharing_agencies=[agencies["b"]]
        ),
    )
    sharing = next(r for r in records if r.purpose == "sharing")
    assert list(sharing.agencies.all()) == [agencies["b"]]
    assert consent_current(case, "sharing") is True


def test_withdrawing_an_unknown_purpose_is_refused(case, cast):
    before = counts()
    with pytest.raises(ValidationError) as info:
        services.consent_withdraw(case=fresh(case), actor=cast["worker1"], purpose="marketing")
    assert "purpose" in info.value.message_dict
    assert counts() == before


def test_consent_can_be_withdrawn_after_the_case_is_closed(case, cast):
    """Withdrawal is the survivor's right at any time, closed case or not."""
    closed = close_case(case, worker=cast["worker1"], supervisor=cast["supervisor1"])
    services.consent_withdraw(case=closed, actor=cast["supervisor1"], purpose="reporting")
    assert consent_current(case, "reporting") is False
    assert not Incident.objects.filter(case=case, consent_statistics=True).exists()


# --- Incidents ------------------------------------------------------------------------------


def test_a_later_incident_is_classified_by_the_ordered_rule(case, cast, clock):
    incident = services.incident_add(
        case=fresh(case),
        actor=cast["worker1"],
        incident=incident_input(
            clock.today(), acts=["psychological_abuse", "sexual_assault", "physical_assault"]
        ),
    )
    assert incident.gbv_type == "sexual_assault"
    assert fresh(case).events.last().data["gbv_type"] == "sexual_assault"


def test_an_incident_before_the_survivors_birth_is_refused(cast, open_case, clock):
    case = open_case(
        cast["worker1"], date_of_birth=dt.date(1995, 8, 20), birth_year=None, incident=None
    )
    before = record_counts()
    with pytest.raises(ValidationError) as info:
        services.incident_add(
            case=fresh(case),
            actor=cast["worker1"],
            incident=incident_input(
                clock.today(), occurred_on=dt.date(1995, 8, 19), first_reported_on=clock.today()
            ),
        )
    assert "occurred_on" in info.value.message_dict
    assert record_counts() == before


# --- Assessment -----------------------------------------------------------------------------


def test_an_assessment_computes_the_risk_and_moves_the_case_to_assessment(case, cast, clock):
    assessment = services.assessment_add(
        case=fresh(case),
        actor=cast["worker1"],
        needs=["legal", "shelter"],
        answers={
            "threats_to_kill": True,
            "weapon": True,
            "strangulation": True,
            "isolation": False,
        },
        notes="Chị sợ về nhà",
    )
    stored = fresh(case)
    assert assessment.risk_level == "immediate"  # 3 + 3 + 3 = 9
    assert (stored.stage, stored.risk_level) == ("assessment", "immediate")
    assert stored.needs == ["health", "legal", "shelter"]
    assert Assessment.objects.get(pk=assessment.pk).notes == "Chị sợ về nhà"


def test_immediate_danger_in_an_assessment_makes_the_case_immediate(case, cast):
    services.assessment_add(
        case=fresh(case), actor=cast["worker1"], needs=[], answers={}, immediate_danger=True
    )
    stored = fresh(case)
    assert (stored.risk_level, stored.immediate_danger) == ("immediate", True)


def test_an_assessment_never_lowers_the_risk_a_supervisor_set(case, cast):
    services.case_update(
        case=fresh(case),
        actor=cast["supervisor1"],
        version=case.version,
        changes={"risk_level": "high"},
    )
    services.assessment_add(case=fresh(case), actor=cast["worker1"], needs=[], answers={})
    assert fresh(case).risk_level == "high"


@pytest.mark.parametrize(
    ("answers", "needs", "field"),
    [
        ({"is_rich": True}, [], "answers"),
        ({"weapon": "yes"}, [], "answers"),
        ({"weapon": 1}, [], "answers"),
        ({}, ["money"], "needs"),
    ],
)
def test_a_bad_assessment_saves_nothing(case, cast, answers, needs, field):
    before = record_counts()
    with pytest.raises(ValidationError) as info:
        services.assessment_add(
            case=fresh(case), actor=cast["worker1"], needs=needs, answers=answers
        )
    assert field in info.value.message_dict
    assert record_counts() == before
    assert fresh(case).stage == "intake"


# --- Safety plan and case plan --------------------------------------------------------------


def test_a_case_plan_lists_services_and_moves_the_case_on(case, cast, agencies, clock):
    w1 = cast["worker1"]
    services.assessment_add(case=fresh(case), actor=w1, needs=["legal"], answers={})
    plan = services.case_plan_add(
        case=fresh(case),
        actor=w1,
        goals="Chị Hòa được an toàn và có trợ giúp pháp lý",
        items=[
            services.PlanItemInput("legal", agencies["a"], clock.today() + dt.timedelta(days=7)),
            services.PlanItemInput("health", agencies["b"], clock.today() + dt.timedelta(days=2)),
        ],
    )
    assert fresh(case).stage == "case_plan"
    shown = case_detail(case)["case_plans"]
    assert [p.goals for p in shown] == ["Chị Hòa được an toàn và có trợ giúp pháp lý"]
    assert [(i.service, i.responsible_agency, i.status) for i in shown[0].items.all()] == [
        ("health", agencies["b"], "pending"),
        ("legal", agencies["a"], "pending"),
    ]
    assert plan.pk == shown[0].pk


@pytest.mark.parametrize(
    ("goals", "items", "field"),
    [
        ("Mục tiêu", [], "items"),
        ("", [("legal", 3)], "goals"),
        ("Mục tiêu\x00", [("legal", 3)], "goals"),
        ("Mục tiêu", [("legal", 3), ("karaoke", 3)], "items.1.service"),
        ("Mục tiêu", [("legal", 3), ("health", -1)], "items.1.due_on"),
    ],
)
def test_a_bad_case_plan_saves_nothing(case, cast, agencies, clock, goals, items, field):
    before = record_counts()
    with pytest.raises(ValidationError) as info:
        services.case_plan_add(
            case=fresh(case),
            actor=cast["worker1"],
            goals=goals,
            items=[
                services.PlanItemInput(service, agencies["a"], clock.today() + dt.timedelta(days))
                for service, days in items
            ],
        )
    assert field in info.value.message_dict
    assert record_counts() == before
    assert fresh(case).stage == "intake"


def test_a_safety_plan_is_kept_encrypted_and_needs_content(case, cast):
    plan = services.safety_plan_add(case=fresh(case), actor=cast["worker1"], content="Gọi 113")
    assert SafetyPlan.objects.get(pk=plan.pk).content == "Gọi 113"
    with pytest.raises(ValidationError) as info:
        services.safety_plan_add(case=fresh(case), actor=cast["worker1"], content="  ")
    assert "content" in info.value.message_dict


# --- Follow-ups -----------------------------------------------------------------------------


def test_a_follow_up_after_the_plan_moves_the_case_to_follow_up(case, cast, agencies, clock):
    w1 = cast["worker1"]
    services.case_plan_add(
        case=fresh(case),
        actor=w1,
        goals="An toàn",
        items=[services.PlanItemInput("safety", agencies["a"], clock.today())],
    )
    clock.advance(days=3)
    services.follow_up_add(
        case=fresh(case),
        actor=w1,
        done_on=clock.today(),
        method="home_visit",
        notes="Chị ổn",
        next_due=clock.today() + dt.timedelta(days=14),
    )
    assert fresh(case).stage == "follow_up"
    follow_up = case_detail(case)["follow_ups"][0]
    assert (follow_up.done_on, follow_up.notes) == (clock.today(), "Chị ổn")


def test_a_follow_up_before_the_plan_does_not_skip_stages(case, cast, clock):
    services.follow_up_add(
        case=fresh(case), actor=cast["worker1"], done_on=clock.today(), method="phone"
    )
    assert fresh(case).stage == "intake"


@pytest.mark.parametrize(
    ("done", "next_due", "method", "field"),
    [
        (1, None, "phone", "done_on"),  # tomorrow
        (-1, None, "phone", "done_on"),  # before the case was opened
        (0, 0, "phone", "next_due"),  # next is not after this one
        (0, -3, "phone", "next_due"),
        (0, None, "telepathy", "method"),
    ],
)
def test_a_bad_follow_up_saves_nothing(case, cast, clock, done, next_due, method, field):
    today = clock.today()
    before = record_counts()
    with pytest.raises(ValidationError) as info:
        services.follow_up_add(
            case=fresh(case),
            actor=cast["worker1"],
            done_on=today + dt.timedelta(days=done),
            method=method,
            next_due=None if next_due is None else today + dt.timedelta(days=next_due),
        )
    assert field in info.value.message_dict
    assert record_counts() == before


# --- Notes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [("", "body"), ("   \n ", "body"), ("Ghi\x00chú", "body"), ("x" * 20_001, "body")],
)
def test_a_bad_note_saves_nothing(case, cast, body, field):
    before = record_counts()
    with pytest.raises(ValidationError) as info:
        services.note_add(case=fresh(case), actor=cast["worker1"], body=body)
    assert field in info.value.message_dict
    assert record_counts() == before


def test_a_long_note_with_line_breaks_and_tabs_is_kept(case, cast):
    body = "Dòng 1\r\n\tDòng 2 <b>đậm</b>\n" + "x" * 19_000
    note = services.note_add(case=fresh(case), actor=cast["worker1"], body=body)
    assert CaseNote.objects.get(pk=note.pk).body == body.replace("\r\n", "\n")


# --- Who may write --------------------------------------------------------------------------


def _every_append(case, clock, agencies):
    """(name, call taking an actor) for each record a worker adds to a case."""
    today = clock.today()
    return [
        ("note", lambda a: services.note_add(case=fresh(case), actor=a, body="x")),
        (
            "incident",
            lambda a: services.incident_add(
                case=fresh(case), actor=a, incident=incident_input(today)
            ),
        ),
        (
            "assessment",
            lambda a: services.assessment_add(case=fresh(case), actor=a, needs=[], answers={}),
        ),
        ("safety_plan", lambda a: services.safety_plan_add(case=fresh(case), actor=a, content="x")),
        (
            "case_plan",
            lambda a: services.case_plan_add(
                case=fresh(case),
                actor=a,
                goals="x",
                items=[services.PlanItemInput("legal", agencies["a"], today)],
            ),
        ),
        (
            "follow_up",
            lambda a: services.follow_up_add(
                case=fresh(case), actor=a, done_on=today, method="phone"
            ),
        ),
        (
            "consent",
            lambda a: services.consent_record(
                case=fresh(case), actor=a, consent=services.ConsentInput(True, True)
            ),
        ),
        (
            "withdraw",
            lambda a: services.consent_withdraw(case=fresh(case), actor=a, purpose="reporting"),
        ),
        (
            "measure",
            lambda a: services.measure_request(
                case=fresh(case), actor=a, type="medical", deciding_body="other"
            ),
        ),
        (
            "update",
            lambda a: services.case_update(
                case=fresh(case), actor=a, version=fresh(case).version, changes={"source": "police"}
            ),
        ),
    ]


@pytest.mark.parametrize(
    "username", ["worker2", "hotline1", "health1", "police1", "reporter1", "manager1", "admin1"]
)
def test_who_may_not_write_to_a_case_is_refused_and_nothing_is_saved(
    case, cast, clock, agencies, username
):
    for name, write in _every_append(case, clock, agencies):
        before = record_counts()
        with pytest.raises(PermissionDenied):
            write(cast[username])
        assert record_counts() == before, name


def test_a_worker_may_not_write_to_a_colleagues_case(cast, open_case, clock, agencies):
    colleagues = open_case(cast["supervisor1"])  # assigned to the supervisor
    for name, write in _every_append(colleagues, clock, agencies):
        with pytest.raises(PermissionDenied):
            write(cast["worker1"])
        assert not CaseNote.objects.filter(case=colleagues).exists(), name


def test_the_assigned_worker_and_the_supervisor_may_write(case, cast, clock, agencies):
    for actor in (cast["worker1"], cast["supervisor1"]):
        for _name, write in _every_append(case, clock, agencies):
            write(actor)
    assert CaseNote.objects.filter(case=case).count() == 2


def test_early_morning_in_vietnam_is_already_today(case, cast, clock):
    # 06:00 on 17/03 in Hưng Yên is 23:00 on 16/03 in UTC.
    clock.set(dt.datetime(2026, 3, 17, 6, 0, tzinfo=VN))
    follow_up = services.follow_up_add(
        case=fresh(case), actor=cast["worker1"], done_on=dt.date(2026, 3, 17), method="phone"
    )
    assert follow_up.done_on == dt.date(2026, 3, 17)
    incident = services.incident_add(
        case=fresh(case),
        actor=cast["worker1"],
        incident=incident_input(
            clock.today(), occurred_on=dt.date(2026, 3, 17), first_reported_on=dt.date(2026, 3, 17)
        ),
    )
    assert incident.occurred_on == dt.date(2026, 3, 17)


def test_a_withdrawal_keeps_what_it_changed(case, cast, clock, agencies):
    w1 = cast["worker1"]
    services.incident_add(case=fresh(case), actor=w1, incident=incident_input(clock.today()))
    services.consent_record(
        case=fresh(case),
        actor=w1,
        consent=services.ConsentInput(
            services=True, reporting=True, sharing_agencies=[agencies["b"]]
        ),
    )
    services.consent_withdraw(case=fresh(case), actor=w1, purpose="reporting")
    services.consent_withdraw(case=fresh(case), actor=w1, purpose="sharing")
    services.consent_withdraw(case=fresh(case), actor=w1, purpose="services")
    effects = {
        c.purpose: c.withdrawal_effects
        for c in case_detail(case)["consents"]
        if c.withdrawn_at is not None
    }
    # Both incidents were counted until then.
    assert effects["reporting"] == {"incidents_excluded": 2}
    assert effects["sharing"] == {"agencies": [agencies["b"].pk], "open_referrals": []}
    assert effects["services"] == {"open_referrals": []}
