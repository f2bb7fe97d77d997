"""``/api/v1/health/contacts``: write-only, closed, idempotent; the summary is suppressed."""

from __future__ import annotations

import datetime as dt

import pytest

from antoan.api.tests.test_cases_helpers import send
from antoan.health.models import ServiceContact
from antoan.health.tests.conftest import NAME, api_body, record, today

pytestmark = pytest.mark.django_db
CONTACTS = "/api/v1/health/contacts"
SUMMARY = "/api/v1/health/contacts/summary"


def test_recording_answers_the_id_and_date_only(client_for, nurse, station):
    response = send(client_for(nurse), "post", CONTACTS, api_body())

    assert response.status_code == 201, response.content
    contact = ServiceContact.objects.get()
    assert response.json() == {"id": contact.pk, "contact_date": contact.contact_date.isoformat()}
    assert contact.facility == station and contact.counselling


def test_a_retry_with_the_same_client_uuid_records_once(client_for, cast, nurse):
    body = api_body()
    first = send(client_for(nurse), "post", CONTACTS, body)
    again = send(client_for(nurse), "post", CONTACTS, body)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ServiceContact.objects.count() == 1


def test_someone_elses_client_uuid_is_a_conflict(client_for, cast, nurse):
    from antoan.health.tests.test_report import other_nurse

    body = api_body()
    send(client_for(nurse), "post", CONTACTS, body)
    other = send(client_for(other_nurse(cast)), "post", CONTACTS, body)
    assert other.status_code == 409 and other.json()["error"]["code"] == "duplicate"
    assert ServiceContact.objects.count() == 1


FIELDS = [
    "client_uuid",
    "facility",
    "contact_date",
    "sex",
    "age_band",
    "gbv_type",
    "violence_forms",
    "perpetrator_relation",
    "emergency_care",
    "forensic_exam",
    "counselling",
    "contraception_pep",
    "referral_offered",
    "referral_accepted",
    "case_opened",
    "referral_number",
    "name",
    "phone",
    "note",
    "address",
]


@pytest.mark.parametrize("field", FIELDS)
def test_a_name_in_any_field_is_a_400_and_nothing_is_saved(client_for, nurse, field):
    value = [NAME] if field == "violence_forms" else NAME
    response = send(client_for(nurse), "post", CONTACTS, api_body(**{field: value}))

    assert response.status_code == 400, response.content
    assert any(name.split(".")[0] == field for name in response.json()["error"]["fields"])
    assert not ServiceContact.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contact_date": (today() + dt.timedelta(days=3)).isoformat()}, "contact_date"),
        ({"referral_offered": False, "referral_accepted": True}, "referral_accepted"),
        ({"referral_number": "CG-000001"}, "referral_number"),
    ],
)
def test_bad_facts_are_a_400_on_their_field(client_for, nurse, changes, field):
    response = send(client_for(nurse), "post", CONTACTS, api_body(**changes))
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not ServiceContact.objects.exists()


def test_another_facility_is_refused_whether_it_exists_or_not(client_for, nurse):
    from antoan.accounts.models import Agency

    other = Agency.objects.get(code="tyt-tran-hung-dao")
    for facility in (other.pk, 987654):
        response = send(client_for(nurse), "post", CONTACTS, api_body(facility=facility))
        assert response.status_code == 403
    assert not ServiceContact.objects.exists()


@pytest.mark.parametrize("username", ["worker1", "health1", "police1", "analyst1", "hotline1"])
def test_other_roles_may_not_record(client_for, cast, username):
    response = send(client_for(cast[username]), "post", CONTACTS, api_body())
    assert response.status_code == 403
    assert not ServiceContact.objects.exists()


def test_there_is_no_read_of_a_contact(client_for, nurse):
    send(client_for(nurse), "post", CONTACTS, api_body())
    contact = ServiceContact.objects.get()
    assert client_for(nurse).get(CONTACTS).status_code == 405
    assert client_for(nurse).get(f"{CONTACTS}/{contact.pk}").status_code == 404


def test_the_summary_hides_small_counts_as_null(client_for, cast, nurse):
    day = dt.date(2026, 3, 10)
    record(nurse, contact_date=day)
    for _ in range(5):
        record(nurse, contact_date=day + dt.timedelta(days=30))
    for _ in range(7):
        record(nurse, contact_date=day + dt.timedelta(days=61))

    march = client_for(nurse).get(SUMMARY, {"year": 2026, "month": 3}).json()
    may = client_for(nurse).get(SUMMARY, {"year": 2026, "month": 5}).json()

    assert march["total"] == {"value": None, "suppressed": True}
    # April's 5 is hidden too: with the year's 13 and May's 7, it would give March away.
    assert may["total"] == {"value": 7, "suppressed": False}
    assert may["year_total"] == {"value": 13, "suppressed": False}
    assert march["place_name"] == "Trạm Y tế phường Phố Hiến" and march["place"] == "11953"
    months = {m["month"]: m for m in march["months"]}
    assert months[3]["value"] is None and months[3]["suppressed"]
    assert months[4] == {"month": 4, "value": None, "suppressed": True}
    assert months[6] == {"month": 6, "value": 0, "suppressed": False}
    assert all(b["value"] is None or not 1 <= b["value"] <= 4 for b in march["breakdowns"]), march[
        "breakdowns"
    ]


def test_the_summary_is_scoped(client_for, cast, nurse):
    from antoan.accounts.models import Agency

    other = Agency.objects.get(code="tyt-tran-hung-dao")
    params = {"year": 2026, "month": 3}
    refused = client_for(nurse).get(SUMMARY, {**params, "facility": other.pk})
    assert refused.status_code == 400 and "facility" in refused.json()["error"]["fields"]
    assert client_for(nurse).get(SUMMARY, {**params, "facility": 987654}).status_code == 400
    analyst = client_for(cast["analyst1"])
    province = analyst.get(SUMMARY, params).json()
    assert province["place"] == "33" and province["facility"] is None
    assert analyst.get(SUMMARY, {**params, "commune": "12452"}).status_code == 200
    assert analyst.get(SUMMARY, {**params, "facility": other.pk}).status_code == 200
    assert client_for(cast["worker1"]).get(SUMMARY, params).status_code == 403
