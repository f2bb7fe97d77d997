"""The admin site: administrators only (by membership, not is_staff), audited, no case data."""

from __future__ import annotations

import pytest
from django.contrib import admin

from antoan.accounts.models import Agency, ApiToken, Membership, User
from antoan.core.admin import AntoanAdminSite, AntoanModelAdmin
from antoan.core.audit import audit_verify
from antoan.core.models import AuditChainHead, AuditEvent


@pytest.fixture
def admin_client(client_for, cast):
    return client_for(cast["admin1"])


def test_the_default_site_is_ours_and_every_model_of_ours_uses_the_base():
    assert isinstance(admin.site, AntoanAdminSite)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in {"accounts", "places", "core"}:
            assert isinstance(model_admin, AntoanModelAdmin), model
    assert AuditEvent not in admin.site._registry
    assert AuditChainHead not in admin.site._registry


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/agency/",
        "/admin/accounts/membership/",
        "/admin/accounts/user/",
        "/admin/accounts/membership/add/",
        "/admin/accounts/agency/add/",
        "/admin/accounts/user/add/",
    ],
)
def test_the_administrator_gets_in_without_staff_flags(admin_client, cast, url):
    assert not cast["admin1"].is_staff
    assert not cast["admin1"].is_superuser
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("username", ["worker1", "auditor1", "supervisor1", "manager1"])
@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/membership/", "/admin/login/"])
def test_other_users_are_refused_and_the_refusal_is_audited(client_for, cast, username, url):
    response = client_for(cast[username]).get(url)

    assert response.status_code == 403
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.username) == ("permission_denied", username)
    assert event.extra["permission"] == "admin.manage"


def test_a_superuser_without_the_role_is_refused(client_for, db, mini_places):
    boss = User.objects.create_user("root", password="x" * 16, is_staff=True, is_superuser=True)
    assert client_for(boss).get("/admin/").status_code == 403


def test_anonymous_visitors_go_to_the_one_login_page(client, db):
    response = client.get("/admin/accounts/agency/", follow=True)
    final_url, status = response.redirect_chain[-1]
    assert status == 302
    assert final_url.startswith("/accounts/login/")
    assert "next=/admin/accounts/agency/" in final_url


def _membership_form(**values):
    data = {"role": "case_worker", "valid_from": "01/07/2025", "valid_to": ""}
    data.update(values)
    return data


def test_a_membership_outside_its_agencys_life_is_refused(admin_client, cast):
    closed = Agency.objects.get(code="so-ldtbxh")  # ended 28/02/2025
    before = Membership.objects.count()

    response = admin_client.post(
        "/admin/accounts/membership/add/",
        _membership_form(user=cast["worker2"].pk, agency=closed.pk),
    )

    assert response.status_code == 200
    assert "Thời hạn phân công phải nằm trong thời gian hoạt động của cơ quan." in (
        response.content.decode()
    )
    assert Membership.objects.count() == before
    assert not AuditEvent.objects.filter(action="create").exists()


def test_an_overlapping_membership_is_refused(admin_client, cast):
    agency = Agency.objects.get(code="ubnd-pho-hien")
    before = Membership.objects.count()

    response = admin_client.post(
        "/admin/accounts/membership/add/",
        _membership_form(user=cast["worker1"].pk, agency=agency.pk, valid_from="01/09/2025"),
    )

    assert response.status_code == 200
    assert "Người dùng đã có vai trò này tại cơ quan này trong cùng thời gian." in (
        response.content.decode()
    )
    assert Membership.objects.count() == before


def test_an_administrator_cannot_give_themselves_a_role(admin_client, cast):
    agency = Agency.objects.get(code="ubnd-pho-hien")
    response = admin_client.post(
        "/admin/accounts/membership/add/",
        _membership_form(user=cast["admin1"].pk, agency=agency.pk),
    )
    assert "tự phân công vai trò cho chính mình" in response.content.decode()
    assert not Membership.objects.filter(user=cast["admin1"], role="case_worker").exists()


def test_adding_a_membership_is_audited_with_field_names(admin_client, cast):
    agency = Agency.objects.get(code="ubnd-tran-hung-dao")
    response = admin_client.post(
        "/admin/accounts/membership/add/",
        _membership_form(user=cast["worker2"].pk, agency=agency.pk, role="case_supervisor"),
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=cast["worker2"], role="case_supervisor")
    event = AuditEvent.objects.get(action="create")
    assert event.object_type == "accounts.membership"
    assert event.object_id == str(membership.pk)
    assert event.username == "admin1"
    assert event.role == "administrator"
    assert set(event.changed_fields) >= {"user", "agency", "role"}
    assert audit_verify().ok


