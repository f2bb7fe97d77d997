"""GET /api/v1/places: who may read it, its filters, its errors, its query count."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

URL = "/api/v1/places"


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


def _all(client, query: str) -> list[dict]:
    """Every result across cursor pages."""
    page = client.get(f"{URL}?{query}&limit=500").json()
    results = page["results"]
    while page["next"]:
        page = client.get(page["next"]).json()
        results += page["results"]
    return results


@pytest.fixture
def api(client, country_cast):
    client.force_login(country_cast["worker1"])
    return client


def test_lists_todays_units_by_default(api):
    provinces = _all(api, "level=province")
    assert len(provinces) == 34
    assert [p["code"] for p in provinces][:3] == ["01", "04", "08"]
    hung_yen = next(p for p in provinces if p["code"] == "33")
    assert hung_yen == {
        "id": hung_yen["id"],
        "code": "33",
        "name": "Tỉnh Hưng Yên",
        "level": "province",
        "division_type": "tỉnh",
        "parent": None,
        "valid_from": "2025-07-01",
        "valid_to": None,
        "successor": None,
    }
    assert len(_all(api, "level=commune")) == 3321


def test_empty_text_parameters_mean_no_filter(api):
    response = api.get(f"{URL}?parent=&q=&limit=5")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 5


@pytest.mark.parametrize("param", ["level", "on"])
def test_an_empty_date_or_level_is_refused_as_the_schema_says(api, param):
    response = api.get(f"{URL}?{param}=")
    assert response.status_code == 400
    assert param in response.json()["error"]["fields"]


def test_on_a_date_before_the_merger(api):
    provinces = _all(api, "level=province&on=2024-12-31")
    assert [(p["code"], p["name"], p["successor"]) for p in provinces] == [
        ("33", "Tỉnh Hưng Yên", "33"),
        ("34", "Tỉnh Thái Bình", "33"),
    ]
    assert len(_all(api, "level=district&on=2024-12-31")) == 18
    assert _all(api, "level=district&on=2025-07-01") == []


def test_parent_is_read_on_the_same_date(api):
    communes = _all(api, "level=commune&parent=33")
    assert len(communes) == 104
    assert {c["parent"] for c in communes} == {"33"}
    # Before 2025 a province's communes sit under its districts; they are still found.
    old = _all(api, "level=commune&parent=33&on=2024-12-31")
    assert len(old) == 139
    assert all(len(c["parent"]) == 3 for c in old)
    districts = _all(api, "level=district&parent=34&on=2024-12-31")
    assert len(districts) == 8
    in_district = _all(api, "parent=323&on=2024-12-31")
    assert {c["level"] for c in in_district} == {"commune"}
    assert len(in_district) == 15
    assert {c["successor"] for c in in_district} == {"11953", "11977", "11980", "11983"}


def test_q_is_accent_insensitive(api):
    found = _all(api, "q=pho%20hien")
    assert [(p["code"], p["name"]) for p in found] == [("11953", "Phường Phố Hiến")]
    old = _all(api, "q=PHUONG%20HIEN%20NAM&on=2024-12-31")
    assert [(p["code"], p["name"], p["successor"]) for p in old] == [
        ("11953", "Phường Hiến Nam", "11953")
    ]
    assert _all(api, "q=Ph%E1%BB%91%20Hi%E1%BA%BFn")[0]["name"] == "Phường Phố Hiến"  # "Phố Hiến"


def test_successor_shows_where_an_old_commune_went(api):
    (an_dong,) = _all(api, "q=an%20dong&level=commune&parent=338&on=2024-12-31")
    assert (an_dong["code"], an_dong["name"], an_dong["successor"]) == (
        "12478",
        "Xã An Đồng",
        "12499",
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=hamlet", "level"),
        ("on=2024-13-01", "on"),
        ("on=31/12/2024", "on"),
        ("parent=99", "parent"),
        ("parent=34", "parent"),  # Thái Bình no longer exists today
    ],
)
def test_bad_input_is_a_400_in_the_error_shape(api, query, field):
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert error["fields"][field][0]  # a message a person can read


def test_errors_are_in_vietnamese_by_default(api):
    vi = _error(api.get(f"{URL}?parent=34"))["fields"]["parent"][0]
    assert vi.startswith("Không có đơn vị hành chính mã 34 vào ngày")


def test_anonymous_callers_are_refused(client, country):
    response = client.get(URL)
    assert response.status_code in (401, 403)
    assert _error(response)["code"] == "not_authenticated"


def test_a_user_without_membership_is_refused(client, country_cast):
    from antoan.accounts.models import User

    client.force_login(User.objects.create_user("nobody", password="not-used-here-2025"))
    response = client.get(URL)
    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"


def test_every_role_may_read_places(client, country_cast):
    for username, user in country_cast.items():
        client.force_login(user)
        assert client.get(f"{URL}?level=province&limit=1").status_code == 200, username
        client.logout()


def test_queries_do_not_grow_with_the_page(api, django_assert_max_num_queries):
    api.get(f"{URL}?limit=1")  # warm the session and caches
    counts = []
    for limit in (5, 500):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{URL}?on=2024-12-31&parent=33&limit={limit}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(6):
        api.get(f"{URL}?level=commune&on=2024-12-31&limit=500")


def test_schema_documents_the_parameters_and_fields(api):
    response = api.get("/api/v1/schema", HTTP_ACCEPT="application/json")
    schema = json.loads(response.content)
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"level", "on", "parent", "q", "cursor"}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    item_ref = page["properties"]["results"]["items"]["$ref"]
    item = schema["components"]["schemas"][item_ref.rsplit("/", 1)[1]]
    assert set(item["properties"]) == {
        "id",
        "code",
        "name",
        "level",
        "division_type",
        "parent",
        "valid_from",
        "valid_to",
        "successor",
    }
