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
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.reauth import has_recent_auth, reauth_required_response
from antoan.accounts.services import user_logout_everywhere, user_two_factor_reset
from antoan.core.admin import AntoanModelAdmin


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _step_up(request):
    """The step-up redirect (docs/security.md), or None when the password or a code was
    given within ANTOAN_REAUTH_MINUTES."""
    return None if has_recent_auth(request) else reauth_required_response(request)


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
    list_display = ("username", "full_name", "is_active", "two_factor", "last_login")
    list_filter = ("is_active",)
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ()
    ordering = ("username",)
    actions = ["log_out_everywhere", "reset_two_factor"]
    show_full_result_count = False

    def get_queryset(self, request):
        # Whether each user has an authenticator, in the list's one query (no secret leaves it).
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_authenticator=Exists(devices))

    @admin.display(description=_("Họ và tên"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description=_("Xác thực hai lớp"), boolean=True)
    def two_factor(self, obj: User) -> bool:
        return bool(getattr(obj, "has_authenticator", False))

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is taking over their account: step up first.
        return _step_up(request) or super().user_change_password(request, id, form_url)

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

    @admin.action(
        description=_(
            "Đặt lại xác thực hai lớp (mất điện thoại): xoá ứng dụng xác thực, đăng xuất "
            "mọi nơi, thu hồi mã API"
        ),
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
        refused = _step_up(request)
        if refused is not None:
            return refused
        if queryset.filter(pk=request.user.pk).exists():
            # Four eyes, as for roles: a stolen administrator session must not be able to
            # strip its own account's second factor.
            self.message_user(
                request,
                _(
                    "Bạn không thể tự đặt lại xác thực hai lớp của mình; "
                    "hãy nhờ một quản trị viên khác."
                ),
                messages.ERROR,
            )
            return None
        count = 0
        with transaction.atomic():
            for user in queryset.select_for_update():
                user_two_factor_reset(request=request, user=user)
                count += 1
        self.message_user(
            request,
            ngettext(
                "Đã đặt lại xác thực hai lớp của %(count)d người dùng. Ở lần đăng nhập tới, "
                "họ cần thiết lập lại ứng dụng xác thực.",
                "Đã đặt lại xác thực hai lớp của %(count)d người dùng. Ở lần đăng nhập tới, "
                "họ cần thiết lập lại ứng dụng xác thực.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return None


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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A role change (giving, changing or ending a membership) asks for the password or a
        # code again; the form page itself does, so nothing typed is lost on the way.
        return _step_up(request) or super().changeform_view(
            request, object_id, form_url, extra_context
        )

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
