"""``/api/v1/cases``: opening, listing, reading and changing a case, as a partner system sees it."""

from __future__ import annotations

import json
import re
import unicodedata
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Role
from antoan.api.tests.test_cases_helpers import (
    NAME,
    PHONE,
    case_body,
    fields_of,
    fresh,
    open_case,
    send,
    today,
    with_survivor,
)
from antoan.cases import services
from antoan.cases.models import Case, CaseEvent, Consent, Incident, Perpetrator, Survivor
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
SEARCH = "/api/v1/cases/search"


def case_url(case) -> str:
    return f"{CASES}/{case.pk if hasattr(case, 'pk') else case}"


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Survivor, Case, Incident, Perpetrator, Consent, CaseEvent)
    }


# --- Opening a case ----------------------------------------------------------------------------


def test_a_case_worker_opens_a_case_and_gets_the_contract_fields(client_for, cast):
    worker = cast["worker1"]
    response = send(client_for(worker), "post", CASES, case_body())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert re.fullmatch(r"[A-Z]+-\d{4}-\d{6}", body["number"])
    assert body["version"] >= 1
    assert (body["status"], body["stage"], body["risk_level"]) == ("open", "intake", "high")
    assert body["source"] == "hotline"
    assert body["needs"] == ["health", "legal"]
    assert body["assigned_to"] == worker.pk
    assert body["agency"] == Agency.objects.get(code="ubnd-pho-hien").pk
    assert body["survivor"]["full_name"] == NAME
    assert body["survivor"]["phone"] == PHONE
    assert body["survivor"]["commune"] == "11953"
    assert body["possible_duplicates"] == {"cases": []}
    assert "Idempotent-Replayed" not in response

    case = Case.objects.get(pk=body["id"])
    assert case.number == body["number"]
    incident = case.incidents.get()
    assert incident.gbv_type == "physical_assault"
    assert [p.relationship for p in incident.perpetrators.all()] == ["husband"]
    assert case.consents.filter(purpose="services", granted=True).exists()


def test_a_child_case_with_a_guardians_consent_and_the_childs_agreement_opens(client_for, cast):
    body = with_survivor(birth_year=today().year - 12, guardian_name="Nguyễn Văn Bố")
    body["consent"] = {
        "services": True,
        "reporting": False,
        "given_by": "guardian",
        "child_agreed": True,
        "method": "written",
    }
    response = send(client_for(cast["worker1"]), "post", CASES, body)
    assert response.status_code == 201, response.json()
    assert response.json()["survivor"]["guardian_name"] == "Nguyễn Văn Bố"


def test_a_case_without_an_incident_opens(client_for, cast):
    response = send(client_for(cast["worker1"]), "post", CASES, case_body(incident=None))
    assert response.status_code == 201, response.json()
    assert not Incident.objects.exists()


def test_the_hotline_operator_opens_a_case_but_sees_nothing_of_it_afterwards(client_for, cast):
    client = client_for(cast["hotline1"])
    response = send(client, "post", CASES, case_body())
    assert response.status_code == 201, response.json()
    body = response.json()
    # The operator entered the name seconds ago; the answer may repeat it to them.
    assert body["survivor"]["full_name"] == NAME
    assert body["agency"] == Agency.objects.get(code="ctxh-tinh").pk

    assert client.get(case_url(body["id"])).status_code == 404
    assert client.get(CASES).status_code == 403


def test_an_agency_the_caller_cannot_create_cases_for_is_refused(client_for, cast):
    other = Agency.objects.get(code="ubnd-tran-hung-dao")
    response = send(client_for(cast["worker1"]), "post", CASES, case_body(agency=other.pk))
    assert response.status_code == 400
    assert "agency" in fields_of(response)
    assert not Case.objects.exists()


def test_possible_duplicates_name_only_cases_the_caller_may_see(client_for, cast):
    # The same person, known to agency B: worker1 is told nothing of it.
    open_case(cast["worker2"], commune="12452")
    client = client_for(cast["worker1"])
    first = send(client, "post", CASES, case_body()).json()
    assert first["possible_duplicates"] == {"cases": []}

    # A second intake of the same name and birth year finds worker1's own case by number.
    second = send(client, "post", CASES, case_body()).json()
    assert second["possible_duplicates"] == {"cases": [first["number"]]}


def test_a_retried_create_returns_the_first_case(client_for, cast):
    client = client_for(cast["worker1"])
    body = case_body(client_uuid=str(uuid.uuid4()))

    first = send(client, "post", CASES, body)
    again = send(client, "post", CASES, body)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert (again.json()["id"], again.json()["number"]) == (
        first.json()["id"],
        first.json()["number"],
    )
    assert Case.objects.count() == Survivor.objects.count() == 1
    assert Incident.objects.count() == 1


