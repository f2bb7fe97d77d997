"""Races that only a real database shows: double submits, numbers, simultaneous edits."""

from __future__ import annotations

import uuid

import pytest

from antoan.accounts.models import User
from antoan.cases import services
from antoan.cases.models import Case, Survivor
from antoan.cases.services import CaseConflict
from antoan.cases.tests.conftest import MISSING_REASON, fresh
from tests.concurrency import race

pytestmark = pytest.mark.postgres_only


def as_user(username: str) -> User:
    # Each thread loads its own user: the permission cache lives on the instance.
    return User.objects.get(username=username)


def test_a_double_submit_makes_one_case(transactional_db, cast, open_result):
    key = uuid.uuid4()
    results, errors = race(
        *[lambda: open_result(as_user("worker1"), client_uuid=key) for _ in range(4)]
    )
    assert errors == []
    assert Case.objects.count() == 1
    assert Survivor.objects.count() == 1
    case = Case.objects.get()
    assert {r.case.pk for r in results} == {case.pk}
    assert {r.case.number for r in results} == {case.number}
    assert sorted(r.created for r in results) == [False, False, False, True]


def test_simultaneous_intakes_get_distinct_consecutive_numbers(transactional_db, cast, open_result):
    users = ["worker1", "worker1", "supervisor1", "worker2", "worker2", "supervisor1"]
    results, errors = race(
        *[lambda u=u: open_result(as_user(u), full_name=f"Người {u}") for u in users]
    )
    assert errors == []
    numbers = sorted(r.case.number for r in results)
    assert numbers == [f"HY-2026-{n:06d}" for n in range(1, len(users) + 1)]


def test_two_simultaneous_edits_from_one_version_let_exactly_one_through(
    transactional_db, cast, open_case
):
    case = open_case(cast["worker1"])
    loaded = case.version

    def edit(username: str, level: str):
        return lambda: services.case_update(
            case=fresh(case), actor=as_user(username), version=loaded, changes={"risk_level": level}
        )

    results, errors = race(edit("worker1", "medium"), edit("supervisor1", "high"))
    assert len(errors) == 1
    assert isinstance(errors[0], CaseConflict)
    (winner,) = [r for r in results if r is not None]
    stored = fresh(case)
    assert stored.version == loaded + 1
    assert stored.risk_level == winner.risk_level
    assert [e.version for e in errors[0].events] == [loaded + 1]


def test_two_supervisors_deciding_one_closure_close_it_once(transactional_db, cast, open_case):
    from antoan.accounts.models import Membership
    from antoan.accounts.roles import Role
    from antoan.cases.models import ClosureRequest
    from antoan.cases.tests.conftest import full_checklist

    w1, s1 = cast["worker1"], cast["supervisor1"]
    other = User.objects.create(username="supervisor1b")
    Membership.objects.create(
        user=other, agency=s1.memberships.get().agency, role=Role.CASE_SUPERVISOR
    )
    case = open_case(w1)
    services.closure_request(
        case=fresh(case),
        actor=w1,
        reason="Xong",
        checklist=full_checklist(),
        version=fresh(case).version,
        missing_reason=MISSING_REASON,
    )

    def decide(username: str, approve: bool):
        return lambda: services.closure_decide(
            case=fresh(case), actor=as_user(username), approve=approve, comment="Ý kiến"
        )

    _results, errors = race(decide("supervisor1", True), decide("supervisor1b", False))
    assert len(errors) == 1
    decided = ClosureRequest.objects.get(case=case)
    assert decided.decision in {"approved", "returned"}
    assert fresh(case).status == ("closed" if decided.decision == "approved" else "open")
