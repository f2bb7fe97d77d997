# ruff: noqa: F811 - pytest fixtures imported from the programme tests are redefined as parameters
"""Checklists, model assessments and reviews over the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from antoan.api.tests.test_cases_helpers import fields_of, send
from antoan.programme.models import Assessment, ModelReview
from antoan.programme.tests.builders import FULL_TRUSTED
from antoan.programme.tests.conftest import (  # noqa: F401 - fixtures
    agencies,
    standards,
    trusted_address,
)

pytestmark = pytest.mark.django_db


def body(checklist, scores, **overrides):
    data = {
        "checklist": checklist.pk,
        "assessed_on": timezone.localdate().isoformat(),
        "status": "final",
        "scores": {code: {"score": score, "note": ""} for code, score in scores.items()},
    }
    data.update(overrides)
    return data


def review_body(**overrides):
    data = {
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "people_served": 14,
        "survivors_supported": 3,
        "decision": "support",
        "reasons": "Cần thêm kinh phí cho phòng tạm lánh.",
    }
    data.update(overrides)
    return data


def test_checklists_list_the_versions_in_force(client_for, cast, standards):
    response = client_for(cast["analyst1"]).get("/api/v1/programme/checklists")
    assert response.status_code == 200
    results = {c["code"]: c for c in response.json()["results"]}
    trusted = results["dia-chi-tin-cay"]
    assert trusted["version"] == 1 and trusted["is_sample"] is True
    assert trusted["criteria"][0] == {
        "code": "A1",
        "group": "Tổ chức, con người",
        "text": "Có quyết định công nhận hoặc thành lập của Ủy ban nhân dân cấp xã.",
        "weight": 2.0,
        "max_score": 2,
    }
    assert [b["min"] for b in trusted["bands"]] == [80, 50, 0]
    assert client_for(cast["hotline1"]).get("/api/v1/programme/checklists").status_code == 403


def test_the_coordinator_assesses_and_programme_roles_read(
    client_for, cast, trusted_address, standards
):
    path = f"/api/v1/programme/models/{trusted_address.pk}/assessments"
    response = send(
        client_for(cast["coordinator1"]),
        "post",
        path,
        body(standards["dia-chi-tin-cay"], {**FULL_TRUSTED, "A1": 0}),
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    # A1 weighs 2 of 18: 16/18 of the marks.
    assert (created["total_percent"], created["band"]) == (88.9, "met")
    assert created["band_label"] == "Đạt chuẩn" and created["checklist_version"] == 1
    for reader in ("reporter1", "analyst1", "manager1"):
        listed = client_for(cast[reader]).get(path).json()["results"]
        assert [a["id"] for a in listed] == [created["id"]]
    assert client_for(cast["hotline1"]).get(path).status_code == 404


def test_a_score_out_of_range_is_a_400_naming_the_criterion_and_nothing_is_saved(
    client_for, cast, trusted_address, standards
):
    response = send(
        client_for(cast["coordinator1"]),
        "post",
        f"/api/v1/programme/models/{trusted_address.pk}/assessments",
        body(standards["dia-chi-tin-cay"], {**FULL_TRUSTED, "C2": 9}),
    )
    assert response.status_code == 400
    assert fields_of(response)["scores.C2"] == ["Điểm của tiêu chí C2 phải từ 0 đến 2; đã nhập 9."]
    assert not Assessment.objects.exists()


def test_a_checklist_of_another_kind_or_unknown_is_a_400(
    client_for, cast, trusted_address, standards
):
    client = client_for(cast["coordinator1"])
    path = f"/api/v1/programme/models/{trusted_address.pk}/assessments"
    response = send(client, "post", path, body(standards["co-so-ho-tro-gbv"], FULL_TRUSTED))
    assert "không áp dụng cho loại mô hình" in fields_of(response)["checklist"][0]
    unknown = send(client, "post", path, {**body(standards["nha-tam-lanh"], {}), "checklist": 999})
    assert fields_of(unknown)["checklist"] == ["Không có bộ tiêu chí với mã số 999."]
    assert not Assessment.objects.exists()


def test_writes_are_the_coordinators(client_for, cast, trusted_address, standards):
    for username in ("reporter1", "analyst1"):
        client = client_for(cast[username])
        for kind, payload in (
            ("assessments", body(standards["dia-chi-tin-cay"], FULL_TRUSTED)),
            ("reviews", review_body()),
        ):
            path = f"/api/v1/programme/models/{trusted_address.pk}/{kind}"
            assert send(client, "post", path, payload).status_code == 403
    hotline = client_for(cast["hotline1"])
    path = f"/api/v1/programme/models/{trusted_address.pk}/reviews"
    assert send(hotline, "post", path, review_body()).status_code == 404
    assert not Assessment.objects.exists() and not ModelReview.objects.exists()


def test_a_stop_review_closes_the_model(client_for, cast, trusted_address):
    client = client_for(cast["coordinator1"])
    path = f"/api/v1/programme/models/{trusted_address.pk}/reviews"
    response = send(client, "post", path, review_body(decision="stop"))
    assert response.status_code == 201, response.json()
    review = response.json()
    assert (review["decision"], review["model_status"]) == ("stop", "closed")
    assert (review["members_total"], review["members_female"]) == (9, 6)  # the model's
    assert client.get(path).json()["results"][0]["id"] == review["id"]
    trusted_address.refresh_from_db()
    assert trusted_address.status == "closed"


@pytest.mark.parametrize(
    ("survivors", "shown"),
    [
        (0, {"value": 0, "suppressed": False}),
        (3, {"value": None, "suppressed": True}),  # 1 to 4 could point at a person
        (5, {"value": 5, "suppressed": False}),
    ],
)
def test_a_small_count_of_survivors_supported_is_suppressed(
    client_for, cast, trusted_address, survivors, shown
):
    path = f"/api/v1/programme/models/{trusted_address.pk}/reviews"
    created = send(
        client_for(cast["coordinator1"]),
        "post",
        path,
        review_body(survivors_supported=survivors),
    )
    assert created.status_code == 201, created.json()
    assert created.json()["survivors_supported"] == shown
    for reader in ("reporter1", "analyst1", "leader1"):
        listed = client_for(cast[reader]).get(path).json()["results"]
        assert [r["survivors_supported"] for r in listed] == [shown]
    assert ModelReview.objects.get().survivors_supported == survivors  # kept as recorded


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decision": "promote"}, "decision"),
        ({"period_start": "2025-06-01", "period_end": "2025-05-01"}, "period_end"),
        (
            {"period_end": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
            "period_end",
        ),
    ],
)
def test_a_bad_review_is_a_400_on_its_field(client_for, cast, trusted_address, overrides, field):
    response = send(
        client_for(cast["coordinator1"]),
        "post",
        f"/api/v1/programme/models/{trusted_address.pk}/reviews",
        review_body(**overrides),
    )
    assert response.status_code == 400
    assert list(fields_of(response)) == [field]
    assert not ModelReview.objects.exists()