def test_another_users_client_uuid_is_a_conflict_that_reveals_nothing(client_for, cast):
    body = case_body(client_uuid=str(uuid.uuid4()))
    first = send(client_for(cast["worker1"]), "post", CASES, body).json()

    response = send(client_for(cast["worker2"]), "post", CASES, body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"
    text = response.content.decode()
    assert first["number"] not in text
    assert NAME not in text
    assert str(first["id"]) not in text
    assert Case.objects.count() == 1


# --- Listing and search --------------------------------------------------------------------------


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["number"] for item in response.json()["results"]]


def _search(client, **body):
    return client.post(SEARCH, body, content_type="application/json")


def test_the_list_is_scoped_and_cursor_paginated(client_for, cast, client):
    mine = [open_case(cast["worker1"]) for _ in range(3)]
    other = open_case(cast["worker2"], commune="12452")

    client_for(cast["worker1"])
    first = client.get(f"{CASES}?limit=2").json()
    assert set(first) == {"results", "next"}
    assert len(first["results"]) == 2
    item = first["results"][0]
    assert set(item) >= {
        "id",
        "number",
        "status",
        "stage",
        "risk_level",
        "opened_at",
        "agency",
        "assigned_to",
        "survivor",
    }
    assert item["survivor"] == {
        "full_name": NAME,
        "sex": "female",
        "birth_year": 1990,
        "commune": "11953",
    }
    second = client.get(first["next"]).json()
    assert second["next"] is None
    seen = [i["number"] for i in first["results"] + second["results"]]
    assert sorted(seen) == sorted(c.number for c in mine)
    assert other.number not in seen

    client_for(cast["supervisor1"])
    assert sorted(_numbers(client.get(CASES))) == sorted(c.number for c in mine)
    client_for(cast["worker2"])
    assert _numbers(client.get(CASES)) == [other.number]


def test_listing_and_searching_are_audited_without_the_search_terms(client_for, cast):
    open_case(cast["worker1"])
    client = client_for(cast["worker1"])
    client.post(SEARCH, {"q": "nguyen thi hoa"}, content_type="application/json")
    event = AuditEvent.objects.filter(action="search").latest("seq")
    assert event.username == "worker1"
    assert "nguyen" not in json.dumps(event.extra)


@pytest.mark.parametrize(
    "query",
    [
        "nguyen thi hoa",
        "Nguyễn Thị Hoà",
        unicodedata.normalize("NFD", "Nguyễn Thị Hòa"),
        "hoa",
        "0912 345 678",
        "+84912345678",
    ],
)
def test_search_finds_the_case_by_name_without_diacritics_or_by_phone(client_for, cast, query):
    case = open_case(cast["worker1"])
    open_case(cast["worker1"], full_name="Trần Văn An", phone="0987654321")
    client = client_for(cast["worker1"])
    assert _numbers(_search(client, q=query)) == [case.number]


def test_search_by_case_number(client_for, cast):
    case = open_case(cast["worker1"])
    open_case(cast["worker1"], full_name="Trần Văn An", phone="0987654321")
    assert _numbers(_search(client_for(cast["worker1"]), q=case.number)) == [case.number]


def test_filters_by_status_stage_risk_commune_and_mine(client_for, cast):
    worker, supervisor = cast["worker1"], cast["supervisor1"]
    low = open_case(worker)
    high = open_case(worker, full_name="Trần Thị Bích", phone="0987654321")
    services.case_update(
        case=high, actor=worker, version=high.version, changes={"risk_level": "high"}
    )
    by_supervisor = open_case(supervisor, full_name="Lê Thị Cúc", phone="0977777777")
    client = client_for(supervisor)

    assert _numbers(client.get(CASES, {"risk_level": "high"})) == [high.number]
    assert set(_numbers(client.get(CASES, {"stage": "intake"}))) == {
        low.number,
        high.number,
        by_supervisor.number,
    }
    assert _numbers(client.get(CASES, {"status": "closed"})) == []
    assert len(_numbers(client.get(CASES, {"commune": "11953"}))) == 3
    assert _numbers(client.get(CASES, {"commune": "12452"})) == []
    assert _numbers(client.get(CASES, {"mine": "true"})) == [by_supervisor.number]
    # An empty text parameter, as forms send it, filters nothing.
    assert len(_numbers(client.get(CASES, {"commune": ""}))) == 3


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("status", "pending"),
        ("stage", "done"),
        ("risk_level", "extreme"),
        ("mine", "perhaps"),
        # An empty typed parameter is no value of its type: refused, as the schema says.
        ("status", ""),
        ("mine", ""),
    ],
)
def test_unknown_filter_values_are_a_400(client_for, cast, param, value):
    response = client_for(cast["worker1"]).get(CASES, {param: value})
    assert response.status_code == 400
    assert param in fields_of(response)


