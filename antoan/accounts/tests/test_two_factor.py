"""Two-factor login: enrolment, the code step, and who is made to use it."""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32encode
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from antoan.accounts.tests.helpers import current_code, make_device, web_login, wrong_code
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
LOGIN = reverse("accounts:login")
LOGIN_OTP = reverse("accounts:login_otp")
ENROL = reverse("accounts:otp_enrol")
SECURITY = reverse("accounts:security")

# Roles that see case data, and those with power over accounts (admin1) or the evidence
# (auditor1).
CASE_DATA_ROLES = ["hotline1", "worker1", "supervisor1", "health1", "auditor1", "admin1"]
OTHER_ROLES = ["reporter1", "analyst1", "nurse1"]


@pytest.fixture
def required(settings):
    settings.ANTOAN_REQUIRE_2FA = True


@pytest.fixture
def no_backoff(settings):
    """The device's own back-off (1 s, 2 s, 4 s... after wrong codes) off, to type quickly."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def signed_in(client) -> bool:
    return client.get(HOME).status_code == 200


# --- The code step -------------------------------------------------------------------------


def test_user_with_an_authenticator_is_asked_for_a_code(client, cast):
    device = make_device(cast["reporter1"])

    response = web_login(client, "reporter1")

    assert response.status_code == 302
    assert response.url == LOGIN_OTP
    assert not signed_in(client)  # the password alone signs no one in
    page = client.get(LOGIN_OTP)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()

    response = client.post(LOGIN_OTP, {"code": current_code(device)})

    assert response.status_code == 302
    assert response.url == HOME
    assert signed_in(client)
    event = AuditEvent.objects.get(action="login")
    assert event.user == cast["reporter1"]
    assert event.extra["two_factor"] is True


def test_code_step_keeps_next(client, cast):
    device = make_device(cast["reporter1"])
    web_login(client, "reporter1", next="/api/v1/me")

    response = client.post(LOGIN_OTP, {"code": current_code(device)})

    assert response.url == "/api/v1/me"


def test_code_step_without_a_password_goes_back_to_login(client, cast):
    response = client.get(LOGIN_OTP)
    assert response.status_code == 302
    assert response.url == LOGIN


def test_wrong_code_is_refused_and_audited(client, cast, no_backoff):
    device = make_device(cast["reporter1"])
    web_login(client, "reporter1")

    response = client.post(LOGIN_OTP, {"code": wrong_code(device)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mã xác thực không đúng" in page
    assert "Bạn còn 4 lần thử" in page
    assert not signed_in(client)
    event = AuditEvent.objects.get(action="otp_failed")
    assert event.user == cast["reporter1"]

    assert client.post(LOGIN_OTP, {"code": current_code(device)}).url == HOME
    assert signed_in(client)


def test_malformed_code_is_explained(client, cast):
    make_device(cast["reporter1"])
    web_login(client, "reporter1")

    response = client.post(LOGIN_OTP, {"code": "12ab"})

    assert "6 chữ số" in response.content.decode()


def test_five_wrong_codes_drop_the_pending_login(client, cast, no_backoff):
    device = make_device(cast["reporter1"])
    web_login(client, "reporter1")

    for _ in range(4):
        assert client.post(LOGIN_OTP, {"code": wrong_code(device)}).status_code == 200
    response = client.post(LOGIN_OTP, {"code": wrong_code(device)}, follow=True)

    assert response.redirect_chain[-1][0] == LOGIN
    assert "sai mã xác thực quá nhiều lần" in response.content.decode()
    assert AuditEvent.objects.filter(action="otp_failed").count() == 5
    # The right code is now too late: the password must be given again.
    assert client.post(LOGIN_OTP, {"code": current_code(device)}).url == LOGIN
    assert not signed_in(client)


def test_device_backs_off_after_wrong_codes(client, cast):
    device = make_device(cast["reporter1"])
    web_login(client, "reporter1")
    client.post(LOGIN_OTP, {"code": wrong_code(device)})

    response = client.post(LOGIN_OTP, {"code": current_code(device)})

    assert "Hãy đợi" in response.content.decode()
    assert not signed_in(client)


def test_pending_login_expires_after_five_minutes(client, cast):
    device = make_device(cast["reporter1"])
    web_login(client, "reporter1")
    later = timezone.now() + dt.timedelta(minutes=5, seconds=30)

    with mock.patch("antoan.accounts.services.now", return_value=later):
        response = client.post(LOGIN_OTP, {"code": current_code(device)}, follow=True)

    assert response.redirect_chain[-1][0] == LOGIN
    assert "Đã quá 5 phút" in response.content.decode()
    assert not signed_in(client)


def test_cancel_drops_the_pending_login(client, cast):
    device = make_device(cast["reporter1"])
    web_login(client, "reporter1")

    assert client.post(LOGIN_OTP, {"cancel": "1"}).url == LOGIN
    assert client.post(LOGIN_OTP, {"code": current_code(device)}).url == LOGIN


def test_code_cannot_be_used_twice(client, cast):
    device = make_device(cast["reporter1"])
    web_login(client, "reporter1")
    code = current_code(device)
    client.post(LOGIN_OTP, {"code": code})

    thief = Client()
    web_login(thief, "reporter1")
    response = thief.post(LOGIN_OTP, {"code": code})

    assert response.status_code == 200
    assert not signed_in(thief)


# --- Enrolment -----------------------------------------------------------------------------


def test_enrolment_end_to_end(client, cast, required, no_backoff):
    response = web_login(client, "worker1")
    assert response.url == ENROL
    assert client.get(HOME).url == f"{ENROL}?next=%2F"

    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "viewBox" in svg
    assert "style" not in svg  # the CSP forbids inline styles
    device = TOTPDevice.objects.get(user=cast["worker1"], confirmed=False)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert shown.replace(" ", "") == secret

    wrong = client.post(ENROL, {"code": wrong_code(device)})
    assert "Mã không đúng" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="otp_failed", user=cast["worker1"]).count() == 1

    response = client.post(ENROL, {"code": current_code(device)})

    assert response.url == SECURITY
    assert signed_in(client)
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="otp_enrolled", user=cast["worker1"]).exists()
    assert "Đang bật" in client.get(SECURITY).content.decode()

    # From now on the password alone is not enough.
    client.post(reverse("accounts:logout"))
    assert web_login(client, "worker1").url == LOGIN_OTP


def test_enrolment_returns_to_the_page_that_asked(client, cast, required):
    web_login(client, "worker1")
    client.get(f"{ENROL}?next=/api/v1/me")
    device = TOTPDevice.objects.get(user=cast["worker1"])

    response = client.post(f"{ENROL}?next=/api/v1/me", {"code": current_code(device)})

    assert response.url == "/api/v1/me"


def test_enrolment_page_keeps_its_secret_on_reload(client_for, cast):
    client = client_for(cast["reporter1"])
    first = client.get(ENROL).content
    second = client.get(ENROL).content

    assert TOTPDevice.objects.filter(user=cast["reporter1"]).count() == 1
    pattern = rb'data-testid="otp-secret">([A-Z2-7 ]+)<'
    assert re.search(pattern, first).group(1) == re.search(pattern, second).group(1)


def test_enrolment_page_is_only_for_signed_in_users(client):
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_replacing_the_authenticator_needs_the_current_one(client_for, cast):
    old = make_device(cast["reporter1"])
    # Signed in without the code (as through another login page).
    client = client_for(cast["reporter1"])

    response = client.get(ENROL)

    assert response.url.startswith(LOGIN_OTP)
    assert TOTPDevice.objects.filter(user=cast["reporter1"]).count() == 1

    client.post(LOGIN_OTP, {"code": current_code(old)})
    assert client.get(ENROL).status_code == 200
    new = TOTPDevice.objects.get(user=cast["reporter1"], confirmed=False)
    client.post(ENROL, {"code": current_code(new)})

    assert list(TOTPDevice.objects.filter(user=cast["reporter1"])) == [new]


# --- Who must use it -----------------------------------------------------------------------


@pytest.mark.parametrize("username", CASE_DATA_ROLES)
def test_roles_seeing_case_data_must_enrol(client_for, cast, required, username):
    client = client_for(cast[username])

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(ENROL)


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_other_roles_are_not_made_to_enrol(client_for, cast, required, username):
    assert client_for(cast[username]).get(HOME).status_code == 200


def test_nobody_is_made_to_enrol_when_the_setting_is_off(client_for, cast, settings):
    settings.ANTOAN_REQUIRE_2FA = False
    assert client_for(cast["worker1"]).get(HOME).status_code == 200


def test_pages_needed_to_enrol_stay_reachable(client_for, cast, required):
    client = client_for(cast["worker1"])

    assert client.get(ENROL).status_code == 200
    assert client.get(reverse("accounts:logout")).status_code == 200
    assert client.get(LOGIN).status_code == 200
    language = client.post(reverse("set_language"), {"language": "en", "next": ENROL})
    assert language.url == ENROL
    assert client.get("/static/css/antoan.css").status_code != 302


def test_enrolled_user_signed_in_without_code_is_sent_to_the_code_step(client_for, cast, required):
    device = make_device(cast["worker1"])
    client = client_for(cast["worker1"])

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_OTP)
    assert client.post(f"{LOGIN_OTP}?next=/", {"code": current_code(device)}).status_code == 302
    assert client.get(HOME).status_code == 200


def test_api_with_an_unverified_session_answers_json(client_for, cast, required):
    response = client_for(cast["worker1"]).get(reverse("api:me"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"


def test_htmx_requests_are_redirected_by_header(client_for, cast, required):
    response = client_for(cast["worker1"]).get(HOME, HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"].startswith(ENROL)
