"""The account security page: who may open it and what it offers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from antoan.accounts.models import User
from antoan.accounts.tests.helpers import (
    api_token,
    bearer,
    current_code,
    make_device,
    web_login,
)
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SECURITY = reverse("accounts:security")
ME = reverse("api:me")


def test_anonymous_is_sent_to_login(client):
    response = client.get(SECURITY)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_user_without_any_role_is_refused(client, mini_places):
    user = User.objects.create_user("norole", password="a-long-password-123")
    client.force_login(user)
    assert client.get(SECURITY).status_code == 403


@pytest.mark.parametrize("username", ["worker1", "reporter1", "auditor1", "admin1"])
def test_every_role_reaches_the_page_from_the_user_menu(client_for, cast, username):
    client = client_for(cast[username])
    assert f'href="{SECURITY}"'.encode() in client.get(reverse("core:home")).content
    assert client.get(SECURITY).status_code == 200


def test_user_without_authenticator_is_offered_one(client_for, cast):
    page = client_for(cast["worker1"]).get(SECURITY).content.decode()

    assert "Chưa bật" in page
    assert f'href="{reverse("accounts:otp_enrol")}"' in page


def test_required_role_is_told_it_is_mandatory(client_for, cast, settings):
    settings.ANTOAN_REQUIRE_2FA = True
    device = make_device(cast["worker1"])
    client = Client()
    web_login(client, "worker1")
    client.post(reverse("accounts:login_otp"), {"code": current_code(device)})

    page = client.get(SECURITY).content.decode()

    assert "Đang bật" in page
    assert "không thể tắt xác thực hai lớp" in page


def test_enrolled_user_sees_it_on(cast):
    device = make_device(cast["reporter1"])
    client = Client()
    web_login(client, "reporter1")
    client.post(reverse("accounts:login_otp"), {"code": current_code(device)})

    page = client.get(SECURITY).content.decode()

    assert "Đang bật" in page
    assert "Bật xác thực hai lớp" not in page


def test_page_lists_own_active_tokens_only(client_for, cast):
    mine = api_token(Client(), "reporter1").json()["token"]
    theirs = api_token(Client(), "analyst1").json()["token"]

    page = client_for(cast["reporter1"]).get(SECURITY).content.decode()

    assert mine[:8] in page
    assert theirs[:8] not in page
    assert mine not in page  # only the prefix is ever shown again


def test_revoking_a_token_from_the_page(client_for, cast):
    token = api_token(Client(), "reporter1").json()["token"]
    client = client_for(cast["reporter1"])
    pk = cast["reporter1"].api_tokens.get().pk

    response = client.post(reverse("accounts:token_revoke", args=[pk]), follow=True)

    assert "Đã thu hồi" in response.content.decode()
    assert 'data-testid="no-tokens"' in response.content.decode()
    assert Client().get(ME, **bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action="token_revoked", user=cast["reporter1"]).exists()


def test_another_users_token_cannot_be_revoked(client_for, cast):
    token = api_token(Client(), "analyst1").json()["token"]
    pk = cast["analyst1"].api_tokens.get().pk

    response = client_for(cast["reporter1"]).post(reverse("accounts:token_revoke", args=[pk]))

    assert response.status_code == 404
    assert Client().get(ME, **bearer(token)).status_code == 200