def test_the_list_costs_the_same_queries_for_5_and_30_cases(
    client_for, cast, django_assert_max_num_queries
):
    worker = cast["worker1"]
    for index in range(5):
        open_case(worker, phone=f"09100000{index:02d}")
    client = client_for(worker)
    client.get(CASES)  # warm caches (content types, sessions) so both counts are alike
    with CaptureQueriesContext(connection) as five:
        assert len(_numbers(client.get(CASES))) == 5
    for index in range(5, 30):
        open_case(worker, phone=f"09100000{index:02d}")
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert len(_numbers(client.get(CASES))) == 30


# --- Reading one case ----------------------------------------------------------------------------


def test_the_detail_shows_the_whole_case_and_every_read_is_audited(client_for, cast):
    worker = cast["worker1"]
    case = open_case(worker)
    services.note_add(case=case, actor=worker, body="Ghi chú đầu tiên")
    services.follow_up_add(case=fresh(case), actor=worker, done_on=today(), method="phone")
    client = client_for(worker)

    before = AuditEvent.objects.filter(action="view", object_id=str(case.pk)).count()
    body = client.get(case_url(case)).json()
    client.get(case_url(case))
    after = AuditEvent.objects.filter(action="view", object_id=str(case.pk)).count()

    assert after == before + 2
    assert body["number"] == case.number
    assert body["version"] == fresh(case).version
    assert body["survivor"]["full_name"] == NAME
    assert body["survivor"]["phone"] == PHONE
    assert body["incidents"][0]["perpetrators"][0]["relationship"] == "husband"
    assert body["consents"]["current"] == {
        "services": True,
        "reporting": True,
        "sharing": False,
        "sharing_agencies": [],
    }
    assert [n["body"] for n in body["notes"]] == ["Ghi chú đầu tiên"]
    assert [f["method"] for f in body["follow_ups"]] == ["phone"]
    kinds = [event["kind"] for event in body["events"]]
    assert kinds[0] == "opened"
    assert {"note_added", "followed_up"} <= set(kinds)
    assert all(event["actor_name"] == "Nguyễn Thị Lan" for event in body["events"])
    for key in (
        "assessments",
        "safety_plans",
        "case_plans",
        "measures",
        "closure_requests",
        "transfers",
    ):
        assert body[key] == [], key


def test_the_detail_costs_the_same_queries_with_10_and_100_follow_ups(
    client_for, cast, django_assert_max_num_queries
):
    worker = cast["worker1"]
    case = open_case(worker)

    def add(count):
        for _ in range(count):
            services.follow_up_add(case=case, actor=worker, done_on=today(), method="phone")
            services.note_add(case=case, actor=worker, body="Theo dõi")

    add(10)
    client = client_for(worker)
    client.get(case_url(case))
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(case_url(case)).json()["follow_ups"]) == 10
    add(90)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert len(client.get(case_url(case)).json()["follow_ups"]) == 100


def test_a_case_of_another_agency_is_404_like_a_missing_one(client_for, cast):
    case = open_case(cast["worker1"])
    client = client_for(cast["worker2"])
    hidden = client.get(case_url(case))
    missing = client.get(case_url(case.pk + 1000))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


# --- Changing the case's own fields --------------------------------------------------------------


def test_patch_changes_fields_and_returns_the_new_version(client_for, cast):
    case = open_case(cast["worker1"])
    response = send(
        client_for(cast["worker1"]),
        "patch",
        case_url(case),
        {"version": case.version, "risk_level": "high", "needs": ["shelter"]},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == case.version + 1
    assert (body["risk_level"], body["needs"]) == ("high", ["shelter"])
    assert "survivor" not in body  # the change, not a disclosure: read the case for that
    assert fresh(case).risk_level == "high"


def test_a_stale_version_is_a_409_listing_the_change_and_nothing_is_overwritten(client_for, cast):
    case = open_case(cast["worker1"])
    loaded = case.version
    services.case_update(
        case=case, actor=cast["supervisor1"], version=loaded, changes={"risk_level": "immediate"}
    )

    response = send(
        client_for(cast["worker1"]),
        "patch",
        case_url(case),
        {"version": loaded, "risk_level": "low"},
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["current_version"] == loaded + 1
    assert [(c["kind"], c["by"]) for c in error["changes"]] == [("updated", "Trần Văn Minh")]
    assert fresh(case).risk_level == "immediate"
    assert fresh(case).version == loaded + 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"risk_level": "high"}, "version"),
        ({"version": 1}, "non_field_errors"),
        ({"version": 1, "risk_levle": "high"}, "risk_levle"),
        ({"version": 1, "status": "closed"}, "status"),
        ({"version": 1, "risk_level": "extreme"}, "risk_level"),
        ({"version": "1", "risk_level": "high"}, "version"),
        ({"version": 10**20, "risk_level": "high"}, "version"),
    ],
)
def test_bad_patches_are_a_400_and_change_nothing(client_for, cast, body, field):
    case = open_case(cast["worker1"])
    response = send(client_for(cast["worker1"]), "patch", case_url(case), body)
    assert response.status_code == 400
    assert field in fields_of(response)
    assert fresh(case).risk_level == "medium"


