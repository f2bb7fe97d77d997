"""Exports of rows ask for the password or a code again; export volume alerts the auditors."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone

from antoan.accounts.tests.helpers import PASSWORD
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ACTIVITIES = "/programme/toolkit/export.xlsx"
MODELS = "/programme/toolkit/models.xlsx"
INFLUENCERS = "/programme/toolkit/influencers.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def later():
    """Call after signing in: the login-security clock moves past the step-up window."""
    patches = []

    def move(minutes: int = 10):
        patch = mock.patch(
            "antoan.accounts.services.now",
            return_value=timezone.now() + dt.timedelta(minutes=minutes),
        )
        patch.start()
        patches.append(patch)

    yield move
    for patch in patches:
        patch.stop()


@pytest.mark.parametrize(
    ("username", "url"),
    [("coordinator1", ACTIVITIES), ("analyst1", MODELS), ("coordinator1", INFLUENCERS)],
)
def test_an_export_of_rows_asks_again_after_five_minutes(
    cast, plan64, client_for, later, username, url
):
    client = client_for(cast[username])
    later()

    response = client.get(url, {"year": "2025"})

    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == "/accounts/reauth/"
    assert parse_qs(parts.query) == {"next": [f"{url}?year=2025"], "download": ["1"]}
    assert not AuditEvent.objects.filter(action="export").exists()

    client.post("/accounts/reauth/", {"secret": PASSWORD, "next": url, "download": "1"})
    response = client.get(url, {"year": "2025"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert AuditEvent.objects.filter(action="export", username=username).count() == 1


def test_influencer_counts_are_aggregates_and_need_no_step_up(cast, plan64, client_for, later):
    client = client_for(cast["analyst1"])  # analysts get counts, never names
    later()
    response = client.get(INFLUENCERS)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX


def test_the_indicator_tables_are_aggregates_and_need_no_step_up(
    cast, client_for, later, catalogue
):
    client = client_for(cast["analyst1"])
    later()
    assert client.get("/indicators/export.csv").status_code == 200


def test_without_the_permission_the_answer_is_403_not_a_password_prompt(
    cast, plan64, client_for, later
):
    client = client_for(cast["worker1"])
    later()
    assert client.get(MODELS).status_code == 403


@override_settings(ANTOAN_EXPORT_ALERT_PER_HOUR=2, ANTOAN_EXPORT_LIMIT_PER_HOUR=3)
def test_export_volume_alerts_auditors_once_then_refuses(cast, plan64, client_for):
    client = client_for(cast["analyst1"])
    for _ in range(2):
        assert client.get(MODELS).status_code == 200
    assert not AuditEvent.objects.filter(action="alert").exists()

    assert client.get(MODELS).status_code == 200  # the third: over 2, auditors are told
    alert = AuditEvent.objects.get(action="alert")
    assert alert.username == "analyst1"
    assert alert.extra["reason"] == "export_volume"
    assert alert.extra["exports_last_hour"] == 2
    assert (alert.object_type, alert.object_id) == ("accounts.user", str(cast["analyst1"].pk))

    refused = client.get(MODELS)  # the fourth: over the hard limit of 3
    assert refused.status_code == 429
    assert "quá mức cho phép" in refused.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == 3
    assert AuditEvent.objects.filter(action="alert", extra__reason="export_volume").count() == 1
    assert AuditEvent.objects.filter(action="alert", extra__reason="export_limit").count() == 1

    # The auditor finds the alerts under their action on the audit page.
    auditor = client_for(cast["auditor1"])
    assert 'href="/audit/?action=alert"' in auditor.get("/audit/").content.decode()
    page = auditor.get("/audit/", {"action": "alert"}).content.decode()
    assert "Cảnh báo" in page
    assert page.count("analyst1") >= 2
