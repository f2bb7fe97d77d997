"""The printable case summary is an export of case data: step-up first."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from antoan.accounts.tests.helpers import PASSWORD
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_printing_a_case_asks_again_after_five_minutes(cast, client_for, clock, open_case):
    case = open_case(cast["worker1"])
    client = client_for(cast["worker1"])
    url = f"/cases/{case.pk}/print/"
    later = timezone.now() + dt.timedelta(minutes=10)
    with mock.patch("antoan.accounts.services.now", return_value=later):
        asked = client.get(url)
        client.post("/accounts/reauth/", {"secret": PASSWORD, "next": url})
        printed = client.get(url)

    assert urlsplit(asked["Location"]).path == "/accounts/reauth/"
    assert printed.status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="case").count() == 1


def test_a_case_the_user_may_not_see_is_still_not_found(cast, client_for, clock, open_case):
    case = open_case(cast["worker1"])
    assert client_for(cast["worker2"]).get(f"/cases/{case.pk}/print/").status_code == 404
