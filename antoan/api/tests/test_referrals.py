# ruff: noqa: F811 - pytest fixtures imported from the case tests are redefined as parameters
"""The referral endpoints: the contract of API.md, the consent gate, need-to-know and access."""

from __future__ import annotations

import pytest

from antoan.api.tests.test_cases_helpers import send
from antoan.cases.services import ConsentInput
from antoan.referrals.models import Referral
from antoan.referrals.tests.conftest import (  # noqa: F401 - fixtures
    agencies,
    case_a,
    clock,
    open_case,
    open_result,
    providers,
    vietnamese,
)

pytestmark = pytest.mark.django_db


def refer(client, case, target, **body):
    payload = {
        "provider": target.pk,
        "service": "health",
        "urgency": "high",
        "note": "Gọi ban ngày",
    }
    payload.update(body)
    return send(client, "post", f"/api/v1/cases/{case.pk}/referrals", payload)


def test_send_a_referral_answers_201_sent_with_due_at(cast, client_for, case_a, providers):
    response = refer(client_for(cast["worker1"]), case_a, providers["bv-da-khoa-tinh"])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "sent"
    assert body["due_at"]
    assert {"id", "number", "service", "urgency", "provider"} <= set(body)


def test_no_consent_answers_400_consent_required(cast, client_for, clock, open_case, providers):
    case = open_case(cast["worker1"], consent=ConsentInput(services=False, reporting=True))
    response = refer(client_for(cast["worker1"]), case, providers["bv-da-khoa-tinh"])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_required"
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service": "livelihood"}, "service"),
        ({"service": "cooking"}, "service"),
        ({"urgency": "soon"}, "urgency"),
        ({"provider": 999999}, "provider"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_with_the_field(cast, client_for, case_a, providers, body, field):
    response = refer(client_for(cast["worker1"]), case_a, providers["bv-da-khoa-tinh"], **body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Referral.objects.count() == 0


def test_recipient_workflow_over_the_api(cast, client, client_for, case_a, providers, clock):
    referral_id = refer(client_for(cast["worker1"]), case_a, providers["bv-da-khoa-tinh"]).json()[
        "id"
    ]
    client.logout()
    health = client_for(cast["health1"])
    base = f"/api/v1/referrals/{referral_id}"
    # Deliver before accept: a clear 400, nothing changed.
    late = send(
        health, "post", f"{base}/deliver", {"delivered_on": str(clock.today()), "description": "x"}
    )
    assert late.status_code == 400
    assert late.json()["error"]["code"] == "invalid_status"
    # The need-to-know view.
    seen = health.get(base).json()
    assert seen["side"] == "recipient"
    assert seen["shared"]["alias"] == "Hòa"
    assert seen["shared"]["case_number"] == case_a.number
    assert seen["case"] is None and seen["note"] is None
    assert "Nguyễn" not in str(seen)
    # The case itself stays out of reach.
    assert health.get(f"/api/v1/cases/{case_a.pk}").status_code in (403, 404)
    assert health.get(f"/cases/{case_a.pk}/").status_code == 404
    assert send(health, "post", f"{base}/accept").status_code == 200
    again = send(health, "post", f"{base}/accept")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_status"
    done = send(
        health,
        "post",
        f"{base}/deliver",
        {"delivered_on": str(clock.today()), "description": "Khám"},
    )
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    assert done.json()["shared"] is None
    assert health.get(base).status_code == 404
    assert health.get("/api/v1/referrals?box=incoming").json()["results"] == []


def test_case_detail_answers_404_to_the_recipient(cast, client_for, case_a, providers):
    from antoan.referrals import services

    services.referral_send(
        case=case_a,
        actor=cast["worker1"],
        provider=providers["bv-da-khoa-tinh"],
        service="health",
        urgency="high",
    )
    health = client_for(cast["health1"])
    # Provider staff have no case permission at all: every case id answers 404 alike.
    assert health.get(f"/api/v1/cases/{case_a.pk}").status_code == 404
    assert health.get(f"/api/v1/cases/{case_a.pk + 1000}").status_code == 404
    assert health.get(f"/cases/{case_a.pk}/").status_code == 404


def test_only_the_addressee_accepts_over_the_api(cast, client, client_for, case_a, providers):
    referral_id = refer(client_for(cast["worker1"]), case_a, providers["bv-da-khoa-tinh"]).json()[
        "id"
    ]
    for who, expected in [("police1", 404), ("worker2", 404), ("reporter1", 403), ("worker1", 403)]:
        client.logout()
        response = send(client_for(cast[who]), "post", f"/api/v1/referrals/{referral_id}/accept")
        assert response.status_code == expected, who
    assert Referral.objects.get(pk=referral_id).status == "sent"


def test_sender_closes_and_revokes(cast, client, client_for, case_a, providers):
    worker = client_for(cast["worker1"])
    rid = refer(worker, case_a, providers["bv-da-khoa-tinh"]).json()["id"]
    assert send(worker, "post", f"/api/v1/referrals/{rid}/revoke", {}).status_code == 400
    revoked = send(worker, "post", f"/api/v1/referrals/{rid}/revoke", {"reason": "Rút đồng ý"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    closed = send(worker, "post", f"/api/v1/referrals/{rid}/close")
    assert closed.status_code == 400


def test_direct_service(cast, client, client_for, case_a, clock):
    worker = client_for(cast["worker1"])
    body = {"service": "legal", "delivered_on": str(clock.today()), "description": "Tư vấn"}
    response = send(worker, "post", f"/api/v1/cases/{case_a.pk}/services", body)
    assert response.status_code == 201, response.json()
    client.logout()
    other = send(client_for(cast["worker2"]), "post", f"/api/v1/cases/{case_a.pk}/services", body)
    assert other.status_code == 404


def test_providers_list_filters_and_hides_locations(cast, client_for, providers):
    api = client_for(cast["hotline1"])
    body = api.get("/api/v1/providers?service=shelter&commune=11953").json()
    assert [p["agency"] for p in body["results"]] == [providers["dctc-pho-hien"].agency_id]
    assert "location" not in body["results"][0]
    assert "next" in body
    legal = api.get("/api/v1/providers?service=legal").json()["results"]
    assert {p["name"] for p in legal} >= {providers["tro-giup-phap-ly"].agency.name}
    assert api.get("/api/v1/providers?service=cooking").status_code == 400


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("hotline1", 200),
        ("worker1", 200),
        ("supervisor1", 200),
        ("health1", 200),
        ("police1", 200),
        ("reporter1", 403),
        ("analyst1", 403),
        ("auditor1", 403),
        ("admin1", 403),
        ("manager1", 403),
        ("coordinator1", 403),
    ],
)
def test_role_matrix_of_the_directory(cast, client_for, providers, who, expected):
    assert client_for(cast[who]).get("/api/v1/providers").status_code == expected


@pytest.mark.parametrize(
    ("who", "box", "expected"),
    [
        ("worker1", "outgoing", 200),
        ("health1", "incoming", 200),
        ("health1", "outgoing", 403),
        ("worker1", "incoming", 403),
        ("reporter1", "outgoing", 403),
        ("hotline1", "incoming", 403),
    ],
)
def test_role_matrix_of_the_boxes(cast, client_for, who, box, expected):
    assert client_for(cast[who]).get(f"/api/v1/referrals?box={box}").status_code == expected


def test_lists_use_a_bounded_number_of_queries(
    cast, client, client_for, case_a, providers, django_assert_max_num_queries
):
    from antoan.referrals import services

    for service in ("health", "psychosocial", "health"):
        services.referral_send(
            case=case_a,
            actor=cast["worker1"],
            provider=providers["bv-da-khoa-tinh"],
            service=service,
            urgency="normal",
        )
    worker = client_for(cast["worker1"])
    with django_assert_max_num_queries(20):
        assert len(worker.get("/api/v1/referrals?box=outgoing").json()["results"]) == 3
    with django_assert_max_num_queries(15):
        worker.get("/api/v1/providers")
    client.logout()
    health = client_for(cast["health1"])
    # Each shared view reads the sharing consent: bounded by a constant per referral.
    with django_assert_max_num_queries(30):
        assert len(health.get("/api/v1/referrals?box=incoming").json()["results"]) == 3
