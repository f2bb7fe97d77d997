"""The admin site: for administrators (Perm.ADMIN_MANAGE), never for case data.

Django's default site (where every app registers) becomes :class:`AntoanAdminSite`: it lets in
an active user holding ``Perm.ADMIN_MANAGE`` through a valid membership (``is_staff`` plays no
part), sends anonymous visitors to An Toàn's own login page (lockout, two-factor, audit) rather
than the admin's, and refuses everyone else with an audited 403. Model admins built on
:class:`AntoanModelAdmin` grant their actions by the same permission and write an audit event
for each addition, change and deletion. Register reference data only: administrators must not
read case data, so a case, survivor, referral or call never gets a model admin, nor does
programme data (``roles.py`` gives administrators no ``programme.view``). Other apps' admins
(groups, OTP devices, axes) are unregistered at start-up. ``core/tests/test_admin_registry.py``
holds the decision for every registered model. See docs/admin.md.
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import act_as, deny, has_perm

# Where the change form's field names wait between construct_change_message and log_change.
_CHANGED_ATTR = "_antoan_admin_changed_fields"

# Model admins that other installed apps register on the default site, and why each goes.
# Their permission checks are Django's (is_superuser, model permissions), not the role matrix,
# so they would open to a superuser what ``roles.py`` gives nobody through the admin.
FOREIGN_ADMINS = {
    # Groups grant nothing in An Toàn: roles are memberships.
    "auth.group": "roles are memberships (accounts/roles.py)",
    # The device admin shows each user's TOTP secret: whoever reads it can make codes. Lost
    # phones are handled by the user admin's "reset two-factor" action instead.
    "otp_totp.totpdevice": "shows the authenticator secret",
    # Login attempts by username and address are audit matter, read by auditors at /audit/;
    # a lock is lifted with manage.py axes_reset_ip_username.
    "axes.accessattempt": "login history belongs to the audit log",
    "axes.accesslog": "login history belongs to the audit log",
    "axes.accessfailurelog": "login history belongs to the audit log",
}


def drop_foreign_admins(site: admin.AdminSite | None = None) -> None:
    """Unregister the model admins of other apps listed in :data:`FOREIGN_ADMINS`."""
    from django.apps import apps

    site = site or admin.site
    for label in FOREIGN_ADMINS:
        app_label, model_name = label.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue  # that app is not installed: nothing of it was registered
        if site.is_registered(model):
            site.unregister(model)


class AntoanAdminSite(admin.AdminSite):
    site_header = "An Toàn"
    site_title = _("Quản trị An Toàn")
    index_title = _("Quản trị hệ thống")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.is_active and has_perm(user, Perm.ADMIN_MANAGE))

    def admin_view(self, view, cacheable: bool = False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # Signed in without the permission: an audited 403 here, not a detour through a
            # login form that could never succeed. Signed in with it: remember the membership,
            # so the audit events of this request carry its agency and role.
            if request.user.is_authenticated and not act_as(request, Perm.ADMIN_MANAGE):
                deny(request, Perm.ADMIN_MANAGE)
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: Any = None):
        """No second login form: An Toàn's own applies lockout, two-factor and the audit."""
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = ""
        target = target or reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if not act_as(request, Perm.ADMIN_MANAGE):
                deny(request, Perm.ADMIN_MANAGE)
            return HttpResponseRedirect(target)
        return redirect_to_login(target, settings.LOGIN_URL)

    def password_change(self, request: HttpRequest, extra_context: Any = None):
        """An administrator's own password, through the admin: audited like any other change."""
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            audit_record(
                action=AuditAction.UPDATE,
                request=request,
                object_type=request.user._meta.label_lower,
                object_id=request.user.pk,
                changed_fields=["password"],
                extra={"via": "admin"},
            )
        return response

    def logout(self, request: HttpRequest, extra_context: Any = None):
        """The one logout of An Toàn (audited), not Django's unaudited one."""
        match = resolve(reverse("accounts:logout"))
        return match.func(request, *match.args, **match.kwargs)


def changed_field_names(form: BaseForm | None, formsets: Any = None) -> list[str]:
    """Field names (never values) a change form changed, inline ones as ``prefix.field``."""
    names: list[str] = list(form.changed_data) if form is not None else []
    for formset in formsets or ():
        for inline in formset.forms:
            names.extend(f"{formset.prefix}.{name}" for name in inline.changed_data)
        if formset.deleted_forms:
            names.append(f"{formset.prefix}.DELETE")
    return names


def _names_from_message(obj: Any, message: Any) -> list[str]:
    # Fallback when log_change is called without a form (a custom action): the admin's change
    # message lists changed fields by label; map them back to field names, drop the rest.
    with translation.override(None):  # the message holds labels untranslated
        by_label = {str(f.verbose_name): f.name for f in obj._meta.fields}
    names: list[str] = []
    for entry in message if isinstance(message, list) else ():
        for detail in entry.values():
            if isinstance(detail, dict):
                names.extend(
                    by_label[label] for label in detail.get("fields", ()) if label in by_label
                )
    return names


class AntoanModelAdmin(admin.ModelAdmin):
    """Base for every model admin: Perm.ADMIN_MANAGE grants it all, and every write is audited."""

    def _allowed(self, request: HttpRequest) -> bool:
        return has_perm(request.user, Perm.ADMIN_MANAGE)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    # Auditing ---------------------------------------------------------------------------------

    def audited_field_names(self, form: BaseForm | None, formsets: Any = None) -> list[str]:
        """The names the audit event lists as changed; override to rename or merge fields."""
        return changed_field_names(form, formsets)

    def construct_change_message(self, request, form, formsets, add=False):
        setattr(request, _CHANGED_ATTR, self.audited_field_names(form, formsets))
        return super().construct_change_message(request, form, formsets, add)

    def _audit(self, request, action: str, obj: Any, message: Any = None) -> None:
        names = getattr(request, _CHANGED_ATTR, None)
        if names is None:
            names = _names_from_message(obj, message)
        else:
            delattr(request, _CHANGED_ATTR)
        audit_record(
            action=action,
            request=request,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            changed_fields=names,
            extra={"via": "admin"},
        )

    def log_addition(self, request, obj, message):
        self._audit(request, AuditAction.CREATE, obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, AuditAction.UPDATE, obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        # Called before the rows go, so their ids are still there to record.
        objects = list(queryset)
        for obj in objects:
            audit_record(
                action=AuditAction.DELETE,
                request=request,
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                extra={"via": "admin"},
            )
        return super().log_deletions(request, objects)
