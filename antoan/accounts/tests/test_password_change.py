"""Changing one's own password from the account security page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from antoan.accounts.models import ApiToken
from antoan.accounts.tests.helpers import PASSWORD, api_token, bearer, web_login
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")
SECURITY = reverse("accounts:security")
HOME = reverse("core:home")
NEW = "mùa lúa chín vàng trên đồng quê"


def signed_in(username: str) -> Client:
    client = Client()
    assert web_login(client, username).status_code == 302
    return client


def test_security_page_links_to_the_change(client_for, cast):
    page = client_for(cast["reporter1"]).get(SECURITY).content.decode()
    assert f'href="{CHANGE}"' in page


def test_change_keeps_this_session_and_ends_the_others(cast):
    here, elsewhere = signed_in("worker1"), signed_in("worker1")
    token = api_token(Client(), "worker1").json()["token"]

    response = here.post(CHANGE, {"current": PASSWORD, "new": NEW, "repeat": NEW})

    assert response.status_code == 302 and response.url == SECURITY
    assert here.get(HOME).status_code == 200
    assert elsewhere.get(HOME).status_code == 302  # sent to the login page
    assert Client().get(reverse("api:me"), **bearer(token)).status_code == 401
    assert not ApiToken.objects.filter(user=cast["worker1"], revoked_at__isnull=True).exists()
    assert web_login(Client(), "worker1", password=NEW).status_code == 302
    assert web_login(Client(), "worker1").status_code == 200  # the old one no longer works
    event = AuditEvent.objects.get(action="password_changed")
    assert event.user == cast["worker1"] and event.extra["tokens_revoked"] == 1


def test_wrong_current_password_changes_nothing_and_is_audited(cast):
    client = signed_in("worker1")

    response = client.post(CHANGE, {"current": "not-my-password", "new": NEW, "repeat": NEW})

    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in response.content.decode()
    assert web_login(Client(), "worker1").status_code == 302
    assert AuditEvent.objects.filter(action="password_change_failed", user=cast["worker1"]).exists()


@pytest.mark.parametrize(
    ("new", "repeat", "message"),
    [
        ("short-one", "short-one", "quá ngắn"),
        ("AnToan-2026-mat-khau", "AnToan-2026-mat-khau", "tên hệ thống"),
        ("Hưng Yên quê lúa 2026", "Hưng Yên quê lúa 2026", "tên tỉnh"),
        (NEW, NEW + "x", "không giống nhau"),
        (PASSWORD, PASSWORD, "khác mật khẩu hiện tại"),
    ],
)
def test_weak_or_mistyped_new_passwords_are_refused(cast, new, repeat, message):
    client = signed_in("reporter1")

    response = client.post(CHANGE, {"current": PASSWORD, "new": new, "repeat": repeat})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert web_login(Client(), "reporter1").status_code == 302


def test_anonymous_is_sent_to_login(client):
    response = client.get(CHANGE)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
