"""``/api/v1/auth/token`` and bearer-token authentication, as a partner system sees them."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from antoan.accounts.models import ApiToken
from antoan.accounts.tests.helpers import (
    api_token,
    bearer,
    current_code,
    make_device,
    web_login,
    wrong_code,
)
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN = reverse("api:token")
ME = reverse("api:me")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The endpoint's rate limit lives in the cache; every test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def at(moment):
    return mock.patch("antoan.accounts.services.now", return_value=moment)


def error_code(response) -> str:
    return response.json()["error"]["code"]


# --- Issuing -------------------------------------------------------------------------------


def test_token_is_issued_and_opens_the_api(client, cast):
    before = timezone.now()

    response = api_token(client, "reporter1")

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    expires_at = dt.datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() is not None  # ISO 8601 with an offset
    assert before + dt.timedelta(hours=8) <= expires_at <= timezone.now() + dt.timedelta(hours=8)

    me = Client().get(ME, **bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["username"] == "reporter1"
    event = AuditEvent.objects.get(action="token_issued")
    assert event.user == cast["reporter1"]


def test_token_lifetime_is_configurable(client, cast, settings):
    settings.ANTOAN_TOKEN_HOURS = 2
    body = api_token(client, "reporter1").json()
    expires_at = dt.datetime.fromisoformat(body["expires_at"])
    assert expires_at <= timezone.now() + dt.timedelta(hours=2)


def test_only_a_digest_of_the_token_is_stored(client, cast):
    token = api_token(client, "reporter1").json()["token"]

    stored = ApiToken.objects.get()
    assert token not in {stored.digest, stored.prefix}
    assert stored.prefix == token[:8]
    assert len(stored.digest) == 64


def test_each_request_gets_a_new_token(client, cast):
    first = api_token(client, "reporter1").json()["token"]
    second = api_token(client, "reporter1").json()["token"]
    assert first != second


def test_wrong_password_and_unknown_user_get_the_same_answer(client, cast):
    wrong_password = api_token(client, "reporter1", "not-the-password")
    unknown_user = api_token(client, "nobody-here", "not-the-password")

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert error_code(wrong_password) == "invalid_credentials"
    assert AuditEvent.objects.filter(action="login_failed").count() == 2
    assert not AuditEvent.objects.filter(action="token_issued").exists()


def test_missing_fields_are_reported(client, cast):
    response = client.post(TOKEN, {"username": "reporter1"}, content_type="application/json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_endpoint_is_rate_limited(client, cast):
    for _ in range(20):
        assert client.post(TOKEN, {}, content_type="application/json").status_code == 400

    response = client.post(TOKEN, {}, content_type="application/json")

    assert response.status_code == 429
    assert error_code(response) == "rate_limited"


def test_forged_forwarded_for_does_not_reset_the_rate_limit(client, cast):
    for i in range(20):
        client.post(TOKEN, {}, content_type="application/json", HTTP_X_FORWARDED_FOR=f"10.9.0.{i}")

    response = client.post(
        TOKEN, {}, content_type="application/json", HTTP_X_FORWARDED_FOR="10.9.1.1"
    )

    assert response.status_code == 429


# --- Lockout -------------------------------------------------------------------------------


@pytest.fixture
def limit_three(settings):
    settings.AXES_FAILURE_LIMIT = 3


def test_token_endpoint_obeys_the_lockout(client, cast, limit_three):
    responses = [api_token(client, "worker1", "not-the-password") for _ in range(3)]

    assert [r.status_code for r in responses] == [401, 401, 403]
    assert error_code(responses[2]) == "locked_out"
    assert "15 phút" in responses[2].json()["error"]["message"]

    correct = api_token(client, "worker1")
    assert correct.status_code == 403
    assert error_code(correct) == "locked_out"
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action="locked_out", username="worker1").count() == 2

    assert api_token(Client(), "worker1", ip="10.0.0.2").status_code == 201


def test_web_login_failures_lock_the_token_endpoint_too(client, cast, limit_three):
    for _ in range(3):
        web_login(client, "worker1", "not-the-password")

    assert error_code(api_token(client, "worker1")) == "locked_out"


# --- Two-factor ----------------------------------------------------------------------------


def test_user_with_authenticator_must_send_a_code(client, cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = make_device(cast["reporter1"])

    missing = api_token(client, "reporter1")
    assert missing.status_code == 400
    assert error_code(missing) == "otp_required"

    wrong = api_token(client, "reporter1", otp=wrong_code(device))
    assert wrong.status_code == 401
    assert error_code(wrong) == "invalid_otp"
    assert AuditEvent.objects.filter(action="otp_failed", user=cast["reporter1"]).count() == 1

    right = api_token(client, "reporter1", otp=current_code(device))
    assert right.status_code == 201
    assert not ApiToken.objects.exclude(user=cast["reporter1"]).exists()


def test_wrong_password_is_refused_before_the_code_is_asked(client, cast):
    make_device(cast["reporter1"])
    response = api_token(client, "reporter1", "not-the-password")
    assert error_code(response) == "invalid_credentials"


def test_role_that_must_enrol_gets_no_token_before_enrolling(client, cast, settings):
    settings.ANTOAN_REQUIRE_2FA = True

    response = api_token(client, "worker1")

    assert response.status_code == 403
    assert error_code(response) == "two_factor_enrolment_required"
    assert api_token(client, "reporter1").status_code == 201


def test_enrolment_is_not_asked_when_the_setting_is_off(client, cast, settings):
    settings.ANTOAN_REQUIRE_2FA = False
    assert api_token(client, "worker1").status_code == 201


def test_token_issued_with_a_code_passes_the_two_factor_check(client, cast, settings):
    settings.ANTOAN_REQUIRE_2FA = True
    device = make_device(cast["worker1"])
    token = api_token(client, "worker1", otp=current_code(device)).json()["token"]

    assert Client().get(ME, **bearer(token)).status_code == 200


# --- Using and ending a token --------------------------------------------------------------


@pytest.fixture
def token(cast):
    return api_token(Client(), "reporter1").json()["token"]


def test_expired_token_is_refused(token, settings):
    issued = timezone.now()

    with at(issued + dt.timedelta(hours=settings.ANTOAN_TOKEN_HOURS, minutes=-1)):
        assert Client().get(ME, **bearer(token)).status_code == 200
    with at(issued + dt.timedelta(hours=settings.ANTOAN_TOKEN_HOURS, seconds=1)):
        response = Client().get(ME, **bearer(token))

    assert response.status_code == 401
    assert error_code(response) == "authentication_failed"


def test_delete_revokes_the_token_it_is_sent_with(token, cast):
    response = Client().delete(TOKEN, **bearer(token))

    assert response.status_code == 204
    refused = Client().get(ME, **bearer(token))
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Bearer"
    assert AuditEvent.objects.filter(action="token_revoked", user=cast["reporter1"]).exists()


def test_delete_without_a_token_is_refused(client, cast):
    response = client.delete(TOKEN)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_other_tokens_survive_a_revocation(cast):
    first = api_token(Client(), "reporter1").json()["token"]
    second = api_token(Client(), "reporter1").json()["token"]

    Client().delete(TOKEN, **bearer(first))

    assert Client().get(ME, **bearer(second)).status_code == 200


def test_token_of_a_deactivated_user_is_refused(token, cast):
    user = cast["reporter1"]
    user.is_active = False
    user.save()

    assert Client().get(ME, **bearer(token)).status_code == 401


def test_token_from_before_logout_everywhere_is_refused(token, cast):
    from antoan.accounts import services

    services.user_logout_everywhere(request=None, user=cast["reporter1"])
    ApiToken.objects.update(revoked_at=None)  # even if a row escaped the revocation

    assert Client().get(ME, **bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer  {token}",
        "Bearer {token} extra",
        "Bearer {token}\n",
        "Bearer\t{token}",
        "Token {token}",
        "Basic dXNlcjpwYXNz",
        "Bearer {token}é",
        "Bearer " + "a" * 300,
        "Bearer not-a-token-that-was-ever-issued-xxxxxxxxxxxxxxx",
    ],
)
def test_malformed_or_unknown_tokens_are_refused_and_change_nothing(token, header):
    used = ApiToken.objects.values_list("last_used_at", flat=True).get()
    events = AuditEvent.objects.count()

    response = Client().get(ME, HTTP_AUTHORIZATION=header.replace("{token}", token))

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "authentication_failed",
            "message": "Mã truy cập không hợp lệ hoặc đã hết hạn.",
        }
    }
    assert ApiToken.objects.values_list("last_used_at", flat=True).get() == used
    assert AuditEvent.objects.count() == events


def test_scheme_is_case_insensitive(token):
    assert Client().get(ME, HTTP_AUTHORIZATION=f"bearer {token}").status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(token):
    def last_used():
        return ApiToken.objects.values_list("last_used_at", flat=True).get()

    start = timezone.now()
    with at(start):
        Client().get(ME, **bearer(token))
    assert last_used() == start
    with at(start + dt.timedelta(seconds=30)):
        Client().get(ME, **bearer(token))
    assert last_used() == start
    with at(start + dt.timedelta(minutes=2)):
        Client().get(ME, **bearer(token))
    assert last_used() == start + dt.timedelta(minutes=2)
