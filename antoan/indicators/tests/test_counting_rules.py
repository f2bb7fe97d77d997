"""The counting rules of docs/indicators.md, through the services people use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from antoan.cases import services
from antoan.indicators.selectors.values import Calculator, parse_query, user_province
from antoan.indicators.suppression import TOTAL


def open_case(user, *, commune="11953", occurred=None, reporting=True, needs=("health",)):
    occurred = occurred or timezone.localdate() - dt.timedelta(days=2)
    return services.case_open(
        actor=user,
        source="self",
        survivor=services.SurvivorInput(
            full_name="Phạm Thị Thu", sex="female", birth_year=1991, commune="11953"
        ),
        consent=services.ConsentInput(services=True, reporting=reporting),
        incident=services.IncidentInput(
            occurred_on=occurred,
            first_reported_on=occurred,
            gbv_type="physical_assault",
            dv_forms=["physical"],
            contexts=["intimate_partner"],
            commune=commune,
            perpetrators=[
                services.PerpetratorInput(sex="male", age_group="26-40", relationship="husband")
            ],
        ),
        needs=list(needs),
    ).case


def value(cast, code, place=TOTAL, **params):
    province = user_province(cast["manager1"])
    query = parse_query(province, {"year": str(timezone.localdate().year), **params})
    calc = Calculator(query, suppress=False)
    indicator = next(i for i in calc.indicators if i.code == code)
    return calc.value(indicator, place)


@pytest.fixture
def old_commune(mini_places):
    """Old Phường An Tảo (until 30/06/2025), merged into Phường Phố Hiến."""
    from antoan.indicators.selectors.places import forget
    from antoan.places.models import Place, PlaceSuccession

    old = Place.objects.create(
        code="11956",
        name="Phường An Tảo",
        level="commune",
        parent=mini_places["old_province"],
        valid_to=dt.date(2025, 6, 30),
    )
    PlaceSuccession.objects.create(
        predecessor=old, successor=mini_places["commune_a"], effective_on=dt.date(2025, 7, 1)
    )
    forget()
    return old


def test_a_2024_incident_in_an_old_commune_counts_in_the_commune_it_became(
    cast, catalogue, old_commune
):
    case = open_case(cast["worker1"], commune="11956", occurred=dt.date(2024, 5, 20))
    assert case.incidents.get().commune == old_commune  # recorded as it was then
    assert value(cast, "GBV-01", "11953", by="commune").numerator == 1
    assert value(cast, "GBV-01", "12452", by="commune").numerator == 0
    assert value(cast, "GBV-01", "?", by="commune").numerator == 0


def test_an_old_commune_code_is_refused_with_the_commune_it_became(cast, catalogue, old_commune):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_query(user_province(cast["manager1"]), {"place": "11956"})
    message = caught.value.message_dict["place"][0]
    assert "Phường An Tảo" in message and "Phường Phố Hiến" in message and "11953" in message


def test_withdrawn_consent_takes_the_case_out_of_every_figure_at_once(cast, catalogue):
    case = open_case(cast["worker1"])
    assert value(cast, "GBV-01").numerator == 1
    assert value(cast, "GBV-02").denominator == 1
    assert value(cast, "DV-02").denominator == 1
    services.consent_withdraw(case=case, actor=cast["worker1"], purpose="reporting")
    assert value(cast, "GBV-01").numerator == 0
    assert value(cast, "GBV-02").denominator == 0
    assert value(cast, "DV-02").denominator == 0
    assert value(cast, "OP-05").numerator == 0


def test_a_new_decision_refusing_statistics_is_a_withdrawal(cast, catalogue):
    case = open_case(cast["worker1"])
    services.consent_record(
        case=case,
        actor=cast["worker1"],
        consent=services.ConsentInput(services=True, reporting=False),
    )
    assert value(cast, "GBV-01").numerator == 0


def test_a_case_opened_without_statistics_consent_is_never_counted(cast, catalogue):
    open_case(cast["worker1"], reporting=False)
    assert value(cast, "GBV-01").numerator == 0
    assert value(cast, "OP-05").numerator == 0  # not even as an open case of the caseload


def test_a_survivor_served_by_two_agencies_counts_once(cast, catalogue):
    from antoan.referrals import services as referrals
    from antoan.referrals.demo import build_demo_providers
    from antoan.referrals.models import Provider

    build_demo_providers()
    case = open_case(cast["worker1"], needs=("health", "legal"))
    today = timezone.localdate()
    referrals.service_record(
        case=case, actor=cast["worker1"], service="legal", delivered_on=today,
        description="Tư vấn pháp lý tại UBND phường",
    )  # fmt: skip
    hospital = Provider.objects.get(agency__code="bv-da-khoa-tinh")
    referral = referrals.referral_send(
        case=case, actor=cast["worker1"], provider=hospital, service="health", urgency="high"
    )
    referrals.referral_accept(referral=referral, actor=cast["health1"])
    referrals.referral_deliver(
        referral=referral, actor=cast["health1"], delivered_on=today, description="Khám, điều trị"
    )
    assert case.deliveries.count() == 2  # two agencies served her
    assert value(cast, "GBV-01").numerator == 1
    gbv02 = value(cast, "GBV-02")
    assert (gbv02.numerator, gbv02.denominator) == (1, 1)
    assert value(cast, "GE-01").numerator == 1


def test_granted_measures_count_the_victim_protected_and_the_perpetrator_counselled(
    cast, catalogue
):
    case = open_case(cast["worker1"])
    assert value(cast, "DV-01").numerator == 0
    assert value(cast, "DV-02").numerator == 0
    measure = services.measure_request(
        case=case, actor=cast["worker1"], type="education", deciding_body="commune_chair"
    )
    moment = timezone.now()
    services.measure_decide(
        measure=measure,
        actor=cast["worker1"],
        decision="granted",
        decided_at=moment,
        starts_at=moment,
        ends_at=moment + dt.timedelta(days=30),
    )
    dv01, dv02 = value(cast, "DV-01"), value(cast, "DV-02")
    assert (dv01.numerator, dv01.denominator) == (1, 1)
    assert (dv02.numerator, dv02.denominator) == (1, 1)


def test_figures_are_live(cast, catalogue):
    assert value(cast, "GBV-01").numerator == 0
    open_case(cast["worker1"])
    assert value(cast, "GBV-01").numerator == 1


def test_a_call_counts_in_the_province_of_its_commune_else_of_its_hotline(cast, catalogue):
    """OP-04 counts an answered call once: where the caller's commune is, or at the hotline's
    place when the commune is not known (``measures._call_places``), whichever province's
    hotline took it."""
    from antoan.accounts.models import Agency, Membership
    from antoan.hotline.models import Call
    from antoan.indicators.selectors.places import forget
    from antoan.places.models import Place

    hanoi = Place.objects.create(code="01", name="Thành phố Hà Nội", level="province")
    ba_dinh = Place.objects.create(
        code="00004", name="Phường Ba Đình", level="commune", parent=hanoi
    )
    theirs = Agency.objects.create(
        code="so-y-te-ha-noi", name="Sở Y tế Hà Nội", kind=Agency.Kind.DEPARTMENT, place=hanoi
    )
    forget()
    ours = Membership.objects.filter(user=cast["hotline1"]).first().agency
    pho_hien = Place.objects.get(code="11953")
    at = timezone.now() - dt.timedelta(hours=2)

    def call(agency, commune):
        Call.objects.create(
            received_at=at, answered_at=at, ended_at=at + dt.timedelta(minutes=5),
            channel="phone", operator=cast["hotline1"], agency=agency, caller_type="survivor",
            category="dv", commune=commune, outcome="information_given", status="closed",
            closed_at=at + dt.timedelta(minutes=10),
        )  # fmt: skip

    call(ours, pho_hien)  # ours
    call(ours, None)  # ours: its hotline's place
    call(ours, ba_dinh)  # Hà Nội's: the caller's commune
    call(theirs, None)  # Hà Nội's
    call(theirs, pho_hien)  # ours
    assert value(cast, "OP-04").value == 3
    query = parse_query(hanoi, {"year": str(timezone.localdate().year)})
    calc = Calculator(query, suppress=False)
    indicator = next(i for i in calc.indicators if i.code == "OP-04")
    assert calc.value(indicator, TOTAL).value == 2
