"""Session limits, logout and "log out everywhere"."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from antoan.accounts.tests.helpers import api_token, bearer, web_login
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
LOGIN = reverse("accounts:login")
ME = reverse("api:me")


def at(moment):
    """Move the clock of login security (not the rest of the system) to ``moment``."""
    return mock.patch("antoan.accounts.services.now", return_value=moment)


# --- Idle timeout and absolute lifetime ----------------------------------------------------


def test_session_ends_after_30_idle_minutes(client_for, cast):
    start = timezone.now()
    client = client_for(cast["reporter1"])

    with at(start + dt.timedelta(minutes=29)):
        assert client.get(HOME).status_code == 200
    with at(start + dt.timedelta(minutes=58)):
        assert client.get(HOME).status_code == 200
    with at(start + dt.timedelta(minutes=89)):
        response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    page = client.get(response.url).content.decode()
    assert "Phiên làm việc đã hết hạn" in page
    assert "30 phút" in page
    assert client.get(HOME).status_code == 302  # the session is gone, not only refused once
    event = AuditEvent.objects.get(action="logout")
    assert event.user == cast["reporter1"]
    assert event.extra["reason"] == "idle"


def test_session_ends_12_hours_after_login_even_when_busy(client_for, cast):
    start = timezone.now()
    client = client_for(cast["reporter1"])

    for minutes in range(20, 12 * 60, 20):
        with at(start + dt.timedelta(minutes=minutes)):
            assert client.get(HOME).status_code == 200, minutes
    with at(start + dt.timedelta(hours=12, minutes=1)):
        response = client.get(HOME)

    assert response.status_code == 302
    assert "Phiên làm việc đã hết hạn" in client.get(response.url).content.decode()
    assert AuditEvent.objects.get(action="logout").extra["reason"] == "expired"


def test_idle_limit_is_configurable(client_for, cast, settings):
    settings.ANTOAN_SESSION_IDLE_MINUTES = 5
    start = timezone.now()
    client = client_for(cast["reporter1"])

    with at(start + dt.timedelta(minutes=6)):
        assert client.get(HOME).status_code == 302


def test_at_the_smallest_idle_limit_a_user_active_every_18_seconds_stays_signed_in(
    client_for, cast, settings
):
    settings.ANTOAN_SESSION_IDLE_MINUTES = 1
    start = timezone.now()
    client = client_for(cast["reporter1"])

    for step in range(1, 17):  # a page every 18 s for almost 5 minutes
        with at(start + dt.timedelta(seconds=18 * step)):
            response = client.get(HOME)
        assert response.status_code == 200, f"signed out after {18 * step} s"

    last = start + dt.timedelta(seconds=18 * 16)
    with at(last + dt.timedelta(seconds=61)):  # then nothing for more than a minute
        response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert AuditEvent.objects.get(action="logout").extra["reason"] == "idle"


@pytest.mark.parametrize("minutes", [1, 2, 5, 30])
def test_any_idle_limit_keeps_a_user_active_just_inside_it(client_for, cast, settings, minutes):
    settings.ANTOAN_SESSION_IDLE_MINUTES = minutes
    start = timezone.now()
    client = client_for(cast["reporter1"])
    gap = minutes * 60 * 0.7  # requests closer together than the limit, with slack for rounding
    for step in range(1, 8):
        with at(start + dt.timedelta(seconds=gap * step)):
            assert client.get(HOME).status_code == 200, (minutes, step)


def test_expired_session_on_the_api_answers_401_json(client_for, cast):
    start = timezone.now()
    client = client_for(cast["reporter1"])
    assert client.get(ME).status_code == 200

    with at(start + dt.timedelta(minutes=31)):
        response = client.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_expired"


# --- Logout --------------------------------------------------------------------------------


def test_logout_asks_before_acting_on_get(client_for, cast):
    client = client_for(cast["reporter1"])

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert client.get(HOME).status_code == 200


def test_logout_by_post_ends_the_session(client_for, cast):
    client = client_for(cast["reporter1"])

    response = client.post(reverse("accounts:logout"), follow=True)

    assert response.redirect_chain[-1][0] == LOGIN
    assert "Bạn đã đăng xuất" in response.content.decode()
    assert client.get(HOME).status_code == 302
    event = AuditEvent.objects.get(action="logout")
    assert event.user == cast["reporter1"]
    assert event.extra["reason"] == "user"


def test_logout_needs_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["reporter1"])

    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.get(HOME).status_code == 200


def test_logout_everywhere_ends_every_session_and_token(cast):
    here, elsewhere, script = Client(), Client(), Client()
    web_login(here, "reporter1")
    web_login(elsewhere, "reporter1")
    token = api_token(script, "reporter1").json()["token"]
    assert script.get(ME, **bearer(token)).status_code == 200

    response = here.post(reverse("accounts:logout_everywhere"), follow=True)

    assert response.redirect_chain[-1][0] == LOGIN
    assert "Đã đăng xuất khỏi mọi thiết bị" in response.content.decode()
    assert here.get(HOME).status_code == 302
    assert elsewhere.get(HOME).status_code == 302
    assert script.get(ME, **bearer(token)).status_code == 401
    event = AuditEvent.objects.get(action="logout_everywhere")
    assert event.user == cast["reporter1"]
    assert event.extra["tokens_revoked"] == 1
    # The password still works: this ends sessions, it does not lock the account.
    assert web_login(Client(), "reporter1").status_code == 302


def test_logout_everywhere_is_a_post(client_for, cast):
    client = client_for(cast["reporter1"])
    assert client.get(reverse("accounts:logout_everywhere")).status_code == 405
    assert client.get(HOME).status_code == 200
