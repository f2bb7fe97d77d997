"""Step-up: the password or a code again before sensitive acts; the lost-phone reset."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from antoan.accounts.models import Agency, ApiToken, Membership
from antoan.accounts.tests.helpers import (
    PASSWORD,
    current_code,
    make_device,
    web_login,
    wrong_code,
)
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

MEMBERSHIP_ADD = "/admin/accounts/membership/add/"


@pytest.fixture
def later():
    """Call after signing in: moves the login-security clock ten minutes on, past the
    step-up window (the idle limit is 30 minutes)."""
    patches = []

    def move(minutes: int = 10):
        moment = timezone.now() + dt.timedelta(minutes=minutes)
        patch = mock.patch("antoan.accounts.services.now", return_value=moment)
        patch.start()
        patches.append(patch)
        return moment

    yield move
    for patch in patches:
        patch.stop()


def _reauth_target(response) -> tuple[str, dict[str, list[str]]]:
    assert response.status_code == 302, response.status_code
    parts = urlsplit(response["Location"])
    return parts.path, parse_qs(parts.query)


# --- The page ----------------------------------------------------------------------------------


def test_a_login_counts_as_recent_so_a_fresh_session_is_not_asked(client_for, cast):
    assert client_for(cast["admin1"]).get(MEMBERSHIP_ADD).status_code == 200


def test_after_the_window_a_role_change_asks_and_comes_back(client_for, cast, later):
    client = client_for(cast["admin1"])
    later()

    path, query = _reauth_target(client.get(MEMBERSHIP_ADD))
    assert path == "/accounts/reauth/"
    assert query["next"] == [MEMBERSHIP_ADD]
    page = client.get("/accounts/reauth/", {"next": MEMBERSHIP_ADD}).content.decode()
    assert "Xác nhận lại mật khẩu hoặc mã OTP" in page

    response = client.post("/accounts/reauth/", {"secret": PASSWORD, "next": MEMBERSHIP_ADD})

    assert response.status_code == 302
    assert response["Location"] == MEMBERSHIP_ADD
    assert client.get(MEMBERSHIP_ADD).status_code == 200
    event = AuditEvent.objects.get(action="reauth")
    assert (event.username, event.extra["method"]) == ("admin1", "password")


def test_a_stale_role_change_post_changes_nothing(client_for, cast, later):
    agency = Agency.objects.get(code="ubnd-tran-hung-dao")
    client = client_for(cast["admin1"])
    later()
    response = client.post(
        MEMBERSHIP_ADD,
        {
            "user": cast["worker2"].pk,
            "agency": agency.pk,
            "role": "case_supervisor",
            "valid_from": "01/07/2025",
        },
    )
    assert _reauth_target(response)[0] == "/accounts/reauth/"
    assert not Membership.objects.filter(user=cast["worker2"], role="case_supervisor").exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_a_wrong_password_is_refused_audited_and_counted(client_for, cast, later):
    client = client_for(cast["admin1"])
    later()

    response = client.post("/accounts/reauth/", {"secret": "không-phải-mật-khẩu", "next": "/"})

    assert response.status_code == 400
    assert "Mật khẩu hoặc mã OTP không đúng. Bạn còn 4 lần thử." in response.content.decode()
    event = AuditEvent.objects.get(action="reauth_failed")
    assert event.extra["method"] == "password"
    assert "không-phải" not in str(event.extra)
    assert client.get(MEMBERSHIP_ADD).status_code == 302  # still not confirmed


def test_five_wrong_answers_end_the_session(client_for, cast, later):
    client = client_for(cast["admin1"])
    later()
    for _ in range(4):
        assert client.post("/accounts/reauth/", {"secret": "sai-mat-khau-123"}).status_code == 400

    response = client.post("/accounts/reauth/", {"secret": "sai-mat-khau-123"})

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/admin/").status_code == 302  # signed out: sent to the login page
    assert AuditEvent.objects.filter(action="logout", extra__reason="reauth_failed").exists()


def test_a_current_code_confirms_and_a_wrong_one_is_audited_as_otp_failed(client_for, cast, later):
    device = make_device(cast["admin1"])
    client = client_for(cast["admin1"])
    later()

    response = client.post(
        "/accounts/reauth/", {"secret": current_code(device), "next": MEMBERSHIP_ADD}
    )

    assert response["Location"] == MEMBERSHIP_ADD
    assert AuditEvent.objects.get(action="reauth").extra["method"] == "otp"
    refused = client.post("/accounts/reauth/", {"secret": wrong_code(device)})
    assert refused.status_code == 400
    assert AuditEvent.objects.get(action="otp_failed").extra["stage"] == "reauth"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_the_page_never_redirects_off_site(client_for, cast, later, target):
    client = client_for(cast["admin1"])
    later()
    response = client.post("/accounts/reauth/", {"secret": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_page_needs_a_signed_in_user(client):
    response = client.get("/accounts/reauth/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_download_gets_a_link_rather_than_a_redirect(client_for, cast, later):
    target = "/programme/toolkit/export.xlsx?year=2025"
    client = client_for(cast["admin1"])
    later()
    response = client.post(
        "/accounts/reauth/", {"secret": PASSWORD, "next": target, "download": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đã xác nhận." in page
    assert 'href="/programme/toolkit/export.xlsx?year=2025"' in page


# --- The lost phone ----------------------------------------------------------------------------


def _reset(client, *users):
    return client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [u.pk for u in users]},
    )


def test_the_user_list_shows_who_has_an_authenticator(client_for, cast):
    make_device(cast["worker1"])
    page = client_for(cast["admin1"]).get("/admin/accounts/user/").content.decode()
    assert "Xác thực hai lớp" in page
    # Every demo user is active (a True each); only worker1 has an authenticator.
    assert page.count('alt="False"') == len(cast) - 1


@override_settings(ANTOAN_REQUIRE_2FA=True)
def test_reset_two_factor_removes_the_device_ends_sessions_and_forces_enrolment(
    client_for, cast, client
):
    from django.test import Client

    worker = cast["worker1"]
    device = make_device(worker)
    stamp = worker.security_stamp
    ApiToken.objects.create(
        user=worker,
        digest="e" * 64,
        prefix="eeeeeeee",
        expires_at=timezone.now() + dt.timedelta(hours=1),
        security_stamp=stamp,
    )
    phone = Client()  # the lost phone's own session, signed in with the code
    assert web_login(phone, "worker1").status_code == 302
    phone.post("/accounts/login/otp/", {"code": current_code(device)})
    assert phone.get("/").status_code == 200
    # Administrators use two-factor themselves.
    admin, admin_device = Client(), make_device(cast["admin1"])
    web_login(admin, "admin1")
    admin.post("/accounts/login/otp/", {"code": current_code(admin_device)})

    response = _reset(admin, worker)

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    worker.refresh_from_db()
    assert worker.security_stamp != stamp
    assert not ApiToken.objects.filter(user=worker, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="otp_reset")
    assert (event.username, event.object_type, event.object_id) == (
        "admin1",
        "accounts.user",
        str(worker.pk),
    )
    assert event.extra == {
        "devices_removed": 1,
        "tokens_revoked": 1,
        "path": "/admin/accounts/user/",
    }
    # The phone's session is over; the next login asks for a new authenticator.
    assert phone.get("/")["Location"].startswith("/accounts/login/")
    fresh = Client()
    response = web_login(fresh, "worker1")
    assert response["Location"].startswith("/accounts/security/otp/")


def test_reset_two_factor_asks_for_the_password_first(client_for, cast, later):
    make_device(cast["worker1"])
    client = client_for(cast["admin1"])
    later()
    response = _reset(client, cast["worker1"])
    assert urlsplit(response["Location"]).path == "/accounts/reauth/"
    assert TOTPDevice.objects.filter(user=cast["worker1"]).exists()
    assert not AuditEvent.objects.filter(action="otp_reset").exists()


def test_an_administrator_cannot_reset_their_own_two_factor(client_for, cast):
    make_device(cast["admin1"])
    client = client_for(cast["admin1"])
    response = _reset(client, cast["admin1"])
    assert response.status_code == 302
    page = client.get("/admin/accounts/user/").content.decode()
    assert "không thể tự đặt lại xác thực hai lớp" in page
    assert TOTPDevice.objects.filter(user=cast["admin1"]).exists()


def test_setting_someone_elses_password_asks_first(client_for, cast, later):
    worker = cast["worker1"]
    new = "một-mật-khẩu-đủ-dài-2025"
    client = client_for(cast["admin1"])
    later()
    response = client.post(
        f"/admin/accounts/user/{worker.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert urlsplit(response["Location"]).path == "/accounts/reauth/"
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


# --- The decorator, for function views (the DSR packages and others to come) -------------------


def test_the_decorator_asks_on_the_web_and_refuses_on_the_api(rf, cast, later):
    import json

    from django.http import HttpResponse

    from antoan.accounts import services
    from antoan.accounts.reauth import SESSION_REAUTH_AT, require_recent_auth

    @require_recent_auth
    def package(request):
        return HttpResponse("gói dữ liệu")

    def request_for(path: str, confirmed_at: int):
        request = rf.get(path)
        request.user = cast["auditor1"]
        request.session = {services.SESSION_LOGIN_AT: confirmed_at}
        return request

    moment = later()
    stale = int(moment.timestamp()) - 6 * 60
    fresh = int(moment.timestamp()) - 4 * 60

    web = package(request_for("/dsr/1/package/", stale))
    assert web.status_code == 302
    assert web["Location"] == "/accounts/reauth/?next=%2Fdsr%2F1%2Fpackage%2F"
    api = package(request_for("/api/v1/dsr/1/package", stale))
    assert api.status_code == 403
    assert json.loads(api.content)["error"]["code"] == "reauth_required"
    assert package(request_for("/dsr/1/package/", fresh)).content.decode() == "gói dữ liệu"
    confirmed = request_for("/dsr/1/package/", stale)
    confirmed.session[SESSION_REAUTH_AT] = fresh
    assert package(confirmed).status_code == 200
