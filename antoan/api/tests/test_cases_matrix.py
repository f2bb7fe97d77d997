"""Who may call which case endpoint, across the whole cast (RapidPro style).

On a case of worker1 (agency A, commune 11953): worker1 works on it; supervisor1 supervises
agency A; worker2 (agency B) is not on it and gets 404, as for a missing case; every other role
lacks case permissions altogether and gets 404 on every id alike (as for a missing case);
anonymous callers get 401.
A refusal never carries the survivor's name or the case number, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.accounts.tests.helpers import api_token, bearer
from antoan.api.tests.test_cases_helpers import (
    CHECKLIST,
    NAME,
    case_body,
    close,
    days_ago,
    fresh,
    open_case,
    request_closure,
    send,
    supervisor2_fixture,  # noqa: F401 - the supervisor2 fixture
    today,
)
from antoan.cases import services
from antoan.cases.models import Case, CaseTransfer

pytestmark = pytest.mark.django_db

NO_CASE_ROLES = {
    "hotline1",
    "health1",
    "police1",
    "reporter1",
    "leader1",
    "nurse1",
    "coordinator1",
    "analyst1",
    "manager1",
    "auditor1",
    "admin1",
}


def _hospital() -> int:
    return Agency.objects.get(code="bv-da-khoa-tinh").pk


def _agency_b() -> int:
    return Agency.objects.get(code="ubnd-tran-hung-dao").pk


def _pending_measure(case: Case, cast) -> dict[str, Any]:
    measure = services.measure_request(
        case=case, actor=cast["worker1"], type="shelter", deciding_body="other"
    )
    return {"measure": measure.pk}


def _closure_requested(case: Case, cast) -> dict[str, Any]:
    request_closure(case, cast["worker1"])
    return {}


def _closed(case: Case, cast) -> dict[str, Any]:
    close(case, cast["worker1"], cast["supervisor1"])
    return {}


@dataclass
class Endpoint:
    name: str
    method: str
    tail: str  # after /api/v1/cases/{id}
    body: Callable[[Case], dict[str, Any]] | None
    worker1: int
    supervisor1: int
    state: Callable[[Case, Any], dict[str, Any]] = field(default=lambda case, cast: {})


CASE_ENDPOINTS = [
    Endpoint("detail", "get", "", None, 200, 200),
    Endpoint(
        "update", "patch", "", lambda c: {"version": c.version, "risk_level": "high"}, 200, 200
    ),
    Endpoint(
        "incidents",
        "post",
        "/incidents",
        lambda c: {
            "occurred_on": days_ago(2).isoformat(),
            "first_reported_on": days_ago(1).isoformat(),
            "gbv_type": "psychological_abuse",
        },
        201,
        201,
    ),
    Endpoint(
        "assessments",
        "post",
        "/assessments",
        lambda c: {"needs": ["health"], "answers": {"weapon": True}},
        201,
        201,
    ),
    Endpoint("safety-plans", "post", "/safety-plans", lambda c: {"content": "Kế hoạch"}, 201, 201),
    Endpoint(
        "case-plans",
        "post",
        "/case-plans",
        lambda c: {
            "goals": "Mục tiêu",
            "items": [
                {"service": "health", "responsible_agency": _hospital(), "due_on": str(today())}
            ],
        },
        201,
        201,
    ),
    Endpoint(
        "follow-ups",
        "post",
        "/follow-ups",
        lambda c: {"done_on": str(today()), "method": "phone"},
        201,
        201,
    ),
    Endpoint("notes", "post", "/notes", lambda c: {"body": "Ghi chú"}, 201, 201),
    Endpoint(
        "consents",
        "post",
        "/consents",
        lambda c: {"services": True, "reporting": False},
        201,
        201,
    ),
    Endpoint(
        "consents-withdraw",
        "post",
        "/consents/withdraw",
        lambda c: {"purpose": "reporting"},
        200,
        200,
    ),
    Endpoint(
        "measures",
        "post",
        "/measures",
        lambda c: {"type": "shelter", "deciding_body": "other"},
        201,
        201,
    ),
    Endpoint(
        "measure-decision",
        "post",
        "/measures/{measure}/decision",
        lambda c: {
            "decision": "refused",
            "decided_at": timezone.now().isoformat(),
            "refusal_reason": "Không đủ căn cứ",
        },
        200,
        200,
        _pending_measure,
    ),
    Endpoint(
        "closure-request",
        "post",
        "/closure-request",
        lambda c: {
            "reason": "Ổn định",
            "checklist": CHECKLIST,
            "version": c.version,
            "missing_reason": "Đã chuyển đi nơi khác",
        },
        201,
        201,
    ),
    # Supervisor only: worker1 is on the case, so they learn it exists and get 403.
    Endpoint(
        "closure-decision",
        "post",
        "/closure-decision",
        lambda c: {"approve": True},
        403,
        200,
        _closure_requested,
    ),
    Endpoint(
        "reopen",
        "post",
        "/reopen",
        lambda c: {"reason": "Tái diễn", "version": c.version},
        403,
        200,
        _closed,
    ),
    Endpoint(
        "transfer",
        "post",
        "/transfer",
        lambda c: {"to_agency": _agency_b(), "reason": "Chuyển", "version": c.version},
        403,
        201,
    ),
]


def _call(client: Client, endpoint: Endpoint, case: Case, extra: dict[str, Any]):
    path = f"/api/v1/cases/{case.pk}{endpoint.tail.format(**extra)}"
    if endpoint.body is None:
        return getattr(client, endpoint.method)(path)
    return send(client, endpoint.method, path, endpoint.body(case))


def _prepared(endpoint: Endpoint, cast) -> tuple[Case, dict[str, Any]]:
    case = open_case(cast["worker1"])
    extra = endpoint.state(case, cast)
    return fresh(case), extra


def _assert_refusal_reveals_nothing(response, case: Case, version: int) -> None:
    text = response.content.decode()
    assert NAME not in text
    assert case.number not in text
    assert set(response.json()) == {"error"}
    assert fresh(case).version == version


@pytest.mark.parametrize("endpoint", CASE_ENDPOINTS, ids=[e.name for e in CASE_ENDPOINTS])
def test_case_endpoint_matrix(client, cast, endpoint):
    expected = {
        "worker1": endpoint.worker1,
        "supervisor1": endpoint.supervisor1,
        "worker2": 404,
        **dict.fromkeys(NO_CASE_ROLES, 404),
    }
    assert set(expected) == set(cast), "a new cast member needs a row here"

    for username, user in cast.items():
        case, extra = _prepared(endpoint, cast)
        version = case.version
        client.force_login(user)
        response = _call(client, endpoint, case, extra)
        assert response.status_code == expected[username], (username, response.content)
        if response.status_code >= 400:
            _assert_refusal_reveals_nothing(response, case, version)
        else:
            assert fresh(case).version >= version
        client.logout()

    case, extra = _prepared(endpoint, cast)
    anonymous = _call(Client(), endpoint, case, extra)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    _assert_refusal_reveals_nothing(anonymous, case, case.version)


def test_a_missing_case_is_404_for_everyone(client, cast):
    for username, user in cast.items():
        client.force_login(user)
        response = client.get("/api/v1/cases/999999")
        assert response.status_code == 404, username
        client.logout()


def test_who_may_list_and_open_cases(client, cast):
    open_case(cast["worker1"])
    can_list = {"worker1", "supervisor1", "worker2"}
    can_open = can_list | {"hotline1"}
    for username, user in cast.items():
        client.force_login(user)
        listing = client.get("/api/v1/cases")
        assert listing.status_code == (200 if username in can_list else 403), username
        if username not in {"worker1", "supervisor1"}:
            assert NAME not in listing.content.decode(), username
        before = Case.objects.count()
        opened = send(client, "post", "/api/v1/cases", case_body())
        assert opened.status_code == (201 if username in can_open else 403), username
        assert Case.objects.count() == before + (username in can_open)
        client.logout()
    assert Client().get("/api/v1/cases").status_code == 401
    assert send(Client(), "post", "/api/v1/cases", case_body()).status_code == 401


def test_who_may_see_and_decide_incoming_transfers(client, cast, supervisor2):
    # From agency B to agency A: supervisor1 receives it.
    def pending_transfer() -> CaseTransfer:
        case = open_case(cast["worker2"], commune="12452")
        return services.transfer_request(
            case=case,
            actor=supervisor2,
            to_agency=Agency.objects.get(code="ubnd-pho-hien"),
            reason="Chuyển về phường Phố Hiến",
            version=case.version,
        )

    transfer = pending_transfer()
    for username, user in [*cast.items(), ("supervisor2", supervisor2)]:
        client.force_login(user)
        listing = client.get("/api/v1/case-transfers")
        if username == "supervisor1":
            assert listing.status_code == 200
            assert [t["case_number"] for t in listing.json()["results"]] == [transfer.case.number]
        elif username == "supervisor2":
            assert listing.json()["results"] == []  # they sent it; it is not addressed to them
        else:
            assert listing.status_code == 403, username

        decision = send(
            client, "post", f"/api/v1/case-transfers/{transfer.pk}/decision", {"accept": True}
        )
        if username == "supervisor1":
            assert decision.status_code == 200, decision.json()
            transfer = pending_transfer()
        else:
            assert decision.status_code == (404 if username == "supervisor2" else 403), username
            assert CaseTransfer.objects.get(pk=transfer.pk).status == "pending"
        client.logout()
    assert Client().get("/api/v1/case-transfers").status_code == 401


def test_a_partner_system_with_a_bearer_token_gets_the_same_answers(client, cast):
    case = open_case(cast["worker1"])
    worker_token = api_token(client, "worker1").json()["token"]
    analyst_token = api_token(client, "analyst1").json()["token"]

    api = Client()
    assert api.get(f"/api/v1/cases/{case.pk}", **bearer(worker_token)).status_code == 200
    assert api.get(f"/api/v1/cases/{case.pk}", **bearer(analyst_token)).status_code == 404
    assert api.get(f"/api/v1/cases/{case.pk}", **bearer("x" * 40)).status_code == 401
    created = api.post(
        "/api/v1/cases",
        data=case_body(),
        content_type="application/json",
        **bearer(worker_token),
    )
    assert created.status_code == 201


def test_a_membership_that_ended_closes_the_case(client, cast):
    from antoan.accounts.models import Membership

    case = open_case(cast["worker1"])
    Membership.objects.filter(user=cast["worker1"]).update(valid_to=dt.date(2025, 12, 31))
    client.force_login(cast["worker1"])
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
