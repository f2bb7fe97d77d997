"""Controls that docs/security/asvs.md relies on and no other test checked directly."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import path
from PIL import Image

from antoan import urls
from antoan.core.permissions import public
from antoan.programme.files import check_upload


@public
def _broken(request):
    raise RuntimeError("detail-that-must-not-leak: SELECT * FROM cases_survivor")


urlpatterns = [
    path("broken/", _broken),
    path("api/v1/broken/", _broken),
    *urls.urlpatterns,
]
handler500 = "antoan.core.views.server_error"


def test_session_and_csrf_cookies_are_httponly_and_same_site(client, cast):
    from antoan.accounts.demo import DEMO_PASSWORD

    form = client.get("/accounts/login/")
    csrf = form.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    assert not csrf["max-age"] and not csrf["expires"]  # no year-long trace on a shared phone
    response = client.post("/accounts/login/", {"username": "worker1", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert not session["max-age"]  # ends with the browser


def test_pages_and_api_answers_carry_the_browser_policies(client, db):
    for url in ("/accounts/login/", "/api/v1/no-such-thing"):
        response = client.get(url)
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@override_settings(ROOT_URLCONF=__name__)
def test_an_unexpected_error_shows_a_generic_page_without_details(db):
    client = Client(raise_request_exception=False)
    page = client.get("/broken/")
    assert page.status_code == 500
    text = page.content.decode()
    assert "Đã xảy ra lỗi" in text
    assert "detail-that-must-not-leak" not in text and "Traceback" not in text
    api = client.get("/api/v1/broken/")
    assert api.status_code == 500
    assert api["Content-Type"].startswith("application/json")
    assert "detail-that-must-not-leak" not in api.content.decode()
    assert set(api.json()) == {"error"}


def test_a_pixel_flood_image_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (7000, 7000)).save(out, "PNG")  # 49 megapixels in a few kilobytes
    flood = SimpleUploadedFile("anh.png", out.getvalue())
    with pytest.raises(ValidationError, match="40 triệu điểm ảnh"):
        check_upload(flood, allowed={"png"}, max_bytes=10**6)


def test_a_deactivated_users_session_ends_at_the_next_request(client_for, cast):
    client = client_for(cast["worker1"])
    assert client.get("/").status_code == 200
    cast["worker1"].is_active = False
    cast["worker1"].save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_api_refuses_a_session_write_without_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["worker1"])
    response = client.post("/api/v1/cases", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    # The same request from a page that sent its token reaches the form's own checks.
    token = client.get("/cases/new/").cookies["csrftoken"].value
    checked = client.post(
        "/api/v1/cases", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert checked.status_code == 400


def test_trace_is_refused(client, db):
    assert client.generic("TRACE", "/accounts/login/").status_code == 405


def test_passwords_need_twelve_characters_and_must_not_be_common(db):
    with pytest.raises(ValidationError, match="12"):
        validate_password("mèo-đen-11c")
    with pytest.raises(ValidationError):
        validate_password("password1234")
    validate_password("hai con mèo đen ngồi trên mái nhà " * 3)  # 100 characters, any kind


def test_the_password_field_is_masked(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password" type="password"' in page


def test_a_long_passphrase_signs_in_exactly_as_typed(client, cast):
    passphrase = "  Hai con mèo đen ngồi trên mái nhà, nhìn trăng rằm tháng tám mà hát  "
    assert len(passphrase) > 64
    cast["worker1"].set_password(passphrase)
    cast["worker1"].save()
    trimmed = client.post(
        "/accounts/login/", {"username": "worker1", "password": passphrase.strip()}
    )
    assert trimmed.status_code == 200  # refused: spaces are part of the password
    exact = client.post("/accounts/login/", {"username": "worker1", "password": passphrase})
    assert exact.status_code == 302


def test_the_api_schema_and_docs_are_for_signed_in_users_only(client, db):
    for url in ("/api/v1/schema", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code in (401, 403), url
        assert "openapi" not in response.content.decode().lower()
