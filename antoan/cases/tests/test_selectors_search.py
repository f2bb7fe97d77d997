"""Searching cases: names with or without diacritics, numbers, phones, filters, scope, audit."""

from __future__ import annotations

import json
import unicodedata

import pytest
from django.test import RequestFactory

from antoan.cases import services
from antoan.cases.selectors import CaseFilters, case_search
from antoan.cases.tests.conftest import close_case, fresh
from antoan.core.models import AuditEvent

HOA_GRAVE_ON_O = "Nguyễn Thị Hòa"  # "oà" typed with the mark on the o (old style)
HOA_GRAVE_ON_A = "Nguyễn Thị Hoà"  # the mark on the a (new style)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def world(cast, open_case):
    """Cases of agency A (worker1's and supervisor1's) and one of agency B with the same name."""
    w1, s1, w2 = cast["worker1"], cast["supervisor1"], cast["worker2"]
    assert HOA_GRAVE_ON_O != HOA_GRAVE_ON_A
    return {
        "hoa_o": open_case(w1, full_name=HOA_GRAVE_ON_O, phone="0912 345 678", birth_year=1990),
        "hoa_a": open_case(w1, full_name=HOA_GRAVE_ON_A, phone="0987 654 321", birth_year=1985),
        "lan": open_case(w1, full_name="Trần Thị Lan", phone="0911 222 333", birth_year=1979),
        "dao": open_case(
            w1, full_name="Đỗ Thị Đào", other_names="Bé Na", phone="", birth_year=2001
        ),
        # Lives in commune B but went to agency A.
        "mai": open_case(
            w1, full_name="Phạm Thị Mai", phone="0977 000 111", commune="12452", birth_year=1995
        ),
        # Opened by the supervisor, so assigned to the supervisor, not to worker1.
        "cuc": open_case(s1, full_name="Vũ Thị Cúc", phone="0966 000 222", birth_year=1970),
        # Agency B: same name and birth year as hoa_o.
        "b_hoa": open_case(
            w2, full_name=HOA_GRAVE_ON_O, phone="0955 000 333", commune="12452", birth_year=1990
        ),
    }


def numbers(user, **filters) -> set[str]:
    return {case.number for case in case_search(user, CaseFilters(**filters))}


def of(world, *keys) -> set[str]:
    return {world[key].number for key in keys}


@pytest.mark.parametrize(
    "typed",
    [
        "nguyen thi hoa",
        "Nguyen Thi Hoa",
        "NGUYỄN THỊ HÒA",
        HOA_GRAVE_ON_O,
        HOA_GRAVE_ON_A,
        nfd(HOA_GRAVE_ON_O),
        nfd(HOA_GRAVE_ON_A),
        "  nguyen   thi  hoa ",
        "hoa",
        "Hòa",
        "thi hoa",
        "hoa nguyen",  # any order
    ],
)
def test_a_name_is_found_however_it_is_typed(world, cast, typed):
    assert numbers(cast["worker1"], q=typed) == of(world, "hoa_o", "hoa_a")


def test_a_name_typed_in_nfd_is_stored_nfc_and_found_by_nfc_input(cast, open_case):
    case = open_case(cast["worker1"], full_name=nfd("Lê Thị Ngọc Ánh"))
    assert fresh(case).survivor.full_name == unicodedata.normalize("NFC", "Lê Thị Ngọc Ánh")
    assert numbers(cast["worker1"], q="Lê Thị Ngọc Ánh") == {case.number}
    assert numbers(cast["worker1"], q="le thi ngoc anh") == {case.number}


def test_d_with_stroke_is_found_by_plain_d(world, cast):
    assert numbers(cast["worker1"], q="do thi dao") == of(world, "dao")
    assert numbers(cast["worker1"], q="Đào") == of(world, "dao")


def test_other_names_are_searched_too(world, cast):
    assert numbers(cast["worker1"], q="be na") == of(world, "dao")


def test_every_word_must_match(world, cast):
    assert numbers(cast["worker1"], q="hoa lan") == set()
    assert numbers(cast["worker1"], q="nguyen van hoa") == set()
    assert numbers(cast["worker1"], q="thi") == of(world, "hoa_o", "hoa_a", "lan", "dao", "mai")


def test_a_part_of_a_word_is_not_a_match(world, cast):
    # Blind indexes compare whole words: "ho" is not "hoa" (and must not leak prefixes).
    assert numbers(cast["worker1"], q="ho") == set()


def test_the_case_number_finds_exactly_that_case(world, cast):
    number = world["lan"].number
    assert numbers(cast["worker1"], q=number) == {number}
    assert numbers(cast["worker1"], q=number.lower()) == {number}
    assert numbers(cast["worker1"], q=f"  {number} ") == {number}


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84 912 345 678",
        "84912345678",
    ],
)
def test_a_phone_is_found_however_it_is_typed(world, cast, typed):
    assert numbers(cast["worker1"], q=typed) == of(world, "hoa_o")