def test_only_a_supervisor_assigns_and_only_to_a_worker_of_the_agency(client_for, cast):
    case = open_case(cast["worker1"])
    colleague = User.objects.create_user(username="worker3", password="x-unused-x")
    Membership.objects.create(
        user=colleague,
        agency=Agency.objects.get(code="ubnd-pho-hien"),
        role=Role.CASE_WORKER,
        valid_from=today(),
    )

    refused = send(
        client_for(cast["worker1"]),
        "patch",
        case_url(case),
        {"version": case.version, "assigned_to": colleague.pk},
    )
    assert refused.status_code == 403

    client = client_for(cast["supervisor1"])
    for wrong in (cast["worker2"].pk, cast["analyst1"].pk, 999_999):
        response = send(
            client, "patch", case_url(case), {"version": case.version, "assigned_to": wrong}
        )
        assert response.status_code == 400, wrong
        assert "assigned_to" in fields_of(response)

    done = send(
        client, "patch", case_url(case), {"version": case.version, "assigned_to": colleague.pk}
    )
    assert done.status_code == 200, done.json()
    assert done.json()["assigned_to"] == colleague.pk
    # worker1 is no longer on the case.
    assert client_for(cast["worker1"]).get(case_url(case)).status_code == 404


# --- The schema ----------------------------------------------------------------------------------


def test_the_schema_documents_every_case_endpoint(client_for, cast):
    response = client_for(cast["worker1"]).get("/api/v1/schema", HTTP_ACCEPT="application/json")
    schema = json.loads(response.content)
    paths = schema["paths"]
    expected = {
        "/api/v1/cases": {"get", "post"},
        "/api/v1/cases/{case_id}": {"get", "patch"},
        "/api/v1/cases/{case_id}/incidents": {"post"},
        "/api/v1/cases/{case_id}/assessments": {"post"},
        "/api/v1/cases/{case_id}/safety-plans": {"post"},
        "/api/v1/cases/{case_id}/case-plans": {"post"},
        "/api/v1/cases/{case_id}/follow-ups": {"post"},
        "/api/v1/cases/{case_id}/notes": {"post"},
        "/api/v1/cases/{case_id}/consents": {"post"},
        "/api/v1/cases/{case_id}/consents/withdraw": {"post"},
        "/api/v1/cases/{case_id}/measures": {"post"},
        "/api/v1/cases/{case_id}/measures/{measure_id}/decision": {"post"},
        "/api/v1/cases/{case_id}/closure-request": {"post"},
        "/api/v1/cases/{case_id}/closure-decision": {"post"},
        "/api/v1/cases/{case_id}/reopen": {"post"},
        "/api/v1/cases/{case_id}/transfer": {"post"},
        "/api/v1/case-transfers": {"get"},
        "/api/v1/case-transfers/{transfer_id}/decision": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
        for method in methods:
            operation = paths[path][method]
            assert operation.get("summary"), (path, method)
            if method in ("post", "patch"):
                assert "requestBody" in operation, (path, method)
    opened = paths["/api/v1/cases"]["post"]["responses"]["201"]
    assert opened["content"]["application/json"]["schema"]["$ref"].endswith("/CaseOpened")
    # A new case in full, or a replayed one the caller may no longer open: its id and number.
    variants = schema["components"]["schemas"]["CaseOpened"]["oneOf"]
    assert [v["$ref"].rsplit("/", 1)[1] for v in variants] == ["CaseCreatedOut", "CaseReplayedOut"]
    assert set(schema["components"]["schemas"]["CaseReplayedOut"]["properties"]) == {"id", "number"}
    assert "others_exist" not in json.dumps(schema)
