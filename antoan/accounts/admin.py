"""Users, agencies and memberships in the admin site (administrators only; see docs/admin.md).

Nothing here is deleted: a user is deactivated, an agency and a membership are ended with
``valid_to``, so the history of who held which role where stays answerable to an auditor.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.services import user_logout_everywhere
from antoan.core.admin import AntoanModelAdmin


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(NoDeleteMixin, AntoanModelAdmin, DjangoUserAdmin):
    """Accounts: names, status and password. Roles are memberships, not Django's flags."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("first_name", "last_name", "email")}),
        (_("Trạng thái"), {"fields": ("is_active",)}),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    # is_staff, is_superuser, groups and permissions grant nothing in An Toàn (memberships do)
    # but would open Django's own models to a superuser: they are not offered at all.
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "full_name", "is_active", "last_login")
    list_filter = ("is_active",)
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ()
    ordering = ("username",)
    actions = ["log_out_everywhere"]
    show_full_result_count = False

    @admin.display(description=_("Họ và tên"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    def audited_field_names(self, form, formsets=None) -> list[str]:
        # The password forms name their inputs password1, password2, usable_password: for the
        # audit, that is one field, "password".
        names = super().audited_field_names(form, formsets)
        return sorted({"password" if "password" in name else name for name in names})

    @admin.action(
        description=_("Đăng xuất khỏi mọi thiết bị (đổi mã bảo mật, thu hồi mã API)"),
        permissions=["change"],
    )
    def log_out_everywhere(self, request, queryset) -> None:
        count = 0
        with transaction.atomic():
            for user in queryset.select_for_update():
                user_logout_everywhere(request=request, user=user)
                if user.pk == request.user.pk:
                    # The administrator's own other sessions end; this one carries on.
                    update_session_auth_hash(request, user)
                count += 1
        self.message_user(
            request,
            ngettext(
                "Đã đăng xuất %(count)d người dùng khỏi mọi thiết bị.",
                "Đã đăng xuất %(count)d người dùng khỏi mọi thiết bị.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Agency)
class AgencyAdmin(NoDeleteMixin, AntoanModelAdmin):
    list_display = ("code", "name", "kind", "place", "valid_from", "valid_to", "successor")
    list_filter = ("kind", "valid_from", "valid_to")
    search_fields = ("code", "name")
    list_select_related = ("place", "successor")
    # 3,700 places and counting: a lookup, not a drop-down.
    raw_id_fields = ("place",)
    autocomplete_fields = ("parent", "successor")
    ordering = ("name",)
    show_full_result_count = False


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, AntoanModelAdmin):
    list_display = ("user", "agency", "role", "valid_from", "valid_to")
    list_filter = ("role", "agency__kind", "valid_from", "valid_to")
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__name")
    list_select_related = ("user", "agency")
    autocomplete_fields = ("user", "agency")
    readonly_fields = ("created_at",)
    ordering = ("user__username", "agency__name", "role", "valid_from")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None) -> bool:
        # Four eyes: an administrator's own roles are changed by another administrator.
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change, **kwargs)
        acting_user_id = request.user.pk

        class MembershipForm(base):
            def clean(self):
                data = super().clean()
                user = data.get("user")
                if user is not None and user.pk == acting_user_id:
                    raise ValidationError(
                        _(
                            "Bạn không thể tự phân công vai trò cho chính mình; "
                            "hãy nhờ một quản trị viên khác."
                        ),
                        code="self_assignment",
                    )
                return data

        return MembershipForm
