"""The service directory in the admin: administrators keep providers and their contacts.

Referrals, deliveries and notifications are case data and are never registered here. A
shelter's confidential location is not shown either: its own staff keep it (docs/referrals.md).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from antoan.cases.choices import Need
from antoan.core.admin import AntoanModelAdmin
from antoan.referrals.models import Provider, ProviderContact


class ProviderContactInline(admin.TabularInline):
    model = ProviderContact
    extra = 1
    fields = ("name", "role", "phone", "order")
    # Labels of the admin only (the model's own would need a migration).
    verbose_name = _("người liên hệ")
    verbose_name_plural = _("người liên hệ")

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("labels", {"order": _("Thứ tự")})
        return super().get_formset(request, obj, **kwargs)

    # Inlines are not ModelAdmins: ask the parent admin, which checks Perm.ADMIN_MANAGE.
    def has_view_permission(self, request, obj=None) -> bool:
        return admin.site._registry[Provider].has_view_permission(request, obj)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class ProviderForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("dịch vụ cung cấp"), choices=Need.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Provider
        # Not the location (the shelter's own staff keep it), nor the live occupancy.
        fields = (
            "agency",
            "services",
            "communes",
            "address",
            "hours",
            "always_open",
            "emergency_phone",
            "languages",
            "accessible",
            "active",
            "confidential",
            "capacity",
        )


@admin.register(Provider)
class ProviderAdmin(AntoanModelAdmin):
    form = ProviderForm
    inlines = [ProviderContactInline]
    list_display = ("agency", "always_open", "active", "confidential", "capacity")
    list_filter = ("active", "always_open", "confidential")
    search_fields = ("agency__name",)
    list_select_related = ("agency",)
    autocomplete_fields = ("agency",)
    filter_horizontal = ("communes",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # referrals point at providers: deactivate instead
