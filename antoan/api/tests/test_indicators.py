"""The indicators API: who may read and write, what is hidden, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from antoan.indicators.tests.test_counting_rules import open_case

YEAR = timezone.localdate().year
READERS = {"coordinator1", "analyst1", "manager1"}
ESTIMATORS = {"coordinator1", "analyst1"}


@pytest.fixture
def api(client):
    def as_(user):
        client.force_login(user)
        return client

    return as_


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize(
    "path", ["/api/v1/indicators", "/api/v1/indicators/values", "/api/v1/indicators/estimates"]
)
def test_only_those_who_steer_the_programme_read_indicators(api, cast, catalogue, path):
    for username, user in cast.items():
        response = api(user).get(path)
        expected = 200 if username in READERS else 403
        assert response.status_code == expected, (username, response.status_code)


def test_only_the_statistics_office_and_the_coordinator_enter_estimates(api, cast, catalogue):
    body = {"indicator": "GBV-01", "year": YEAR, "place": "33", "value": 1200, "source": "Điều tra"}
    for username, user in cast.items():
        response = api(user).post(
            "/api/v1/indicators/estimates", body, content_type="application/json"
        )
        if username in ESTIMATORS:
            assert response.status_code in (200, 201, 409), (username, response.content)
        else:
            assert response.status_code == 403, (username, response.status_code)


def test_values_have_the_contract_names(api, cast, catalogue, plan64):
    rows = results(api(cast["analyst1"]).get(f"/api/v1/indicators/values?year={YEAR}&code=GBV-02"))
    assert len(rows) == 1
    row = rows[0]
    for key in (
        "code",
        "period",
        "place",
        "place_name",
        "value",
        "numerator",
        "denominator",
        "target",
        "suppressed",
    ):
        assert key in row
    assert (row["code"], row["period"], row["place"]) == ("GBV-02", str(YEAR), "33")
    assert row["target"] == 100.0


def test_small_counts_are_hidden_with_null_figures(api, cast, catalogue):
    for _ in range(3):
        open_case(cast["worker1"])
    row = results(api(cast["manager1"]).get(f"/api/v1/indicators/values?code=GBV-02&year={YEAR}"))[
        0
    ]
    assert row["suppressed"] is True
    assert (row["value"], row["numerator"], row["denominator"]) == (None, None, None)
    # Two more, and the province's figure of five is shown; the commune's too.
    open_case(cast["worker1"])
    open_case(cast["worker1"])
    row = results(api(cast["manager1"]).get(f"/api/v1/indicators/values?code=GBV-01&year={YEAR}"))[
        0
    ]
    assert (row["suppressed"], row["numerator"], row["note"]) == (False, 5, "no_estimate")


def test_a_hidden_commune_cannot_be_worked_out_from_the_province_and_the_others(
    api, cast, catalogue
):
    for _ in range(6):
        open_case(cast["worker1"], commune="11953")
    open_case(cast["worker2"], commune="12452")  # one in B: hidden
    rows = results(
        api(cast["analyst1"]).get(f"/api/v1/indicators/values?code=GBV-01&year={YEAR}&by=commune")
    )
    by_place = {r["place"]: r for r in rows}
    assert by_place["12452"]["suppressed"] is True
    # With the province showing 7, A must be hidden too, or 7 - 6 would give B away.
    assert by_place["11953"]["suppressed"] is True
    province = results(
        api(cast["analyst1"]).get(f"/api/v1/indicators/values?code=GBV-01&year={YEAR}")
    )[0]
    assert province["numerator"] == 7


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("code=XX-99", "code"),
        ("year=1999", "year"),
        (f"year={YEAR + 1}", "year"),
        ("year=abc", "year"),
        ("period=q5", "period"),
        ("period=m13", "period"),
        ("place=99999", "place"),
        ("place=01", "place"),  # another province: not in the caller's scope
        ("by=colour", "by"),
        ("sex=x", "sex"),
        ("sex=female&age_band=0-11", "age_band"),
        ("sex=female&by=gbv_type", "by"),
        ("period=q1&by=sex", "period"),
        ("period=m1&by=commune", "period"),
        ("period=reporting&place=11953", "period"),
    ],
)
def test_bad_questions_are_a_clear_400(api, cast, catalogue, query, field):
    response = api(cast["analyst1"]).get(f"/api/v1/indicators/values?{query}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error


def test_a_year_with_no_data_is_an_empty_answer_not_an_error(api, cast, catalogue):
    rows = results(api(cast["analyst1"]).get("/api/v1/indicators/values?year=2003&code=GBV-02"))
    assert rows[0]["value"] is None and rows[0]["note"] == "no_data"


def test_an_estimate_is_entered_revised_and_kept(api, cast, catalogue):
    client = api(cast["analyst1"])
    body = {
        "indicator": "GBV-01",
        "year": YEAR,
        "place": "33",
        "value": 1200,
        "source": "Điều tra 2019",
    }
    first = client.post("/api/v1/indicators/estimates", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["version"] == 1
    stale = client.post(
        "/api/v1/indicators/estimates", {**body, "value": 1300}, content_type="application/json"
    )
    assert stale.status_code == 409  # a revision names the version it revises
    revised = client.post(
        "/api/v1/indicators/estimates", {**body, "value": 1300, "version": 1},
        content_type="application/json",
    )  # fmt: skip
    assert revised.status_code == 200 and revised.json()["version"] == 2
    again = client.post(
        "/api/v1/indicators/estimates", {**body, "value": 1400, "version": 1},
        content_type="application/json",
    )  # fmt: skip
    assert again.status_code == 409 and again.json()["error"]["current_version"] == 2
    history = results(client.get("/api/v1/indicators/estimates?history=true"))
    assert [e["value"] for e in history] == [1300, 1200]
    row = results(client.get(f"/api/v1/indicators/values?code=GBV-01&year={YEAR}"))[0]
    assert row["denominator"] == 1300


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": 0}, "value"),
        ({"value": -5}, "value"),
        ({"value": 90_000_000}, "value"),  # absurd for a province
        ({"place": "11953", "value": 900_000}, "value"),  # absurd for a commune
        ({"indicator": "GBV-02"}, "indicator"),  # counted from records, not estimated
        ({"indicator": "NOPE"}, "indicator"),
        ({"year": 1950}, "year"),
        ({"place": "01"}, "place"),
        ({"source": ""}, "source"),
        ({"source": "a\x00b"}, "source"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_estimates_are_refused_and_change_nothing(api, cast, catalogue, change, field):
    from antoan.indicators.models import Estimate

    body = {"indicator": "GBV-01", "year": YEAR, "place": "33", "value": 1200, "source": "Điều tra"}
    response = api(cast["analyst1"]).post(
        "/api/v1/indicators/estimates", {**body, **change}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Estimate.objects.exists()


def test_analysts_and_managers_get_404_on_every_case_id(api, cast, catalogue):
    case = open_case(cast["worker1"])
    for username in ("analyst1", "manager1", "coordinator1"):
        client = api(cast[username])
        for suffix in ("", "/incidents", "/referrals", "/services", "/consents"):
            response = client.post(f"/api/v1/cases/{case.pk}{suffix}", {}, "application/json")
            assert response.status_code == 404, (username, suffix)
        assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404


def test_the_schema_documents_the_indicator_endpoints(api, cast, catalogue):
    schema = api(cast["analyst1"]).get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/indicators", "/api/v1/indicators/values", "/api/v1/indicators/estimates"):
        assert path in schema["paths"]


def test_values_for_a_commune_equal_its_row_in_the_commune_table(api, cast, catalogue):
    for _ in range(6):
        open_case(cast["worker1"], commune="11953")
    for _ in range(5):
        open_case(cast["worker2"], commune="12452")
    client = api(cast["analyst1"])
    rows = results(client.get(f"/api/v1/indicators/values?year={YEAR}&by=commune"))
    table = {r["place"]: r for r in rows if r["code"] == "GBV-02"}
    alone = results(client.get(f"/api/v1/indicators/values?year={YEAR}&place=12452&code=GBV-02"))[0]
    assert alone["numerator"] == table["12452"]["numerator"]
    assert alone["denominator"] == table["12452"]["denominator"] == 5


def test_old_years_come_back_as_one_line(api, cast, catalogue):
    rows = results(
        api(cast["manager1"]).get(f"/api/v1/indicators/values?year={YEAR - 3}&period=q2")
    )
    assert {r["period"] for r in rows} == {f"{YEAR - 3}Q2"}
    assert rows[0]["period_start"] == dt.date(YEAR - 3, 4, 1).isoformat()


def test_counts_of_five_and_more_are_shown_for_every_commune(api, cast, catalogue):
    for _ in range(6):
        open_case(cast["worker1"], commune="11953")
    for _ in range(5):
        open_case(cast["worker2"], commune="12452")
    rows = results(
        api(cast["analyst1"]).get(f"/api/v1/indicators/values?code=GBV-01&year={YEAR}&by=commune")
    )
    by_place = {r["place"]: (r["suppressed"], r["numerator"]) for r in rows}
    assert by_place == {"11953": (False, 6), "12452": (False, 5), None: (False, 0)}
