"""The cases' facts the dashboards count by (``CaseFacts``), kept as people record work.

Each test records work through the services people use and reads the facts back, as the
province dashboard would count them the moment after."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from antoan.cases import facts, services
from antoan.cases.models import Case, CaseFacts, Incident
from antoan.cases.tests.conftest import fresh
from antoan.referrals import services as referrals

FACTS = [
    "served",
    "basic_service",
    "legal_or_health_service",
    "measure_granted",
    "preventive_granted",
    "education_granted",
    "needs_help",
    "dv",
]


def facts_of(case: Case) -> set[str]:
    row = CaseFacts.objects.filter(case=case).values(*FACTS).get()
    return {name for name, value in row.items() if value}


def grant(case: Case, actor, clock, measure_type: str, deciding_body: str = "police"):
    measure = services.measure_request(
        case=fresh(case), actor=actor, type=measure_type, deciding_body=deciding_body
    )
    moment = clock.advance(hours=1)
    return services.measure_decide(
        measure=measure,
        actor=actor,
        decision="granted",
        decided_at=moment,
        starts_at=moment,
        ends_at=moment + dt.timedelta(days=30),
    )


def test_a_new_case_has_its_needs_and_its_domestic_violence_and_nothing_else(cast, open_case):
    case = open_case(cast["worker1"])
    assert facts_of(case) == {"needs_help", "dv"}


def test_a_case_without_needs_or_a_form_of_domestic_violence_has_no_facts(cast, open_case, clock):
    from antoan.cases.tests.conftest import incident_input

    case = open_case(cast["worker1"], needs=[], incident=incident_input(clock.today(), dv_forms=[]))
    assert facts_of(case) == set()


def test_needs_come_from_an_assessment_or_from_editing_the_case(cast, open_case):
    assessed = open_case(cast["worker1"], needs=[])
    services.assessment_add(case=fresh(assessed), actor=cast["worker1"], needs=[], answers={})
    assert "needs_help" not in facts_of(assessed)
    services.assessment_add(
        case=fresh(assessed), actor=cast["worker1"], needs=["shelter"], answers={}
    )
    assert "needs_help" in facts_of(assessed)

    edited = open_case(cast["worker1"], needs=[])
    case = fresh(edited)
    services.case_update(
        case=case, actor=cast["worker1"], version=case.version, changes={"needs": ["legal"]}
    )
    assert "needs_help" in facts_of(edited)
    case = fresh(edited)
    services.case_update(
        case=case, actor=cast["worker1"], version=case.version, changes={"needs": []}
    )
    assert "needs_help" not in facts_of(edited)


def test_services_delivered_directly_or_through_a_referral(cast, open_case, clock):
    from antoan.referrals.demo import build_demo_providers
    from antoan.referrals.models import Provider

    case = open_case(cast["worker1"])
    referrals.service_record(
        case=fresh(case), actor=cast["worker1"], service="livelihood",
        delivered_on=clock.today(), description="Hỗ trợ học nghề",
    )  # fmt: skip
    assert facts_of(case) == {"needs_help", "dv", "served"}  # not a basic service

    build_demo_providers()
    hospital = Provider.objects.get(agency__code="bv-da-khoa-tinh")
    referral = referrals.referral_send(
        case=fresh(case), actor=cast["worker1"], provider=hospital, service="health", urgency="high"
    )
    assert "basic_service" not in facts_of(case)  # sent, not yet delivered
    referrals.referral_accept(referral=referral, actor=cast["health1"])
    referrals.referral_deliver(
        referral=referral, actor=cast["health1"], delivered_on=clock.today(), description="Khám"
    )
    assert facts_of(case) == {
        "needs_help", "dv", "served", "basic_service", "legal_or_health_service"
    }  # fmt: skip


def test_a_measure_counts_once_granted_and_by_its_type(cast, open_case, clock):
    case = open_case(cast["worker1"])
    refused = services.measure_request(
        case=fresh(case), actor=cast["worker1"], type="preventive", deciding_body="police"
    )
    services.measure_decide(
        measure=refused,
        actor=cast["worker1"],
        decision="refused",
        decided_at=clock.advance(hours=1),
        refusal_reason="Chưa đủ căn cứ",
    )
    assert facts_of(case) == {"needs_help", "dv"}
    grant(case, cast["worker1"], clock, "education", "commune_chair")
    assert facts_of(case) == {"needs_help", "dv", "measure_granted", "education_granted"}
    grant(case, cast["worker1"], clock, "preventive")
    assert {"measure_granted", "education_granted", "preventive_granted"} <= facts_of(case)


def test_withdrawing_statistics_consent_clears_domestic_violence(cast, open_case):
    case = open_case(cast["worker1"])
    services.consent_withdraw(case=fresh(case), actor=cast["worker1"], purpose="reporting")
    assert facts_of(case) == {"needs_help"}


def test_an_incident_added_later_with_a_form_of_domestic_violence(cast, open_case, clock):
    from antoan.cases.tests.conftest import incident_input

    case = open_case(cast["worker1"], incident=incident_input(clock.today(), dv_forms=[]))
    assert "dv" not in facts_of(case)
    services.incident_add(
        case=fresh(case), actor=cast["worker1"], incident=incident_input(clock.today())
    )
    assert "dv" in facts_of(case)


def test_fill_missing_gives_a_case_without_facts_the_ones_its_records_give(cast, open_case):
    case = open_case(cast["worker1"])
    CaseFacts.objects.filter(case=case).delete()
    assert facts.fill_missing() == 1
    assert facts_of(case) == {"needs_help", "dv"}
    assert facts.fill_missing() == 0


@pytest.mark.postgres_only
def test_a_write_waiting_for_another_on_the_same_case_sees_what_it_committed(
    transactional_db, cast, open_case, clock
):
    """Consent withdrawn in one transaction while a service is recorded in another (past the
    services' lock on the case, as the admin or a bulk write would): the facts worked out by
    the second see the first's withdrawal, and keep the service."""
    from antoan.referrals.models import ServiceDelivery

    case = open_case(cast["worker1"])
    withdrawn, released = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def withdraw() -> None:
        try:
            with transaction.atomic():
                Incident.objects.filter(case=case).update(consent_statistics=False)
                facts.refresh([case.pk])  # holds the facts' row until the commit
                withdrawn.set()
                released.wait(10)
        except BaseException as exc:
            errors.append(exc)
            withdrawn.set()
        finally:
            connection.close()

    def deliver() -> None:
        try:
            withdrawn.wait(10)
            ServiceDelivery.objects.create(
                case_id=case.pk,
                service="legal",
                delivered_on=clock.today(),
                agency=case.agency,
                recorded_by=cast["worker1"],
                recorded_at=clock.now(),
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    first, second = threading.Thread(target=withdraw), threading.Thread(target=deliver)
    first.start()
    second.start()
    withdrawn.wait(10)
    # The race happens only once the delivery's transaction waits on the withdrawal's lock.
    waited = False
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            waited = cursor.fetchone()[0] > 0
        if waited:
            break
        time.sleep(0.05)
    released.set()
    first.join(20)
    second.join(20)
    assert errors == []
    assert waited, "the delivery never waited for the withdrawal"
    assert facts_of(case) == {"needs_help", "served", "basic_service", "legal_or_health_service"}
