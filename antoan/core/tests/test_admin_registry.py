"""Every model in the admin site is there by decision, and only as far as roles.py allows.

The admin is for administrators, whose role holds ``admin.manage`` and nothing that reaches
case or programme data. A model registered without an entry in ``DECISIONS`` fails here, so
the question "should an administrator see this?" is answered in review, not by accident.
"""

from __future__ import annotations

import html

import pytest
from django.contrib import admin
from django.test import RequestFactory

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.accounts.roles import ROLES, Perm, Role, role_permissions
from antoan.core.admin import FOREIGN_ADMINS, AntoanModelAdmin

# model label → the permissions a user must hold to see it in the admin, and why it is there.
DECISIONS: dict[str, tuple[frozenset[Perm], str]] = {
    "accounts.user": (frozenset({Perm.ADMIN_MANAGE}), "accounts: names, status, password"),
    "accounts.agency": (frozenset({Perm.ADMIN_MANAGE}), "reference data"),
    "accounts.membership": (frozenset({Perm.ADMIN_MANAGE}), "who holds which role where"),
    "places.place": (frozenset({Perm.ADMIN_MANAGE}), "reference data"),
    "jobs.job": (frozenset({Perm.ADMIN_MANAGE}), "background jobs: kind, owner, status, times"),
    "places.placesuccession": (frozenset({Perm.ADMIN_MANAGE}), "reference data"),
    "referrals.provider": (frozenset({Perm.ADMIN_MANAGE}), "the service directory"),
}

# Apps whose data the administrator role may not read (roles.py gives it none of their
# permissions); none of their models may be registered, whatever DECISIONS says.
CLOSED_APPS = {"cases", "hotline", "programme", "indicators", "core", "otp_totp", "axes"}


def _labels() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry}


def test_every_registered_model_has_a_decision():
    undecided = _labels() - set(DECISIONS)
    assert not undecided, f"registered in the admin without a decision in DECISIONS: {undecided}"
    assert not set(DECISIONS) - _labels(), "a decision for a model that is no longer registered"


def test_no_model_of_a_closed_app_is_registered():
    assert not {label for label in _labels() if label.split(".")[0] in CLOSED_APPS}


def test_decisions_follow_the_matrix():
    # What the admin requires, the administrator role must hold, and only that role does.
    admin_perms = ROLES[Role.ADMINISTRATOR].permissions
    assert not admin_perms & {
        Perm.PROGRAMME_VIEW,
        Perm.CASE_VIEW_ASSIGNED,
        Perm.CASE_VIEW_AGENCY,
        Perm.CALL_VIEW_ALL,
        Perm.AUDIT_VIEW,
    }
    for label, (required, _why) in DECISIONS.items():
        assert required <= admin_perms, label


def test_other_apps_admins_are_gone():
    from django.apps import apps

    for label in FOREIGN_ADMINS:
        assert not admin.site.is_registered(apps.get_model(label)), label


def test_every_model_admin_grants_by_the_role_matrix(cast):
    """Each role's user sees (module, view, change) a registered model exactly when its
    permissions include the decision's."""
    request_for = RequestFactory().get("/admin/")
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AntoanModelAdmin), model
        required = DECISIONS[model._meta.label_lower][0]
        for user in cast.values():
            role = user.memberships.get().role
            request_for.user = user
            allowed = required <= role_permissions(role)
            assert model_admin.has_module_permission(request_for) is allowed, (model, role)
            assert model_admin.has_view_permission(request_for) is allowed, (model, role)
            if not allowed:
                assert not model_admin.has_change_permission(request_for), (model, role)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/programme/influencer/",
        "/admin/programme/activity/",
        "/admin/programme/plan/",
        "/admin/otp_totp/totpdevice/",
        "/admin/auth/group/",
        "/admin/axes/accessattempt/",
    ],
)
def test_the_administrator_cannot_open_pages_the_matrix_denies(client_for, cast, path):
    assert client_for(cast["admin1"]).get(path).status_code == 404


def test_influencer_names_and_activities_appear_on_no_admin_page(cast, plan64, client_for):
    from antoan.programme.demo import build_demo_programme
    from antoan.programme.models import Activity, Influencer

    build_demo_programme(password=DEMO_PASSWORD)
    secrets = [p.name for p in Influencer.objects.all()] + [a.title for a in Activity.objects.all()]
    assert len(secrets) > 2  # the demo has some, or this test could not fail
    client = client_for(cast["admin1"])
    pages = ["/admin/"]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages.append(base)
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(f"{base}{first.pk}/change/")
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = html.unescape(response.content.decode())
        leaked = [s for s in secrets if s in page]
        assert not leaked, (path, leaked)
