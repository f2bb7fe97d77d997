"""manage.py generate_data: what it refuses, that it is reproducible, and that what it writes
holds to the models' constraints and the services' rules."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from antoan.accounts.models import Agency, User
from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CaseFacts,
    CaseNumberSequence,
    CaseSearchToken,
    Consent,
    FollowUp,
    Incident,
    ProtectionMeasure,
    SearchToken,
    Survivor,
)
from antoan.cases.selectors import CaseFilters, case_search
from antoan.cases.services.intake import survivor_age
from antoan.core.models import AuditEvent
from antoan.core.text import search_key
from antoan.hotline.models import Call
from antoan.indicators.models import Estimate, Indicator
from antoan.indicators.synthetic import Refused, generate, names
from antoan.indicators.synthetic.common import Clock
from antoan.places.models import Place, PlaceSuccession
from antoan.programme.models import Activity
from antoan.referrals.models import Referral, ServiceDelivery

pytestmark = pytest.mark.django_db

NEW_ERA = dt.date(2025, 7, 1)
OLD_ERA_END = dt.date(2025, 6, 30)
CASES = 60


class Rollback(Exception):
    """Undo a run inside the test's transaction, to run again on the same starting state."""


@pytest.fixture
def old_places(mini_places):
    """The test map's past: old Phường Hiến Nam (code 11953, like the ward that replaced it)
    and old Phường An Tảo, both merged into today's Phường Phố Hiến on 1/7/2025."""
    district = Place.objects.create(
        code="323",
        name="Thành phố Hưng Yên",
        level="district",
        parent=mini_places["old_province"],
        valid_to=OLD_ERA_END,
    )
    old = []
    for code, name in (("11953", "Phường Hiến Nam"), ("11956", "Phường An Tảo")):
        place = Place(code=code, name=name, level="commune", parent=district, valid_to=OLD_ERA_END)
        place.full_clean()
        place.save()
        PlaceSuccession.objects.create(
            predecessor=place, successor=mini_places["commune_a"], effective_on=NEW_ERA
        )
        old.append(place)
    return old


@pytest.fixture
def run(cast, old_places):
    """Generate a small history on the test map (demo world present, as `make run` has it)."""

    def go(seed: int = 1, cases: int = CASES, scale: str = "demo"):
        return generate(scale, seed, cases)

    return go


def snapshot() -> dict[str, list[tuple]]:
    """The generated data in clear, independent of database ids."""
    cases = Case.objects.filter(synthetic=True, client_uuid__isnull=True).select_related(
        "survivor", "agency", "assigned_to"
    )
    return {
        "cases": sorted(
            (
                c.number,
                c.opened_at,
                c.survivor.sex,
                c.survivor.birth_year,
                c.survivor.full_name,
                c.agency.code,
                c.assigned_to.username if c.assigned_to else "",
                c.status,
                c.stage,
                c.version,
            )
            for c in cases
        ),
        "incidents": sorted(
            Incident.objects.filter(case__in=cases).values_list(
                "case__number", "gbv_type", "occurred_on", "commune__code", "consent_statistics"
            )
        ),
        "referrals": sorted(
            Referral.objects.values_list("case__number", "service", "status", "sent_at")
        ),
        "calls": sorted(
            Call.objects.values_list("received_at", "category", "outcome", "operator__username")
        ),
        "activities": sorted(
            Activity.objects.filter(import_key__startswith="synthetic-").values_list(
                "import_key", "title", "start_date", "participants_total", "agency__code"
            )
        ),
        "users": sorted(
            User.objects.filter(username__startswith="syn-").values_list(
                "username", "last_name", "first_name"
            )
        ),
        "follow_ups": sorted(FollowUp.objects.values_list("case__number", "created_at")),
        "audit": sorted(
            (e.occurred_at, e.username, e.role, e.action, e.object_type, str(e.extra))
            for e in AuditEvent.objects.filter(occurred_at__lt=Clock(timezone.localdate()).cutoff)
        ),
    }


def test_refuses_a_database_with_real_cases_and_writes_nothing(cast, old_places):
    survivor = Survivor.objects.create(full_name="Nguyễn Thị Thật", sex="female", name_index="x")
    Case.objects.create(
        number="HY-2026-000001",
        survivor=survivor,
        agency=Agency.objects.get(code="ubnd-pho-hien"),
        source="self",
        opened_at=timezone.now(),
        created_by=cast["worker1"],
    )
    agencies, users = Agency.objects.count(), User.objects.count()
    with pytest.raises(CommandError, match="not synthetic"):
        call_command("generate_data", "--force", "--cases", "10")
    assert Case.objects.count() == 1
    assert (Agency.objects.count(), User.objects.count()) == (agencies, users)
    assert not Call.objects.exists()
    assert not AuditEvent.objects.filter(object_type="synthetic_data").exists()


