"""The case search's own index (``CaseSearchToken``) follows the case: a user never misses a case
that matches, nor finds one that no longer does, after a status change, a transfer, a new name
or an erasure; and the rows only narrow the search, never widen the user's scope."""

from __future__ import annotations

import pytest

from antoan.cases import services
from antoan.cases.models import CaseSearchToken, Survivor
from antoan.cases.selectors import CaseFilters, case_search
from antoan.cases.services.intake import index_survivor
from antoan.cases.tests.conftest import close_case, fresh
from antoan.privacy.erasure import anonymise_survivor

NAME = "Nguyễn Thị Hòa"


def found(user, q="nguyen thi hoa", **filters) -> list[str]:
    return [case.number for case in case_search(user, CaseFilters(q=q, **filters))]


@pytest.fixture
def case(cast, open_case):
    return open_case(cast["worker1"], full_name=NAME, commune="11953")


def test_a_new_case_is_found_by_its_name_status_and_commune(case, cast):
    for user in (cast["worker1"], cast["supervisor1"]):
        assert found(user) == [case.number]
        assert found(user, "hoa", status="open", commune="11953") == [case.number]
    assert found(cast["supervisor1"], status="open", commune="12452") == []
    assert found(cast["worker2"]) == []


def test_a_closed_case_leaves_the_open_search_and_returns_when_reopened(case, cast):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    closed = close_case(case, worker=w1, supervisor=s1)
    assert found(s1, status="open") == []
    assert found(s1, status="closed") == [case.number]
    assert found(s1, "thi hoa") == [case.number]

    services.case_reopen(case=closed, actor=s1, reason="Chị quay lại", version=closed.version)
    assert found(s1, status="open") == [case.number]
    assert found(s1, status="closed") == []


def test_a_transferred_case_is_found_by_the_new_agency_only(case, cast, agencies, supervisor2):
    w1, s1, w2 = cast["worker1"], cast["supervisor1"], cast["worker2"]
    transfer = services.transfer_request(
        case=fresh(case),
        actor=s1,
        to_agency=agencies["b"],
        reason="Chị chuyển về sống ở phường Trần Hưng Đạo",
        version=fresh(case).version,
    )
    assert found(supervisor2) == []  # until accepted it stays where it was
    services.transfer_decide(transfer=transfer, actor=supervisor2, accept=True, assign_to=w2)

    assert found(supervisor2, status="open", commune="11953") == [case.number]
    assert found(w2) == [case.number]
    assert found(s1) == []
    assert found(w1) == []
    assert set(CaseSearchToken.objects.filter(case=case).values_list("agency", flat=True)) == {
        agencies["b"].pk
    }


def test_a_new_name_is_found_and_the_old_one_no_longer(case, cast):
    s1 = cast["supervisor1"]
    survivor = Survivor.objects.get(pk=case.survivor_id)
    survivor.full_name = "Trần Thị Lan"
    survivor.save()
    index_survivor(survivor)

    assert found(s1) == []
    assert found(s1, "nguyen") == []
    assert found(s1, "tran thi lan", status="open") == [case.number]


def test_an_erased_survivor_is_not_found_and_leaves_no_search_rows(case, cast, open_case):
    other = open_case(cast["worker1"], full_name="Nguyễn Thị Hòa Bình")
    close_case(case, worker=cast["worker1"], supervisor=cast["supervisor1"])
    anonymise_survivor(case.survivor_id)

    assert not CaseSearchToken.objects.filter(case=case).exists()
    assert found(cast["supervisor1"]) == [other.number]
    assert found(cast["supervisor1"], "hoa") == [other.number]


def test_rows_of_another_agency_never_show_a_case_outside_the_scope(cast, open_case):
    """The rows narrow the walk; the case's own agency and assignment still decide."""
    theirs = open_case(cast["worker2"], full_name=NAME, commune="12452")
    mine = open_case(cast["worker1"], full_name=NAME)
    stale_agency = mine.agency_id
    CaseSearchToken.objects.filter(case=theirs).update(agency_id=stale_agency)

    assert found(cast["supervisor1"]) == [mine.number]
    assert found(cast["worker1"]) == [mine.number]


def test_a_worker_finds_only_the_cases_assigned_to_them(cast, open_case):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    worker_case = open_case(w1, full_name=NAME)
    supervisor_case = open_case(s1, full_name=NAME)  # assigned to the supervisor

    assert found(w1) == [worker_case.number]
    assert found(s1) == [supervisor_case.number, worker_case.number]  # newest first
