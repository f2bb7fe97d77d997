"""A granted deletion request can anonymise the survivor at once (no waiting five years)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from antoan.accounts.tests.helpers import PASSWORD
from antoan.cases.models import Survivor
from antoan.cases.tests.conftest import NAME, close_case, fresh
from antoan.core.models import AuditEvent
from antoan.privacy import services
from antoan.privacy.models import DataRequest

pytestmark = pytest.mark.django_db


def test_erasing_on_a_deletion_request_anonymises_every_case_of_the_survivor(
    cast, case_a, register
):
    closed = close_case(case_a, worker=cast["worker1"], supervisor=cast["supervisor1"])
    data_request = register(closed, kind="deletion", details="Chị muốn xoá hồ sơ")

    services.request_decide(
        data_request=data_request,
        actor=cast["supervisor1"],
        version=1,
        outcome="completed",
        note="Đã ẩn danh theo yêu cầu",
        erase=True,
    )

    survivor = Survivor.objects.get(pk=closed.survivor_id)
    assert survivor.full_name == "" and survivor.phone == ""
    assert fresh(closed).anonymised_at is not None
    assert DataRequest.objects.get(pk=data_request.pk).status == "completed"
    assert DataRequest.objects.get(pk=data_request.pk).details == ""
    event = AuditEvent.objects.get(action="anonymised", object_id=str(closed.pk))
    assert event.user == cast["supervisor1"]
    assert event.extra["reason"] == "deletion_request"


def test_an_open_case_is_not_erased(cast, case_a, register):
    data_request = register(case_a, kind="deletion")

    with pytest.raises(ValidationError) as error:
        services.request_decide(
            data_request=data_request,
            actor=cast["supervisor1"],
            version=1,
            outcome="completed",
            note="x",
            erase=True,
        )

    assert "erase" in error.value.error_dict
    assert Survivor.objects.get(pk=case_a.survivor_id).full_name == NAME
    assert DataRequest.objects.get(pk=data_request.pk).status == "received"


def test_only_a_deletion_request_erases(cast, case_a, register):
    closed = close_case(case_a, worker=cast["worker1"], supervisor=cast["supervisor1"])
    data_request = register(closed, kind="objection")

    with pytest.raises(ValidationError):
        services.request_decide(
            data_request=data_request,
            actor=cast["supervisor1"],
            version=1,
            outcome="completed",
            note="x",
            erase=True,
        )
    assert Survivor.objects.get(pk=closed.survivor_id).full_name == NAME


def test_the_page_asks_for_the_password_again_before_erasing(cast, case_a, register, settings):
    settings.ANTOAN_REAUTH_MINUTES = 0  # the login no longer counts as recent
    closed = close_case(case_a, worker=cast["worker1"], supervisor=cast["supervisor1"])
    data_request = register(closed, kind="deletion")
    client = Client()
    client.force_login(cast["supervisor1"])
    url = reverse("privacy:request_action", args=[data_request.pk, "decide"])
    form = {"version": 1, "outcome": "completed", "note": "Đã ẩn danh", "erase": "on"}

    refused = client.post(url, form)

    assert refused.status_code == 400
    assert Survivor.objects.get(pk=closed.survivor_id).full_name == NAME
    done = client.post(url, {**form, "reauth_secret": PASSWORD})
    assert done.status_code == 302
    assert Survivor.objects.get(pk=closed.survivor_id).full_name == ""