def test_refuses_when_debug_is_off_unless_forced(cast, old_places, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_data", "--cases", "10")
    assert not Case.objects.exists()
    out = StringIO()
    call_command("generate_data", "--cases", "10", "--force", stdout=out)
    assert Case.objects.filter(synthetic=True).count() == 10
    assert "written in" in out.getvalue()


def test_refuses_without_places(db):
    with pytest.raises(Refused, match="load_places"):
        generate("demo", 1, 10)


def test_a_second_run_says_so_and_does_nothing(run):
    first = run()
    assert first.created and first.counts["cases.Case"] == CASES
    rows = (Case.objects.count(), Call.objects.count(), User.objects.count())
    second = run(seed=2)
    assert not second.created
    assert "generate_data --scale demo --seed 1" in second.message
    assert (Case.objects.count(), Call.objects.count(), User.objects.count()) == rows
    out = StringIO()
    call_command("generate_data", "--force", stdout=out)
    assert "Nothing to do" in out.getvalue()
    runs = AuditEvent.objects.filter(object_type="synthetic_data").values_list("action", flat=True)
    assert sorted(runs) == ["create", "update"]


def test_a_run_that_stopped_half_way_is_reported_and_not_continued(run):
    from antoan.core.audit import audit_record

    audit_record(
        action="create",
        username="generate_data",
        object_type="synthetic_data",
        extra={"scale": "province", "seed": 3, "cases": 20000},
    )
    summary = run()
    assert not summary.created
    assert "stopped before it finished" in summary.message
    assert "--scale province --seed 3" in summary.message
    assert not Case.objects.exists()


def test_the_same_seed_writes_the_same_data_and_another_seed_other_data(run, plan64):
    taken = []
    for seed in (5, 5, 6):
        try:
            with transaction.atomic():
                run(seed=seed)
                taken.append(snapshot())
                raise Rollback
        except Rollback:
            pass
        assert not Case.objects.filter(synthetic=True, client_uuid__isnull=True).exists()
    assert taken[0]["cases"] and taken[0]["calls"] and taken[0]["activities"]
    assert taken[0]["follow_ups"] and taken[0]["audit"]
    assert taken[0] == taken[1]
    assert taken[0]["cases"] != taken[2]["cases"]


def test_the_generated_audit_events_continue_a_chain_that_verifies(run):
    from antoan.core.audit import audit_verify

    summary = run()
    assert summary.created
    result = audit_verify()
    assert result.ok, result.problem
    events = AuditEvent.objects.exclude(object_type="synthetic_data")
    # Roughly ten to twenty events a case: its timeline, readings, referrals, calls, logins.
    assert 8 * CASES <= events.count() <= 30 * CASES
    actions = set(events.values_list("action", flat=True))
    assert {"create", "update", "view", "login"} <= actions
    case_events = events.filter(object_type="case", action="create")
    assert case_events.count() == CASES  # each case opened once, by a user of its agency
    opened = case_events.order_by("seq").first()
    case = Case.objects.get(pk=int(opened.object_id))
    assert opened.user_id == case.created_by_id and opened.occurred_at == case.opened_at
    # The run's own record is the last event; nothing was sealed out of order.
    assert AuditEvent.objects.order_by("-seq").first().object_type == "synthetic_data"


def test_names_are_vietnamese_with_diacritics_and_stored_encrypted(run):
    run()
    survivors = list(Survivor.objects.filter(cases__synthetic=True, cases__client_uuid=None))
    assert len(survivors) == CASES
    families = {name for name, _ in names.FAMILY_NAMES}
    for survivor in survivors:
        name = survivor.full_name
        assert unicodedata.normalize("NFC", name) == name
        assert name.split()[0] in families and len(name.split()) >= 3
    accented = [s for s in survivors if search_key(s.full_name) != s.full_name.lower()]
    assert len(accented) > CASES * 0.8
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM cases_survivor")
        stored = [row[0] for row in cursor.fetchall()]
    # <key version>:<row key>:<sealed>: bound to the row (antoan/core/crypto.py).
    assert all(re.fullmatch(r"[A-Za-z0-9]+:[0-9a-f]{32}:[A-Za-z0-9_=-]+", v) for v in stored)
    assert not {s.full_name for s in survivors} & set(stored)
    women = [s.full_name for s in survivors if s.sex == "female"]
    assert sum(" Thị " in name for name in women) > len(women) / 3


def test_the_case_search_finds_a_generated_survivor_by_an_accent_free_name(run, cast):
    run()
    worker1 = cast["worker1"]
    mine = Case.objects.filter(assigned_to=worker1, synthetic=True, client_uuid=None)
    assert mine.exists(), "the demo's case worker keeps a share of the generated cases"
    case = mine.select_related("survivor").first()
    words = case.survivor.full_name.split()
    query = search_key(f"{words[0]} {words[-1]}")
    assert query.isascii()
    assert case in case_search(worker1, CaseFilters(q=query))
    assert case in case_search(cast["supervisor1"], CaseFilters(q=search_key(words[-1])))
    assert case not in case_search(cast["worker2"], CaseFilters(q=query))
    # Found with the filters too: its status and commune reached the search's own index.
    commune = case.survivor.commune.code if case.survivor.commune else ""
    assert case in case_search(
        cast["supervisor1"], CaseFilters(q=query, status=case.status, commune=commune)
    )
    # Every generated case has one search row per word of its survivor's names.
    words_of = Counter(SearchToken.objects.values_list("survivor_id", flat=True))
    rows_of = Counter(CaseSearchToken.objects.values_list("case_id", flat=True))
    expected = dict(Case.objects.values_list("pk", "survivor_id"))
    assert rows_of == Counter({pk: words_of[s] for pk, s in expected.items() if words_of[s]})
    # ... carrying the case's final agency, status, opening date and the survivor's commune.
    rows = CaseSearchToken.objects
    assert not rows.exclude(agency_id=F("case__agency_id")).exists()
    assert not rows.exclude(status=F("case__status")).exists()
    assert not rows.exclude(opened_at=F("case__opened_at")).exists()
    assert (
        not rows.filter(case__survivor__commune__isnull=False)
        .exclude(commune_id=F("case__survivor__commune_id"))
        .exists()
    )
    assert not rows.filter(case__survivor__commune__isnull=True, commune__isnull=False).exists()


def test_old_communes_for_old_dates_and_todays_communes_after(run, old_places):
    run()
    old_ids = {p.pk for p in old_places}
    incidents = list(Incident.objects.select_related("commune", "case"))
    old_dated = [i for i in incidents if i.occurred_on < NEW_ERA]
    new_dated = [i for i in incidents if i.occurred_on >= NEW_ERA]
    assert old_dated and new_dated
    for incident in old_dated:
        # Commune B has no predecessor on the test map: its old incidents have no commune.
        assert incident.commune_id is None or incident.commune_id in old_ids
    assert {i.commune_id for i in old_dated} >= old_ids
    for incident in new_dated:
        assert incident.commune.valid_from == NEW_ERA
    for incident in incidents:
        assert incident.commune is None or incident.commune.is_valid_on(incident.occurred_on)
    for case in Case.objects.filter(synthetic=True).select_related("survivor__commune"):
        commune = case.survivor.commune
        assert commune is None or commune.is_valid_on(timezone.localdate(case.opened_at))
    for call in Call.objects.select_related("commune"):
        assert call.commune is None or call.commune.is_valid_on(
            timezone.localdate(call.received_at)
        )


def test_records_keep_the_services_rules_and_nothing_is_dated_today_or_later(run):
    run(cases=120)
    start_of_today = dt.datetime.combine(
        timezone.localdate(), dt.time(0), tzinfo=timezone.get_current_timezone()
    )
    generated = Case.objects.filter(synthetic=True, client_uuid=None)
    for case in generated.select_related("survivor"):
        assert case.opened_at < start_of_today and case.updated_at < start_of_today
        assert (case.status == "closed") == (case.stage == "closed") == bool(case.closed_at)
        assert case.version == case.events.count()
        assert case.events.order_by("version").first().kind == "opened"
    assert not CaseEvent.objects.filter(at__gte=start_of_today).exists()
    for incident in Incident.objects.select_related("case__survivor"):
        survivor = incident.case.survivor
        rules.check_incident_dates(
            occurred_on=incident.occurred_on,
            first_reported_on=incident.first_reported_on,
            today=timezone.localdate(incident.created_at),
            date_of_birth=dt.date.fromisoformat(survivor.date_of_birth)
            if survivor.date_of_birth
            else None,
            birth_year=survivor.birth_year,
        )
        assert incident.first_reported_on <= timezone.localdate(incident.case.opened_at) or (
            incident.created_at > incident.case.opened_at
        )
    for consent in Consent.objects.select_related("case__survivor"):
        day = timezone.localdate(consent.case.opened_at)
        rules.check_consent_giver(
            age=survivor_age(consent.case.survivor, on=day, intake_on=day),
            given_by=consent.given_by,
            child_agreed=consent.child_agreed,
            granted=consent.granted,
        )
    for measure in ProtectionMeasure.objects.all():
        rules.check_measure_decision(
            measure_type=measure.type,
            deciding_body=measure.deciding_body,
            requested_at=measure.requested_at,
            decided_at=measure.decided_at,
            decision=measure.decision,
            refusal_reason=measure.refusal_reason,
            late_reason=measure.late_reason,
            starts_at=measure.starts_at,
            ends_at=measure.ends_at,
            now=start_of_today,
        )
    for referral in Referral.objects.select_related("case", "provider"):
        assert referral.sent_at < start_of_today
        assert referral.service in referral.provider.services
        assert referral.to_agency_id != referral.from_agency_id
        if referral.status in ("accepted", "declined", "delivered", "closed"):
            assert referral.sent_at <= referral.answered_at < start_of_today
        if referral.status == "revoked":
            assert referral.revoked_at
        if referral.delivered_on:
            assert ServiceDelivery.objects.get(referral=referral).agency_id == referral.to_agency_id
        if referral.case.status == "closed":
            assert referral.status in ("delivered", "declined", "closed", "revoked")
    for call in Call.objects.all():
        assert call.received_at < start_of_today
        # Handled calls: answered, ended; none sits in the hotline's live queue.
        assert call.answered_at == call.received_at and call.ended_at >= call.received_at
        assert call.operator_id is not None
        assert call.case_id is None or call.outcome == "case_opened"


def test_case_numbers_continue_and_the_services_number_after_them(run, cast):
    from antoan.cases import services

    run()
    year = timezone.localdate().year
    numbers = Case.objects.filter(number__startswith=f"HY-{year}-").values_list("number", flat=True)
    last = max(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert CaseNumberSequence.objects.get(prefix="HY", year=year).last == last
    opened = services.case_open(
        actor=cast["worker1"],
        source="self",
        survivor=services.SurvivorInput(full_name="Lê Thị Mới", sex="female", birth_year=1990),
        consent=services.ConsentInput(services=True, reporting=True),
    ).case
    assert opened.number == f"HY-{year}-{last + 1:06d}"
    assert not opened.synthetic


def test_programme_data_keeps_the_plan_rules(run, plan64):
    from antoan.programme.selectors import agency_assigned

    summary = run()
    activities = Activity.objects.filter(import_key__startswith="synthetic-")
    assert summary.counts["programme.Activity"] == activities.count() >= 10
    for activity in activities.prefetch_related("tasks", "trainees"):
        assert plan64.period_start <= activity.start_date <= activity.end_date
        assert activity.end_date <= min(plan64.period_end, timezone.localdate())
        assert activity.tasks.exists()
        assert activity.agency.is_valid_on(activity.start_date)
        trainees = list(activity.trainees.all())
        if trainees:
            assert len(trainees) == activity.participants_total
            assert sum(t.sex == "female" for t in trainees) == activity.participants_female
        not_assigned = not agency_assigned(activity.agency, activity.tasks.all())
        assert ("agency_not_assigned" in activity.flags) == not_assigned


def test_estimates_for_completed_years_when_the_indicators_exist(run, cast):
    for code in ("GBV-01", "DV-04"):
        Indicator.objects.create(
            code=code,
            name_vi=code,
            name_en=code,
            definition_vi=code,
            definition_en=code,
            kind="target",
            unit="percent",
            numerator="n",
            denominator="estimate",
            numerator_vi=code,
            numerator_en=code,
        )
    run()
    this_year = timezone.localdate().year
    estimates = Estimate.objects.select_related("indicator", "place")
    assert sorted({e.year for e in estimates}) == list(range(2021, this_year))
    assert estimates.count() == 2 * (this_year - 2021)
    for estimate in estimates:
        assert estimate.value > 0 and estimate.place.code == "33"
        assert estimate.entered_by == cast["analyst1"]
        assert estimate.entered_at.year == estimate.year + 1
        assert "mô phỏng" in estimate.source
    gbv = estimates.filter(indicator__code="GBV-01")
    assert all(e.value % 100 == 0 for e in gbv)


def test_past_yearly_reports_are_on_the_reporting_cycle_board(run, plan64):
    """The synthetic history's yearly reports are accepted reports of their cycles, with the
    figures the agencies' records give and the period they freeze."""
    from antoan.programme.models import YearReport
    from antoan.reports import prefill
    from antoan.reports.choices import SubmissionStatus
    from antoan.reports.models import Submission

    run()
    reports = YearReport.objects.filter(plan=plan64, submitted_by__isnull=False)
    submissions = Submission.objects.filter(cycle__plan=plan64).select_related("cycle")
    assert reports.exists() and submissions.exists()
    by_key = {(s.cycle.year, s.agency_id): s for s in submissions}
    for report in reports:
        sub = by_key.get((report.year, report.agency_id))
        if sub is None:
            continue  # an agency the cycle does not ask (a dissolved one's heir reports)
        assert sub.status == SubmissionStatus.ACCEPTED
        assert sub.first_submitted_at == report.submitted_at
        assert (report.period_start, report.period_end) == (
            sub.cycle.period_start,
            sub.cycle.period_end,
        )
        # Typed as recorded: no difference flagged on a synthetic report.
        assert sub.figures["activities"] == sub.recorded["activities"]
        # What the reporting cycle itself reads from the records (figures batched per cycle).
        assert sub.recorded == prefill.recorded_figures(sub.cycle, sub.agency)
    assert len(by_key) >= reports.count() // 2


def test_every_generated_incident_counts_at_its_commune_else_the_survivors_else_the_agencys(
    run,
):
    # generate_data writes in bulk, past the model's save: the place the statistics count
    # each incident at must still be the one the case services would keep.
    run()
    incidents = Incident.objects.select_related("case__survivor", "case__agency")
    assert incidents.filter(counted_place__isnull=False).exists()
    for incident in incidents:
        case = incident.case
        expected = incident.commune_id or case.survivor.commune_id or case.agency.place_id
        assert incident.counted_place_id == expected, incident.pk


def test_every_generated_case_with_consent_counts_its_survivor_through_its_first_incident(run):
    # As the case services keep it (``counted_first_refresh``): the case's first incident
    # recorded with statistics consent, none without consent (withdrawals included).
    run()
    first: dict[int, int] = {}
    for pk, case_id in (
        Incident.objects.filter(consent_statistics=True).order_by("pk").values_list("pk", "case")
    ):
        first.setdefault(case_id, pk)
    marked = Incident.objects.filter(counted_first=True).values_list("case", "pk")
    assert dict(marked) == first
    assert Incident.objects.filter(counted_first=True).count() == len(first)
    assert Incident.objects.filter(consent_statistics=False).exists()  # withdrawals happen
    assert Incident.objects.values("case").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_every_case_has_the_facts_its_records_give(run):
    # Written in bulk, past the signals that keep them (antoan/cases/facts): each case's facts
    # must still be what its records say, worked out here from the records one by one.
    run()
    expected: dict[int, set[str]] = {
        pk: ({"needs_help"} if needs else set())
        for pk, needs in Case.objects.values_list("pk", "needs")
    }
    for case_id, service in ServiceDelivery.objects.values_list("case_id", "service"):
        expected[case_id].add("served")
        if service in c.BASIC_SERVICES:
            expected[case_id].add("basic_service")
        if service in ("legal", "health"):
            expected[case_id].add("legal_or_health_service")
    granted = ProtectionMeasure.objects.filter(decision="granted")
    for case_id, kind in granted.values_list("case_id", "type"):
        expected[case_id].add("measure_granted")
        if kind in ("preventive", "education"):
            expected[case_id].add(f"{kind}_granted")
    for case_id, needs in Assessment.objects.values_list("case_id", "needs"):
        if needs:
            expected[case_id].add("needs_help")
    for case_id, forms in Incident.objects.filter(consent_statistics=True).values_list(
        "case_id", "dv_forms"
    ):
        if forms:
            expected[case_id].add("dv")
    names = [f.name for f in CaseFacts._meta.fields if f.name != "case"]
    kept = {
        row["case"]: {name for name in names if row[name]}
        for row in CaseFacts.objects.values("case", *names)
    }
    assert kept == expected
    # The generated history holds every kind of fact, so that none is left untested.
    assert set().union(*expected.values()) == set(names)
