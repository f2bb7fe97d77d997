"""What the project names itself outside its own pages: the admin, the API docs, the icon,
the demo seeder's report (docs/home.md)."""

from __future__ import annotations

import io
import re

from django.core.management import call_command


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


def test_the_admin_names_our_apps_and_fields_in_vietnamese(client_for, cast, mini_places):
    from antoan.referrals.models import Provider

    client = client_for(cast["admin1"])
    index = visible_text(client.get("/admin/").content.decode())
    assert "Tài khoản và cơ quan" in index and "Đơn vị hành chính" in index
    lines = {line.strip() for line in index.splitlines()}
    assert "Accounts" not in lines and "Places" not in lines

    provider = Provider.objects.create(agency=cast["health1"].memberships.first().agency)
    page = visible_text(
        client.get(f"/admin/referrals/provider/{provider.pk}/change/").content.decode()
    )
    lines = {line.strip() for line in page.splitlines()}
    assert "Order" not in lines and "Provider contacts" not in lines
    assert "Thứ tự" in lines and "Người liên hệ" in lines

    place = mini_places["commune_a"]
    page = visible_text(client.get(f"/admin/places/place/{place.pk}/change/").content.decode())
    assert "Tên không dấu (để tìm kiếm)" in page
    assert "Search name" not in page


def test_the_api_docs_are_titled_in_vietnamese(client_for, cast):
    client = client_for(cast["analyst1"])
    schema = client.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    assert schema["info"]["title"] == "API của hệ thống An Toàn"
    assert "phiên bản 1" in schema["info"]["description"]


def test_the_api_docs_link_shows_only_to_those_who_may_open_them(client_for, cast):
    for username, shown in (("admin1", True), ("analyst1", True), ("worker1", False)):
        client = client_for(cast[username])
        html = client.get("/").content.decode()
        assert ("Tài liệu API" in html) is shown, username
        assert (client.get("/api/v1/docs").status_code == 200) is shown, username
        client.logout()


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.ico")


def test_seed_demo_counts_the_users_it_made(mini_places, settings):
    from antoan.accounts.models import User

    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    # Without plan 64, the programme's reporters are not made.
    total = User.objects.count()
    assert f"{total} demo users, {total} of them new" in out.getvalue()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert f"{total} demo users, 0 of them new" in out.getvalue()
