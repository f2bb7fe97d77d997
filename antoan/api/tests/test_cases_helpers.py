"""Shared set-up of the case API tests: request bodies, cases in each state, a second supervisor.

Cases are set up through the services (the API's own behaviour is what the tests check);
requests go through the test client as JSON, as a partner system sends them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Role
from antoan.cases import services
from antoan.cases.models import Case
from antoan.cases.services import ConsentInput, IncidentInput, PerpetratorInput, SurvivorInput

NAME = "Nguyễn Thị Hòa"
PHONE = "0912345678"
CHECKLIST = {
    "goals_reviewed": True,
    "safety_reviewed": True,
    "survivor_informed": True,
    "referrals_closed": True,
    "records_complete": True,
}


def today() -> dt.date:
    return timezone.localdate()


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def case_body(**overrides: Any) -> dict[str, Any]:
    """A valid ``POST /api/v1/cases`` body (API.md's example), with top-level overrides."""
    body: dict[str, Any] = {
        "source": "hotline",
        "survivor": {
            "full_name": NAME,
            "sex": "female",
            "birth_year": 1990,
            "date_of_birth": None,
            "phone": PHONE,
            "commune": "11953",
            "disability": False,
            "ethnicity": "kinh",
        },
        "incident": {
            "occurred_on": days_ago(10).isoformat(),
            "commune": "11953",
            "gbv_type": "physical_assault",
            "dv_forms": ["physical"],
            "contexts": ["intimate_partner"],
            "first_reported_on": days_ago(9).isoformat(),
            "perpetrators": [{"sex": "male", "age_group": "26-40", "relationship": "husband"}],
        },
        "consent": {"services": True, "reporting": True},
        "needs": ["health", "legal"],
        "risk_level": "high",
    }
    body.update(overrides)
    return body


def with_survivor(**fields: Any) -> dict[str, Any]:
    body = case_body()
    body["survivor"] = {**body["survivor"], **fields}
    return body


def send(client, method: str, path: str, body: Any = None, **extra: Any):
    """A JSON request; ``body`` may be a str to send malformed content as is."""
    data = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    return getattr(client, method)(path, data=data, content_type="application/json", **extra)


def fields_of(response) -> dict[str, list[str]]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"].get("fields", {})


def open_case(
    user: User,
    *,
    full_name: str = NAME,
    phone: str = PHONE,
    birth_year: int = 1990,
    commune: str = "11953",
    with_incident: bool = True,
    consent: ConsentInput | None = None,
) -> Case:
    """A case opened by ``user`` in their agency (assigned to them if they are a worker)."""
    incident = None
    if with_incident:
        incident = IncidentInput(
            occurred_on=days_ago(10),
            first_reported_on=days_ago(9),
            gbv_type="physical_assault",
            dv_forms=["physical"],
            contexts=["intimate_partner"],
            commune=commune,
            perpetrators=[PerpetratorInput(sex="male", age_group="26-40", relationship="husband")],
        )
    result = services.case_open(
        actor=user,
        source="hotline",
        survivor=SurvivorInput(
            full_name=full_name, sex="female", birth_year=birth_year, phone=phone, commune=commune
        ),
        consent=consent or ConsentInput(services=True, reporting=True),
        incident=incident,
        needs=["health"],
        risk_level="medium",
    )
    return result.case


def fresh(case: Case) -> Case:
    case.refresh_from_db()
    return case


# The cases these tests close lack an assessment, a plan or a service: closing says why.
MISSING_REASON = "Người bị bạo lực đã chuyển đến tỉnh khác"


def request_closure(case: Case, user: User) -> Case:
    services.closure_request(
        case=case,
        actor=user,
        reason="Đã ổn định",
        checklist=CHECKLIST,
        version=case.version,
        missing_reason=MISSING_REASON,
    )
    return fresh(case)


def close(case: Case, worker: User, supervisor: User) -> Case:
    request_closure(case, worker)
    services.closure_decide(case=case, actor=supervisor, approve=True, version=case.version)
    return fresh(case)


@pytest.fixture(name="supervisor2")
def supervisor2_fixture(cast) -> User:
    """A supervisor of agency B (Trần Hưng Đạo), where worker2 works: receives transfers."""
    user = User.objects.create_user(
        username="supervisor2", password="x-unused-x", first_name="Quang", last_name="Phạm Văn"
    )
    Membership.objects.create(
        user=user,
        agency=Agency.objects.get(code="ubnd-tran-hung-dao"),
        role=Role.CASE_SUPERVISOR,
        valid_from=dt.date(2025, 7, 1),
    )
    return user


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)
