"""Transport rules: the API refuses plain HTTP where pages redirect it; __Host- cookies."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def https_only(settings):
    settings.SECURE_SSL_REDIRECT = True


def test_pages_over_plain_http_are_redirected_to_https(client, https_only):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response.url.startswith("https://")


def test_the_api_over_plain_http_is_refused_not_redirected(client, https_only):
    response = client.post(
        reverse("api:token"),
        {"username": "worker1", "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "https_required"


def test_the_api_over_https_answers(client, https_only):
    response = client.get(reverse("api:me"), secure=True)
    assert response.status_code == 401


def test_secure_cookies_carry_the_host_prefix(monkeypatch):
    import antoan.settings as module

    monkeypatch.setenv("ANTOAN_SECURE_COOKIES", "1")
    try:
        secure = importlib.reload(module)
        names = {secure.SESSION_COOKIE_NAME, secure.CSRF_COOKIE_NAME, secure.LANGUAGE_COOKIE_NAME}
        assert all(name.startswith("__Host-") for name in names)
        assert secure.SESSION_COOKIE_SECURE and secure.CSRF_COOKIE_SECURE
    finally:
        monkeypatch.delenv("ANTOAN_SECURE_COOKIES")
        importlib.reload(module)
