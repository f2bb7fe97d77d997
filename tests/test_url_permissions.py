"""Deny by default: every URL pattern's view declares a permission or says it is public."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from antoan.accounts.roles import Perm

# Django's own machinery that carries no data of ours.
_FRAMEWORK_PREFIXES = ("django.views.static", "django.contrib.staticfiles")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _declaration(callback):
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    for holder in (view_class, callback):
        if holder is None:
            continue
        if getattr(holder, "public", False) is True:
            return "public"
        permission = getattr(holder, "permission", None)
        if isinstance(permission, Perm):
            return permission
    return None


def test_every_url_declares_a_permission_or_is_public():
    undeclared = []
    seen = 0
    for route, callback in _walk(get_resolver().url_patterns):
        seen += 1
        module = getattr(callback, "__module__", "")
        if route.startswith("admin/"):
            continue  # the admin site checks Perm.ADMIN_MANAGE itself: see the test below
        if module.startswith(_FRAMEWORK_PREFIXES):
            continue
        if _declaration(callback) is None:
            undeclared.append(f"{route} -> {module}.{getattr(callback, '__name__', callback)}")
    assert seen > 10
    assert undeclared == [], "views without a declared permission:\n" + "\n".join(undeclared)


def test_a_view_that_forgets_to_declare_is_closed(rf, cast):
    from django.core.exceptions import PermissionDenied
    from django.views.generic import View

    from antoan.core.permissions import PermissionRequiredMixin

    class Forgetful(PermissionRequiredMixin, View):
        def get(self, request):  # pragma: no cover - must never run
            raise AssertionError("reached")

    request = rf.get("/")
    request.user = cast["admin1"]
    try:
        Forgetful.as_view()(request)
    except PermissionDenied:
        return
    raise AssertionError("a view without a permission let a user in")


def test_the_admin_site_admits_administrators_only(rf, cast):
    for username, user in cast.items():
        request = rf.get("/admin/")
        request.user = user
        assert admin.site.has_permission(request) is (username == "admin1"), username


# Routes open without login: signing in and out, the language switch, the health check, the
# API's token login, and the public "Tìm hỗ trợ" page (docs/public.md). A new entry here is a
# new door in the wall: it needs a reason in its app's docs.
PUBLIC_ROUTES = {
    "/accounts/login/",
    "/accounts/login/otp/",
    "/accounts/logout/",
    "/api/v1/auth/token",
    # Signed by the PBX and the SMS/Zalo gateway, not a session (docs/hotline-telephony.md).
    "/api/v1/hotline/messages/inbound",
    "/api/v1/hotline/telephony/events",
    "/favicon.ico",
    "/healthz",
    "/readyz",
    "/metrics",
    "/i18n/setlang/",
    "/tim-ho-tro/",
}


def test_the_public_routes_are_exactly_the_listed_ones():
    found = {
        "/" + route
        for route, callback in _walk(get_resolver().url_patterns)
        if _declaration(callback) == "public"
    }
    assert found == PUBLIC_ROUTES
