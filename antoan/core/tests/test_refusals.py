"""Refused requests are audited once, naming their object; every answer is no-store.

The whole system is walked by tests/security/test_access_matrix.py; these tests pin the
mechanism on a few requests a user would make.
"""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from antoan.cases.tests.conftest import (  # noqa: F401 - fixtures reused as they are
    clock,
    open_case,
    open_result,
)
from antoan.core.middleware import NoStoreMiddleware
from antoan.core.models import AuditEvent
from antoan.core.refusals import OBJECT_TYPES, object_type_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_a(cast, open_case):  # noqa: F811 - the fixture imported above
    return open_case(cast["worker1"])


def _refusals(user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="permission_denied", user=user).order_by("seq"))


def test_another_agencys_case_page_is_a_404_on_record(client, cast, case_a):
    client.force_login(cast["worker2"])
    response = client.get(f"/cases/{case_a.pk}/")
    assert response.status_code == 404
    [event] = _refusals(cast["worker2"])
    assert (event.object_type, event.object_id) == ("case", str(case_a.pk))
    assert event.extra == {"path": f"/cases/{case_a.pk}/", "status": 404}
    assert event.role == "case_worker"  # the membership she asked through


def test_a_case_that_does_not_exist_answers_the_same_and_is_on_record(client, cast, case_a):
    client.force_login(cast["worker2"])
    elsewhere = client.get(f"/cases/{case_a.pk}/")
    nowhere = client.get("/cases/987654/")
    assert nowhere.status_code == elsewhere.status_code == 404
    assert _page(nowhere, "987654") == _page(elsewhere, str(case_a.pk))
    assert [(e.object_type, e.object_id) for e in _refusals(cast["worker2"])] == [
        ("case", str(case_a.pk)),
        ("case", "987654"),
    ]


def _page(response, case_id: str) -> str:
    """The page without what differs from one request to the next (token, request id, path)."""
    text = response.content.decode().replace(f"/cases/{case_id}/", "/cases/ID/")
    text = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", text)
    return re.sub(r"<code>[0-9a-f]{32}</code>", "", text)


def test_a_sub_resource_names_the_case_and_keeps_the_other_id(client, cast, case_a):
    client.force_login(cast["worker2"])
    response = client.post(f"/cases/{case_a.pk}/measures/55/decide/", {})
    assert response.status_code == 404
    [event] = _refusals(cast["worker2"])
    assert (event.object_type, event.object_id) == ("case", str(case_a.pk))
    assert event.extra["measure_id"] == 55


def test_a_case_id_refused_by_the_api_is_on_record_once(client, cast, case_a):
    client.force_login(cast["hotline1"])  # no case role: the gate refuses, the answer is 404
    response = client.get(f"/api/v1/cases/{case_a.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    [event] = _refusals(cast["hotline1"])
    assert (event.object_type, event.object_id) == ("case", str(case_a.pk))
    assert event.extra["permission"] == "cases.view_assigned"


def test_an_object_level_403_is_on_record(client, cast, case_a):
    client.force_login(cast["worker1"])  # on the case, but only a supervisor assigns
    response = client.get(f"/cases/{case_a.pk}/assign/")
    assert response.status_code == 403
    [event] = _refusals(cast["worker1"])
    assert (event.object_type, event.object_id) == ("case", str(case_a.pk))


def test_a_whole_page_refusal_is_recorded_once(client, cast):
    client.force_login(cast["worker1"])
    assert client.get("/audit/").status_code == 403
    [event] = _refusals(cast["worker1"])
    assert event.extra == {"path": "/audit/", "permission": "audit.view"}
    assert event.object_type == ""


def test_a_url_that_matches_nothing_is_not_a_refusal(client, cast):
    client.force_login(cast["worker1"])
    assert client.get("/no/such/page/").status_code == 404
    assert _refusals(cast["worker1"]) == []


def test_a_refusal_rolled_back_with_its_transaction_is_recorded_again(rf, cast):
    from django.db import transaction
    from django.urls import resolve

    from antoan.core.audit import audit_record
    from antoan.core.middleware import RefusalAuditMiddleware

    request = rf.get("/cases/7/")
    request.user = cast["worker2"]
    request.resolver_match = resolve("/cases/7/")

    def view(req):
        try:
            with transaction.atomic():
                audit_record(action="permission_denied", request=req)
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
        return HttpResponse(status=404)

    RefusalAuditMiddleware(view)(request)
    [event] = _refusals(cast["worker2"])
    assert (event.object_type, event.object_id, event.extra["status"]) == ("case", "7", 404)


def test_pages_api_answers_and_errors_are_not_stored(client, cast, case_a):
    client.force_login(cast["worker1"])
    for url, status in [
        (f"/cases/{case_a.pk}/", 200),
        (f"/api/v1/cases/{case_a.pk}", 200),
        ("/cases/987654/", 404),
        ("/accounts/login/", 200),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response["Cache-Control"] == "no-store", url
        assert response["Pragma"] == "no-cache", url


def test_a_view_asking_for_caching_gets_no_store_and_static_files_keep_theirs(settings):
    cached = NoStoreMiddleware(lambda r: _response("public, max-age=3600"))
    assert cached(RequestFactory().get("/programme/toolkit/export.xlsx"))["Cache-Control"] == (
        "no-store"
    )
    kept = NoStoreMiddleware(lambda r: _response("private, no-store"))
    assert kept(RequestFactory().get("/x/"))["Cache-Control"] == "private, no-store"
    static = cached(RequestFactory().get(f"{settings.STATIC_URL}css/app.css"))
    assert static["Cache-Control"] == "public, max-age=3600"


def _response(cache_control: str) -> HttpResponse:
    response = HttpResponse()
    response["Cache-Control"] = cache_control
    return response


def test_the_object_table_is_read_from_the_most_specific_key():
    assert object_type_for("referrals", "provider", "pk") == "provider"
    assert object_type_for("referrals", "detail", "pk") == "referral"
    assert object_type_for("api", "case", "case_id") == "case"
    assert object_type_for("hotline", "detail", "pk") == "call"
    assert object_type_for("nowhere", "x", "pk") == ""
    assert all(value for value in OBJECT_TYPES.values())
