"""The API's front door: one error shape, in the caller's language; me and agencies."""

from __future__ import annotations

import json

import pytest

from antoan.accounts.models import Agency


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


def test_me_lists_memberships_and_permissions(client, cast):
    client.force_login(cast["supervisor1"])
    body = client.get("/api/v1/me").json()
    assert body["username"] == "supervisor1"
    assert body["full_name"] == "Trần Văn Minh"
    assert [(m["role"], m["agency_name"]) for m in body["memberships"]] == [
        ("case_supervisor", "Ủy ban nhân dân phường Phố Hiến")
    ]
    assert "cases.approve" in body["permissions"]
    assert "audit.view" not in body["permissions"]


def test_agencies_are_cursor_paginated_and_current_by_default(client, cast):
    client.force_login(cast["worker1"])
    first = client.get("/api/v1/agencies?limit=5").json()
    assert set(first) == {"results", "next"}
    assert len(first["results"]) == 5
    codes = [a["code"] for a in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        codes += [a["code"] for a in page["results"]]
    assert "ubnd-pho-hien" in codes
    assert "so-ldtbxh" not in codes  # dissolved in 2025
    assert len(codes) == len(set(codes)) == Agency.objects.valid_on().count()


def test_past_agencies_show_their_successor(client, cast):
    client.force_login(cast["worker1"])
    results = client.get("/api/v1/agencies?include_past=true&limit=100").json()["results"]
    old = next(a for a in results if a["code"] == "so-ldtbxh")
    assert old["valid_to"] == "2025-02-28"
    assert old["successor"] == Agency.objects.get(code="so-noi-vu").pk


def test_unknown_agency_kind_is_a_clear_400(client, cast):
    client.force_login(cast["worker1"])
    response = client.get("/api/v1/agencies?kind=spaceship")
    assert response.status_code == 400
    assert _error(response)["fields"]["kind"]


def test_unknown_api_path_is_a_json_404(client, cast):
    client.force_login(cast["worker1"])
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", "Nội dung gửi lên không phải JSON hợp lệ."),
        ("en", "The request body is not valid JSON."),
    ],
)
def test_malformed_json_gets_a_translated_error(client, cast, language, expected):
    response = client.post(
        "/api/v1/auth/token",
        data='{"username": "worker1", "password": ',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "malformed_json"
    assert error["message"] == expected


def test_oversized_json_is_refused_before_parsing(client, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"username": "worker1", "password": "x" * 20_000})
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


def test_form_encoded_body_is_refused(client, cast):
    response = client.post("/api/v1/auth/token", data={"username": "worker1"})
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


def test_schema_names_the_front_door(client, cast):
    client.force_login(cast["analyst1"])
    response = client.get("/api/v1/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/places", "/api/v1/agencies"):
        assert path in paths, path


def test_docs_page_loads_swagger_from_our_own_static_files(client, cast):
    client.force_login(cast["analyst1"])
    html = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
