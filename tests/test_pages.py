"""What every page promises: Vietnamese first, strict security headers, friendly errors."""

from __future__ import annotations


def test_pages_are_vietnamese_even_when_the_browser_asks_for_english(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert "Tên đăng nhập" in response.content.decode()


def test_the_language_switch_is_remembered(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Username" in page


def test_an_unknown_language_falls_back_to_vietnamese(client):
    client.cookies["django_language"] = "fr"
    assert '<html lang="vi">' in client.get("/accounts/login/").content.decode()


def test_security_headers(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) == 32


def test_a_sane_request_id_is_kept_and_a_hostile_one_replaced(client, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-lb")["X-Request-ID"] == "abc12345-lb"
    hostile = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert "<" not in hostile["X-Request-ID"]


def test_missing_page_is_a_translated_404(client_for, cast):
    client = client_for(cast["worker1"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()


def test_healthz_answers_without_login_and_reveals_nothing(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_static_files_come_from_our_own_origin(client_for, cast):
    html = client_for(cast["worker1"]).get("/").content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "http://" not in html.split("<body")[0]
    assert "https://" not in html.split("<body")[0]


def test_home_tells_the_user_about_their_previous_sign_in_and_failures(client, cast):
    from antoan.accounts.demo import DEMO_PASSWORD

    def sign_in(password):
        return client.post(
            "/accounts/login/",
            {"username": "worker1", "password": password},
            REMOTE_ADDR="10.1.2.3",
        )

    assert sign_in(DEMO_PASSWORD).status_code == 302
    first = client.get("/").content.decode()
    assert "lần đăng nhập đầu tiên" in first
    client.logout()
    assert sign_in("wrong-password-1").status_code == 200
    assert sign_in("wrong-password-2").status_code == 200
    assert sign_in(DEMO_PASSWORD).status_code == 302
    page = client.get("/").content.decode()
    assert "từ địa chỉ 10.1.2.3" in page
    assert "Có 2 lần đăng nhập sai mật khẩu" in page
