"""Password login and lockout, as a user of the login page sees them."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from antoan.accounts.tests.helpers import PASSWORD, api_token, web_login
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "tạm thời bị khoá đăng nhập"


def signed_in(client) -> bool:
    return client.get(HOME).status_code == 200


def test_login_page_is_open_to_anyone(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_correct_password_signs_in_and_is_audited(client, cast):
    response = web_login(client, "reporter1")

    assert response.status_code == 302
    assert response.url == HOME
    assert signed_in(client)
    event = AuditEvent.objects.get(action="login")
    assert event.user == cast["reporter1"]
    assert event.ip == "127.0.0.1"


def test_login_gives_the_session_a_new_key(client, cast):
    session = client.session
    session["seen_before_login"] = True
    session.save()
    before = client.cookies["sessionid"].value

    web_login(client, "reporter1")

    assert client.cookies["sessionid"].value != before


def test_wrong_password_and_unknown_user_get_the_same_answer(client, cast):
    wrong_password = web_login(client, "reporter1", "not-the-password")
    unknown_user = web_login(client, "nobody-here", "not-the-password")

    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    assert not signed_in(client)
    failed = AuditEvent.objects.filter(action="login_failed")
    assert sorted(failed.values_list("username", flat=True)) == ["nobody-here", "reporter1"]
    assert all(event.user_id is None for event in failed)


def test_inactive_user_cannot_sign_in(client, cast):
    user = cast["reporter1"]
    user.is_active = False
    user.save()

    response = web_login(client, "reporter1")

    assert WRONG in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/api/v1/me", "/api/v1/me"),
        ("https://evil.example/phish", HOME),
        ("//evil.example/phish", HOME),
        ("javascript:alert(1)", HOME),
    ],
)
def test_next_is_followed_only_within_the_site(client, cast, next_url, expected):
    response = web_login(client, "reporter1", next=next_url)
    assert response.status_code == 302
    assert response.url == expected


def test_login_form_carries_a_safe_next_only(client):
    page = client.get(reverse("accounts:login") + "?next=/places").content
    assert b'name="next" value="/places"' in page
    page = client.get(reverse("accounts:login") + "?next=https://evil.example/").content
    assert b'name="next" value="https://evil.example/"' not in page


# --- Lockout -------------------------------------------------------------------------------


@pytest.fixture
def limit_three(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def lock(client, username="worker1", ip="127.0.0.1"):
    responses = [web_login(client, username, "not-the-password", ip=ip) for _ in range(3)]
    return responses


def test_lockout_after_repeated_failures(client, cast, limit_three):
    first, second, third = lock(client)

    assert WRONG in first.content.decode()
    assert WRONG in second.content.decode()
    assert third.status_code == 403
    page = third.content.decode()
    assert LOCKED in page
    assert "15 phút" in page  # ANTOAN_LOCKOUT_MINUTES default
    assert "liên hệ quản trị hệ thống" in page


def test_correct_password_is_refused_while_locked(client, cast, limit_three):
    lock(client)

    response = web_login(client, "worker1")

    assert response.status_code == 403
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_lockout_is_audited_once_per_attempt(client, cast, limit_three):
    lock(client)
    web_login(client, "worker1")  # refused while locked

    failed = AuditEvent.objects.filter(action="login_failed", username="worker1")
    locked = AuditEvent.objects.filter(action="locked_out", username="worker1")
    # Three wrong passwords; the lock engaged at the third and refused the fourth attempt.
    assert failed.count() == 3
    assert locked.count() == 2


def test_lockout_is_per_username_and_address(client, cast, limit_three):
    lock(client, ip="10.0.0.1")

    other_address = Client()
    assert web_login(other_address, "worker1", ip="10.0.0.2").status_code == 302
    assert signed_in(other_address)

    other_user_same_address = Client()
    assert web_login(other_user_same_address, "reporter1", ip="10.0.0.1").status_code == 302


def test_lockout_ends_after_the_cool_off(client, cast, limit_three, settings):
    lock(client)
    later = timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)

    with mock.patch("axes.handlers.proxy.now", return_value=later):
        response = web_login(client, "worker1")

    assert response.status_code == 302
    assert signed_in(client)


def test_successful_login_forgets_earlier_failures(client, cast, limit_three):
    web_login(client, "worker1", "not-the-password")
    web_login(client, "worker1", "not-the-password")
    assert web_login(client, "worker1").status_code == 302
    client.post(reverse("accounts:logout"))

    # Two more failures do not reach the limit of three: the count started again.
    web_login(client, "worker1", "not-the-password")
    web_login(client, "worker1", "not-the-password")
    assert web_login(client, "worker1").status_code == 302


def test_failures_through_the_api_lock_the_web_login_too(client, cast, limit_three):
    for _ in range(3):
        api_token(client, "worker1", "not-the-password")

    response = web_login(client, "worker1", PASSWORD)

    assert response.status_code == 403
    assert LOCKED in response.content.decode()
