"""``/api/v1/hotline/calls``: the role matrix, the contract fields, bad input, the case link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from antoan.api.tests.test_cases_helpers import fields_of, send
from antoan.cases.models import Case
from antoan.core.models import AuditEvent
from antoan.hotline.models import Call, CallNotification
from antoan.hotline.tests.conftest import (  # noqa: F401 - fixtures
    SUMMARY,
    directory_fixture,
    hotlinesup_fixture,
    log_call_fixture,
)

pytestmark = pytest.mark.django_db

CALLS = "/api/v1/hotline/calls"
NO_HOTLINE = ["worker1", "worker2", "health1", "police1", "reporter1", "analyst1", "admin1"]


def call_body(**overrides):
    return {
        "channel": "phone",
        "caller_type": "survivor",
        "category": "dv",
        "commune": "11953",
        "summary": SUMMARY,
        "immediate_danger": True,
        "duration_seconds": 300,
        **overrides,
    }


def open_case_body(**overrides):
    return {
        "survivor": {"full_name": "Nguyễn Thị Hòa", "sex": "female", "birth_year": 1990},
        "consent": {"services": True, "reporting": True},
        "needs": ["safety"],
        **overrides,
    }


def test_an_operator_logs_a_call_and_gets_the_contract_fields(cast, client_for):
    response = send(client_for(cast["hotline1"]), "post", CALLS, call_body())
    assert response.status_code == 201, response.json()
    body = response.json()
    call = Call.objects.get()
    assert body["id"] == call.pk and body["status"] == "open" and body["version"] == 1
    assert body["commune"] == "11953" and body["summary"] == SUMMARY
    assert body["commune_chair_notified"] is False and body["case"] is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM hotline_call WHERE id = %s", [call.pk])
        assert "Hòa" not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(object_type="call", action="create").count() == 1


@pytest.mark.parametrize("name", NO_HOTLINE)
def test_roles_without_hotline_permissions_get_403_everywhere(cast, client_for, log_call, name):
    call = log_call()
    client = client_for(cast[name])
    assert send(client, "post", CALLS, call_body()).status_code == 403
    assert client.get(CALLS).status_code == 403
    assert client.get(f"{CALLS}/{call.pk}").status_code == 403
    assert send(client, "post", f"{CALLS}/{call.pk}/open-case", open_case_body()).status_code == 403
    notice = {"role": "police", "method": "phone", "person_name": "Trực ban"}
    assert send(client, "post", f"{CALLS}/{call.pk}/notifications", notice).status_code == 403
    assert Call.objects.count() == 1 and not CallNotification.objects.exists()
    assert AuditEvent.objects.filter(action="permission_denied").exists()


def test_anonymous_gets_401(client, log_call):
    call = log_call()
    assert client.get(f"{CALLS}/{call.pk}").status_code == 401


def test_another_agencys_supervisor_gets_404_and_an_empty_list(cast, client_for, log_call):
    call = log_call()
    client = client_for(cast["supervisor1"])
    assert client.get(f"{CALLS}/{call.pk}").status_code == 404
    assert client.get(CALLS).json() == {"results": [], "next": None}
    assert send(client, "post", CALLS, call_body()).status_code == 403  # not an operator
    assert client.get(f"{CALLS}/999999").status_code == 404


def test_list_is_scoped_and_cursor_paginated(cast, client_for, log_call, hotlinesup):
    from antoan.accounts.models import Agency, Membership, User

    other = User.objects.create(username="hotline2")
    Membership.objects.create(
        user=other,
        agency=Agency.objects.get(code="ctxh-tinh"),
        role="hotline_operator",
        valid_from=dt.date(2025, 7, 1),
    )
    queued = log_call(other)
    closed = log_call(other, outcome="referred", close=True)
    mine = [log_call() for _ in range(3)]
    client = client_for(cast["hotline1"])
    first = client.get(CALLS, {"limit": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    ids = {c["id"] for c in first["results"] + second["results"]}
    assert ids == {queued.pk, *(c.pk for c in mine)}
    assert "summary" not in first["results"][0]
    assert client.get(f"{CALLS}/{closed.pk}").status_code == 404
    everything = client_for(hotlinesup).get(CALLS).json()["results"]
    assert {c["id"] for c in everything} == ids | {closed.pk}


def test_a_call_dated_in_the_future_is_refused(cast, client_for):
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = send(client_for(cast["hotline1"]), "post", CALLS, call_body(received_at=future))
    assert response.status_code == 400
    assert "received_at" in fields_of(response)
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"caller_type": "alien"}, "caller_type"),
        ({"category": 3}, "category"),
        ({"outcome": "case_opened"}, "outcome"),
        ({"immediate_danger": "yes"}, "immediate_danger"),
        ({"commune": "99999"}, "commune"),
        ({"duration_seconds": -5}, "duration_seconds"),
        ({"operator": 1}, "operator"),
    ],
)
def test_bad_input_is_refused_naming_the_field(cast, client_for, overrides, field):
    response = send(client_for(cast["hotline1"]), "post", CALLS, call_body(**overrides))
    assert response.status_code == 400, response.json()
    assert field in fields_of(response)
    assert not Call.objects.exists()


def test_notifications_clear_the_chair_reminder(cast, client_for, log_call):
    call = log_call(immediate_danger=True)
    client = client_for(cast["hotline1"])
    url = f"{CALLS}/{call.pk}/notifications"
    assert send(client, "post", url, {"role": "mayor", "method": "phone"}).status_code == 400
    response = send(
        client, "post", url, {"role": "commune_chair", "method": "phone", "person_name": "Ô. Chủ"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "commune_chair"
    detail = client.get(f"{CALLS}/{call.pk}").json()
    assert detail["commune_chair_notified"] is True
    assert [n["person_name"] for n in detail["notifications"]] == ["Ô. Chủ"]


def test_hotline_call_to_case_keeps_the_link(cast, client_for, log_call, hotlinesup):
    call = log_call(immediate_danger=True)
    client = client_for(cast["hotline1"])
    response = send(client, "post", f"{CALLS}/{call.pk}/open-case", open_case_body())
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert response.json()["case"] == {"number": case.number, "id": None}
    assert case.source == "hotline" and case.risk_level == "immediate"
    detail = client.get(f"{CALLS}/{call.pk}").json()
    assert detail["case"] == {"number": case.number, "id": None}
    assert detail["outcome"] == "case_opened"
    # The hotline's supervisor may open the case: they get its id.
    sup = client_for(hotlinesup).get(f"{CALLS}/{call.pk}").json()
    assert sup["case"] == {"number": case.number, "id": case.pk}
    again = send(client, "post", f"{CALLS}/{call.pk}/open-case", open_case_body())
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_linked"
    assert Case.objects.count() == 1


def test_open_case_with_bad_survivor_names_the_nested_field(cast, client_for, log_call):
    call = log_call()
    body = open_case_body(survivor={"full_name": "", "sex": "female"})
    response = send(client_for(cast["hotline1"]), "post", f"{CALLS}/{call.pk}/open-case", body)
    assert response.status_code == 400
    assert "survivor.full_name" in fields_of(response)
    call.refresh_from_db()
    assert call.case is None and not Case.objects.exists()