def test_filters(world, cast):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    lan = world["lan"]
    services.assessment_add(
        case=fresh(lan), actor=w1, needs=["health"], answers={"weapon": True, "fear_for_life": True}
    )
    services.case_update(
        case=fresh(world["hoa_a"]),
        actor=w1,
        version=fresh(world["hoa_a"]).version,
        changes={"risk_level": "high"},
    )
    close_case(world["dao"], worker=w1, supervisor=s1)

    mine = of(world, "hoa_o", "hoa_a", "lan", "dao", "mai")
    assert numbers(w1) == mine
    assert numbers(w1, status="open") == mine - of(world, "dao")
    assert numbers(w1, status="closed") == of(world, "dao")
    assert numbers(w1, stage="assessment") == of(world, "lan")
    assert numbers(w1, stage="closed") == of(world, "dao")
    assert fresh(lan).risk_level == "high"  # weapon 3 + fear 2 = 5
    assert numbers(w1, risk_level="high") == of(world, "hoa_a", "lan")
    assert numbers(w1, commune="12452") == of(world, "mai")
    assert numbers(w1, commune="11953", q="hoa") == of(world, "hoa_o", "hoa_a")
    assert numbers(w1, status="open", q="do thi dao") == set()


def test_mine_keeps_a_supervisor_to_the_cases_assigned_to_them(world, cast):
    s1 = cast["supervisor1"]
    assert numbers(s1, mine=True) == of(world, "cuc")
    assert numbers(s1) == of(world, "hoa_o", "hoa_a", "lan", "dao", "mai", "cuc")


def test_a_worker_finds_only_the_cases_assigned_to_them(world, cast):
    w1 = cast["worker1"]
    assert numbers(w1, q="vu thi cuc") == set()
    assert numbers(w1, q=world["cuc"].number) == set()
    assert numbers(w1, q="0966 000 222") == set()


def test_a_worker_of_another_agency_finds_nothing_of_agency_a(world, cast):
    w2 = cast["worker2"]
    assert numbers(w2) == of(world, "b_hoa")
    assert numbers(w2, q="nguyen thi hoa") == of(world, "b_hoa")
    assert numbers(w2, q=world["hoa_o"].number) == set()
    assert numbers(w2, q="0912 345 678") == set()
    assert numbers(w2, commune="11953") == set()


def test_a_supervisor_finds_all_of_their_agency_and_nothing_of_another(world, cast):
    s1 = cast["supervisor1"]
    assert numbers(s1, q="nguyen thi hoa") == of(world, "hoa_o", "hoa_a")
    assert numbers(s1, q=world["b_hoa"].number) == set()
    assert numbers(s1, q="0955 000 333") == set()


@pytest.mark.parametrize("username", ["hotline1", "health1", "police1", "reporter1", "analyst1"])
def test_roles_without_case_access_find_nothing(world, cast, username):
    assert numbers(cast[username]) == set()
    assert numbers(cast[username], q="nguyen thi hoa") == set()
    assert numbers(cast[username], q=world["hoa_o"].number) == set()


def test_a_search_is_audited_without_what_was_typed(world, cast):
    w1 = cast["worker1"]
    request = RequestFactory().get("/cases/", {"q": HOA_GRAVE_ON_O, "status": "open"})
    request.user = w1
    before = AuditEvent.objects.count()

    list(case_search(w1, CaseFilters(q=HOA_GRAVE_ON_O, status="open"), request=request))

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_type, event.user) == ("search", "case", w1)
    assert event.extra["filters"] == ["q", "status"]
    assert event.extra["path"] == "/cases/"
    stored = json.dumps([event.extra, event.changed_fields, event.object_id], ensure_ascii=False)
    for secret in [HOA_GRAVE_ON_O, "Hòa", "hoa", "Nguy", "?q", "%C3"]:
        assert secret not in stored


def test_a_phone_search_is_audited_without_the_phone(world, cast):
    list(case_search(cast["worker1"], CaseFilters(q="0912 345 678")))
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "search"
    assert "345" not in json.dumps(event.extra)


def test_a_list_without_a_query_is_audited_as_a_list(world, cast):
    list(case_search(cast["supervisor1"], CaseFilters(risk_level="high")))
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.extra["filters"]) == ("list", ["risk_level"])


def test_results_come_newest_first(cast, open_case, clock):
    first = open_case(cast["worker1"], full_name="Hà Thị Một")
    clock.advance(hours=1)
    second = open_case(cast["worker1"], full_name="Hà Thị Hai")
    found = [case.number for case in case_search(cast["worker1"], CaseFilters(q="ha thi"))]
    assert found == [second.number, first.number]
