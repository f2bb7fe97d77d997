"""What the schema promises at the edges: bad paging, empty typed parameters, deep JSON,
search terms kept out of URLs, and the JSON error envelope even with ``DEBUG`` on."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from antoan.api.parsers import MAX_DEPTH, nesting_depth_exceeds
from antoan.api.tests.test_cases_helpers import fields_of, open_case
from antoan.core.permissions import public

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
SEARCH = "/api/v1/cases/search"


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


# --- Paging -------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["null", "", "0", "501", "-1", "2.5", "ten"])
def test_a_limit_that_is_not_1_to_500_is_refused(client_for, cast, limit):
    response = client_for(cast["worker1"]).get("/api/v1/agencies", {"limit": limit})
    assert _error(response, 400)["code"] == "invalid"
    assert "limit" in fields_of(response)


def test_a_limit_in_range_sets_the_page_size(client_for, cast):
    body = client_for(cast["worker1"]).get("/api/v1/agencies", {"limit": "2"}).json()
    assert len(body["results"]) == 2
    assert body["next"]


@pytest.mark.parametrize("cursor", ["nonsense", "cD0yMDI1", "!!!", "bz0xJnA9eA=="])
def test_a_cursor_not_handed_out_by_the_server_is_a_400_not_a_404(client_for, cast, cursor):
    open_case(cast["worker1"])
    response = client_for(cast["worker1"]).get(CASES, {"cursor": cursor})
    assert _error(response, 400)["code"] == "invalid"
    assert "cursor" in fields_of(response)


def test_an_empty_date_is_refused_and_empty_text_filters_nothing(client_for, cast):
    client = client_for(cast["worker1"])
    response = client.get("/api/v1/places", {"on": ""})
    assert "on" in fields_of(response)
    assert _error(response, 400)["code"] == "invalid"
    assert client.get("/api/v1/places", {"q": ""}).status_code == 200


# --- Deeply nested JSON -------------------------------------------------------------------------


def test_100000_nested_brackets_are_a_400_not_a_server_error(client_for, cast):
    response = client_for(cast["worker1"]).post(
        CASES, "[" * 100_000, content_type="application/json"
    )
    error = _error(response, 400)
    assert error["code"] == "json_too_deep"
    assert str(MAX_DEPTH) in error["message"]


def test_nesting_up_to_the_bound_is_parsed_as_usual(client_for, cast):
    # Parsed, then refused by the serializer for what it is: not an object.
    body = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    response = client_for(cast["worker1"]).post(CASES, body, content_type="application/json")
    assert _error(response, 400)["code"] == "invalid"


def test_brackets_inside_strings_do_not_count_as_nesting():
    quoted = '{"note": "' + "[" * 1000 + '\\"[[["}'
    assert not nesting_depth_exceeds(quoted)
    assert nesting_depth_exceeds("[" * (MAX_DEPTH + 1))
    assert nesting_depth_exceeds('{"a":' * (MAX_DEPTH + 1))


# --- Search terms stay out of URLs ---------------------------------------------------------------


def test_the_case_list_refuses_search_terms_in_the_url(client_for, cast):
    response = client_for(cast["worker1"]).get(CASES, {"q": "Nguyễn Thị Hoa"})
    assert _error(response, 400)["code"] == "invalid"
    assert "/api/v1/cases/search" in fields_of(response)["q"][0]


def test_search_by_post_pages_with_the_cursor_in_the_body(client_for, cast):
    worker = cast["worker1"]
    cases = [open_case(worker, phone=f"091000000{index}") for index in range(3)]
    client = client_for(worker)
    first = client.post(SEARCH, {"q": "hoa", "limit": 2}, content_type="application/json")
    assert first.status_code == 200
    page1 = first.json()
    assert len(page1["results"]) == 2
    assert page1["next_cursor"] and "/" not in page1["next_cursor"]
    page2 = client.post(
        SEARCH,
        {"q": "hoa", "limit": 2, "cursor": page1["next_cursor"]},
        content_type="application/json",
    ).json()
    assert page2["next_cursor"] is None
    seen = [item["number"] for item in page1["results"] + page2["results"]]
    assert sorted(seen) == sorted(case.number for case in cases)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"q": "hoa", "cursor": "nonsense"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": "5"}, "limit"),
        ({"status": "pending"}, "status"),
        ({"name": "hoa"}, "name"),
    ],
)
def test_search_refuses_bad_bodies(client_for, cast, body, field):
    response = client_for(cast["worker1"]).post(SEARCH, body, content_type="application/json")
    assert _error(response, 400)["code"] == "invalid"
    assert field in fields_of(response)


def test_search_is_for_roles_that_see_cases(client_for, cast):
    response = client_for(cast["hotline1"]).post(
        SEARCH, {"q": "hoa"}, content_type="application/json"
    )
    assert _error(response, 403)["code"] == "permission_denied"


# --- The error envelope, whatever Django would have answered ----------------------------------


@public
def _boom(request):
    raise RuntimeError("a bug")


@public
def _html_error(request):
    return HttpResponse("<h1>Bad</h1>", status=400)


urlpatterns = [
    path("api/v1/boom", _boom),
    path("api/v1/html-error", _html_error),
    path("", include("antoan.urls")),
]


@override_settings(DEBUG=True)
def test_an_unknown_api_url_is_a_json_404_even_with_debug_on(client_for, cast):
    error = _error(client_for(cast["worker1"]).get("/api/v1/no-such-thing"), 404)
    assert error["code"] == "not_found"


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_a_server_error_under_the_api_is_json_even_with_debug_on(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast["worker1"])
    error = _error(client.get("/api/v1/boom"), 500)
    assert error["code"] == "server_error"
    assert "a bug" not in error["message"]
    assert "<" not in client.get("/api/v1/html-error").content.decode()


def test_pages_outside_the_api_keep_their_html_errors(client_for, cast):
    response = client_for(cast["worker1"]).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- The schema says what the server requires ----------------------------------------------------


def test_patch_bodies_require_the_version_in_the_schema(client_for, cast):
    schema = client_for(cast["worker1"]).get("/api/v1/schema?format=json").json()
    for path_, name in [
        ("/api/v1/cases/{case_id}", "PatchedCaseUpdateInRequest"),
        ("/api/v1/programme/activities/{activity_id}", "PatchedActivityUpdateInRequest"),
    ]:
        body = schema["paths"][path_]["patch"]["requestBody"]
        assert body["required"] is True
        assert schema["components"]["schemas"][name]["required"] == ["version"]
    agencies = schema["paths"]["/api/v1/agencies"]["get"]
    assert {"400", "401", "403"} <= set(agencies["responses"])
    limit = next(p for p in agencies["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}


def test_an_unknown_referral_box_is_refused_not_replaced(client_for, cast):
    response = client_for(cast["worker1"]).get("/api/v1/referrals", {"box": "AAA"})
    assert _error(response, 400)["code"] == "invalid"
    assert "box" in fields_of(response)


def test_strict_bodies_say_they_refuse_unknown_keys(client_for, cast):
    schemas = client_for(cast["worker1"]).get("/api/v1/schema?format=json").json()["components"]
    for name in ("CaseOpenInRequest", "CallInRequest", "CaseSearchInRequest", "EstimateInRequest"):
        assert schemas["schemas"][name]["additionalProperties"] is False, name
    assert "case_opened" not in schemas["schemas"]["CaseCallOutcomeInOrBlankEnum"]["enum"]
