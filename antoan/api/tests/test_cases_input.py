"""Bad input to ``POST /api/v1/cases`` (a clear 400 on the field, nothing saved) and encryption
of what good input stores."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from antoan.api.tests.test_cases_helpers import (
    NAME,
    PHONE,
    case_body,
    days_ago,
    fields_of,
    send,
    today,
    with_survivor,
)
from antoan.cases.models import Case, CaseEvent, Consent, Incident, Perpetrator, Survivor

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Survivor, Case, Incident, Perpetrator, Consent, CaseEvent)
    }


# --- Bad input: a clear 400 on the field, nothing saved -----------------------------------------


def _child_body(**consent):
    body = with_survivor(birth_year=today().year - 12)
    body["consent"] = {"services": True, "reporting": True, **consent}
    return body


def _incident(**fields):
    body = case_body()
    body["incident"] = {**body["incident"], **fields}
    return body


BAD_INPUT = [
    ("unknown sex", with_survivor(sex="woman"), "survivor.sex"),
    ("unknown source", case_body(source="pigeon"), "source"),
    ("unknown need", case_body(needs=["health", "spa"]), "needs.1"),
    ("unknown risk level", case_body(risk_level="extreme"), "risk_level"),
    (
        "unknown relationship",
        _incident(perpetrators=[{"sex": "male", "age_group": "26-40", "relationship": "boss"}]),
        "incident.perpetrators.0.relationship",
    ),
    ("unknown gbv type", _incident(gbv_type="bullying"), "incident.gbv_type"),
    ("impossible date", with_survivor(date_of_birth="2025-02-30", birth_year=None), None),
    ("birth in the future", with_survivor(birth_year=today().year + 1), "survivor.birth_year"),
    ("reported before it happened", _incident(first_reported_on=days_ago(20).isoformat()), None),
    ("incident in the future", _incident(occurred_on="2999-01-01"), "incident.occurred_on"),
    ("child without a guardian's consent", _child_body(), "consent.given_by"),
    (
        "child of 12 not asked",
        _child_body(given_by="guardian", child_agreed=None),
        "consent.child_agreed",
    ),
    ("NUL byte in the name", with_survivor(full_name="Nguyễn\x00Thị Hòa"), "survivor.full_name"),
    ("escape character", with_survivor(full_name="Nguyễn \x1b[31mHòa"), "survivor.full_name"),
    ("10,000-character name", with_survivor(full_name="A" * 10_000), "survivor.full_name"),
    ("blank name", with_survivor(full_name="   "), "survivor.full_name"),
    ("misspelt key", with_survivor(fullname="X"), "survivor.fullname"),
    ("unknown top-level key", case_body(risk_levle="high"), "risk_levle"),
    ("unknown commune", with_survivor(commune="99999"), "survivor.commune"),
    ("unknown incident commune", _incident(commune="99999"), "incident.commune"),
    (
        "consent that is not a boolean",
        case_body(consent={"services": "yes", "reporting": True}),
        "consent.services",
    ),
    ("no consent", {k: v for k, v in case_body().items() if k != "consent"}, "consent"),
    ("survivor not an object", case_body(survivor="Hòa"), "survivor"),
    ("a name that is a number", with_survivor(full_name=12), "survivor.full_name"),
    ("bad phone", with_survivor(phone="call me"), "survivor.phone"),
    ("bad client_uuid", case_body(client_uuid="not-a-uuid"), "client_uuid"),
    ("agency id beyond any integer column", case_body(agency=10**20), "agency"),
    (
        "birth year beyond any integer column",
        with_survivor(birth_year=10**20),
        "survivor.birth_year",
    ),
]


@pytest.mark.parametrize(
    ("body", "field"), [(b, f) for _, b, f in BAD_INPUT], ids=[i for i, *_ in BAD_INPUT]
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(client_for, cast, body, field):
    before = counts()
    response = send(client_for(cast["worker1"]), "post", CASES, body)

    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "Dữ liệu không hợp lệ."
    if field is not None:
        assert field in error["fields"], error
        assert all(error["fields"][field]), error
    assert counts() == before


def test_impossible_and_disordered_dates_name_their_fields(client_for, cast):
    client = client_for(cast["worker1"])
    impossible = send(client, "post", CASES, with_survivor(date_of_birth="2025-02-30"))
    assert "survivor.date_of_birth" in fields_of(impossible)

    disordered = send(client, "post", CASES, _incident(first_reported_on=days_ago(20).isoformat()))
    assert "incident.first_reported_on" in fields_of(disordered)

    born = days_ago(5)
    body = with_survivor(birth_year=None, date_of_birth=born.isoformat())
    body["consent"] = {"services": True, "reporting": True, "given_by": "guardian"}
    before_birth = send(client, "post", CASES, body)
    assert "incident.occurred_on" in fields_of(before_birth)
    assert not Case.objects.exists()


def test_error_messages_are_vietnamese_and_do_not_echo_long_input(client_for, cast):
    response = send(client_for(cast["worker1"]), "post", CASES, with_survivor(sex="x" * 5000))
    message = fields_of(response)["survivor.sex"][0]
    assert "không hợp lệ" in message
    assert len(message) < 100


def test_malformed_json_is_a_400(client_for, cast):
    response = send(client_for(cast["worker1"]), "post", CASES, '{"source": ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


# --- Encryption at rest --------------------------------------------------------------------------


def test_identifying_fields_are_not_in_clear_in_the_database(client_for, cast):
    body = with_survivor(address="Số 5 ngõ Hoà Bình", national_id="033190001234")
    response = send(client_for(cast["worker1"]), "post", CASES, body)
    assert response.status_code == 201

    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone, address, national_id FROM cases_survivor")
        rows = cursor.fetchall()
    assert len(rows) == 1
    stored = " ".join(rows[0])
    for clear in (NAME, "Nguyễn", "Hòa", "Hoa", PHONE, "912345678", "Hoà Bình", "033190001234"):
        assert clear not in stored
    # "<key version>:<row key>:<base64>": a key rotation finds what to re-encrypt, and each
    # value names the row it was sealed for.
    assert all(re.fullmatch(r"\w+:[0-9a-f]{32}:[A-Za-z0-9_=-]+", value) for value in rows[0])
    # The application still reads them back.
    assert Survivor.objects.get().full_name == NAME