def test_an_admin_change_is_audited_with_the_changed_field_names(admin_client, cast):
    agency = Agency.objects.get(code="ctxh-tinh")
    form = {
        "code": agency.code,
        "name": "Trung tâm Công tác xã hội tỉnh Hưng Yên (mới)",
        "kind": agency.kind,
        "place": agency.place_id,
        "parent": agency.parent_id or "",
        "valid_from": "",
        "valid_to": "",
        "successor": "",
    }

    response = admin_client.post(f"/admin/accounts/agency/{agency.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="update")
    assert (event.object_type, event.object_id) == ("accounts.agency", str(agency.pk))
    assert event.changed_fields == ["name"]
    assert "mới" not in str(event.extra)  # the new value is not in the log


def test_nothing_is_deleted_through_the_admin(admin_client, cast):
    membership = Membership.objects.filter(user=cast["worker1"]).first()
    response = admin_client.post(
        f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_administrators_own_membership_is_read_only(admin_client, cast):
    own = Membership.objects.get(user=cast["admin1"])
    response = admin_client.post(
        f"/admin/accounts/membership/{own.pk}/change/",
        _membership_form(user=cast["admin1"].pk, agency=own.agency_id, role="auditor"),
    )
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.role == "administrator"


def test_the_staff_flags_are_not_offered(admin_client, cast):
    worker = cast["worker1"]
    response = admin_client.get(f"/admin/accounts/user/{worker.pk}/change/")
    page = response.content.decode()
    assert 'name="is_active"' in page
    assert 'name="is_superuser"' not in page
    assert 'name="is_staff"' not in page


def test_log_out_everywhere_rotates_the_stamp_and_is_audited(admin_client, cast):
    import datetime as dt

    from django.utils import timezone

    worker = cast["worker1"]
    old_stamp = worker.security_stamp
    ApiToken.objects.create(
        user=worker,
        digest="d" * 64,
        prefix="dddddddd",
        expires_at=timezone.now() + dt.timedelta(hours=1),
        security_stamp=old_stamp,
    )

    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "log_out_everywhere", "_selected_action": [worker.pk]},
    )

    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.security_stamp != old_stamp
    assert not ApiToken.objects.filter(user=worker, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="logout_everywhere")
    assert event.username == "admin1"  # the actor, not the user logged out
    assert (event.object_type, event.object_id) == ("accounts.user", str(worker.pk))
    # The administrator's own session carries on.
    assert admin_client.get("/admin/").status_code == 200


def test_a_password_set_in_the_admin_is_audited_as_password(admin_client, cast):
    worker = cast["worker1"]
    new = "một-mật-khẩu-đủ-dài-2025"
    response = admin_client.post(
        f"/admin/accounts/user/{worker.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    worker.refresh_from_db()
    assert worker.check_password(new)
    event = AuditEvent.objects.get(action="update", object_type="accounts.user")
    assert event.changed_fields == ["password"]


def test_autocomplete_serves_administrators_only(client_for, cast):
    query = {"app_label": "accounts", "model_name": "membership", "field_name": "user"}
    found = client_for(cast["admin1"]).get("/admin/autocomplete/", {**query, "term": "work"})
    assert found.status_code == 200
    assert {r["text"] for r in found.json()["results"]} == {"worker1", "worker2"}
    refused = client_for(cast["worker1"]).get("/admin/autocomplete/", {**query, "term": "w"})
    assert refused.status_code == 403


def test_adding_a_user_records_username_and_password_by_name(admin_client):
    secret = "một-mật-khẩu-đủ-dài-2025"
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "worker3",
            "usable_password": "true",
            "password1": secret,
            "password2": secret,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="create", object_type="accounts.user")
    assert event.object_id == str(User.objects.get(username="worker3").pk)
    assert event.changed_fields == ["password", "username"]
    assert secret not in str(event.extra)


def test_deletions_through_the_base_are_audited(rf, cast):
    from antoan.accounts.roles import Perm
    from antoan.core.permissions import act_as

    request = rf.post("/admin/")
    request.user = cast["admin1"]
    act_as(request, Perm.ADMIN_MANAGE)
    agency = Agency.objects.get(code="so-ldtbxh")

    AntoanModelAdmin(Agency, admin.site).log_deletions(request, Agency.objects.filter(pk=agency.pk))

    event = AuditEvent.objects.get(action="delete")
    assert (event.object_type, event.object_id, event.username) == (
        "accounts.agency",
        str(agency.pk),
        "admin1",
    )
    assert event.role == "administrator"


def test_an_administrators_own_password_change_is_audited(admin_client, cast):
    new = "một-mật-khẩu-mới-đủ-dài-2025"
    response = admin_client.post(
        "/admin/password_change/",
        {"old_password": "antoan-demo-2025", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="update", object_type="accounts.user")
    assert (event.object_id, event.username) == (str(cast["admin1"].pk), "admin1")
    assert event.changed_fields == ["password"]
