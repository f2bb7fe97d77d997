from __future__ import annotations

import sys
from typing import Any

from django.apps import apps
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_otp import user_has_device

from antoan.accounts.roles import Perm, Role
from antoan.core import health
from antoan.core.audit import audit_record
from antoan.core.audit_labels import object_type_choices, object_type_label
from antoan.core.forms import AuditSearchForm
from antoan.core.home import home_cards
from antoan.core.models import AuditAction
from antoan.core.permissions import PermissionRequiredMixin, memberships, public
from antoan.core.selectors import audit_event_page, audit_events_for_user, sign_in_summary_for


class HomeView(PermissionRequiredMixin, TemplateView):
    permission = Perm.USE_SYSTEM
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["memberships"] = memberships(user)
        context["two_factor_enabled"] = user_has_device(user)
        context["sign_in"] = sign_in_summary_for(user)
        context["cards"] = home_cards(user)
        return context


def _case_numbers(events: Any) -> dict[str, str]:
    """Case id (as the log stores it) → the case number, for the cases on one page."""
    ids = {e.object_id for e in events if e.object_type == "case" and e.object_id.isdigit()}
    if not ids:
        return {}
    # The case app sits above core: ask the registry rather than import it.
    cases = apps.get_model("cases", "Case").objects.filter(pk__in=[int(pk) for pk in ids])
    return {str(pk): number for pk, number in cases.values_list("pk", "number")}


def _place_names(events: Any) -> dict[int, str]:
    """Event id → the name of its place as it was on the event's day (codes are reused across
    the 2025 reorganisation, so the code alone does not say which unit)."""
    codes = {e.place_code for e in events if e.place_code}
    if not codes:
        return {}
    places: dict[str, list[Any]] = {}
    for place in apps.get_model("places", "Place").objects.filter(code__in=codes):
        places.setdefault(place.code, []).append(place)
    names = {}
    for event in events:
        day = timezone.localdate(event.occurred_at)
        for place in places.get(event.place_code, []):
            if place.is_valid_on(day):
                names[event.pk] = place.name
                break
    return names


class AuditLogView(PermissionRequiredMixin, TemplateView):
    """The auditor's search of the audit log. Each search is itself recorded in the log."""

    permission = Perm.AUDIT_VIEW
    template_name = "core/audit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AuditSearchForm(self.request.GET)
        context["form"] = form
        if not form.is_valid():
            return context  # the errors, and no results
        before, after = form.cleaned_data["before"], form.cleaned_data["after"]
        page = audit_event_page(
            form.filter(audit_events_for_user(self.request.user)), before=before, after=after
        )
        filters = form.used_filters()
        audit_record(
            action=AuditAction.SEARCH if filters else AuditAction.LIST,
            request=self.request,
            object_type="audit_event",
            # The names of the filters only: their values stay out of the log, as query
            # strings do everywhere else.
            extra={
                "filters": filters,
                "page": "older" if before else "newer" if after else "first",
            },
        )
        role_names = dict(Role.choices)
        case_numbers = _case_numbers(page.events)
        place_names = _place_names(page.events)
        for event in page.events:
            event.role_label = role_names.get(event.role, event.role)
            # Names people use, not the codes stored: "Hồ sơ", "HY-2026-000123".
            event.object_type_label = object_type_label(event.object_type)
            event.object_label = (
                case_numbers.get(event.object_id, event.object_id)
                if event.object_type == "case"
                else event.object_id
            )
            event.place_label = place_names.get(event.pk, event.place_code)
        context.update(
            object_types=object_type_choices(),
            page=page,
            newer_url=self._page_url(after=page.newer) if page.newer else "",
            older_url=self._page_url(before=page.older) if page.older else "",
            newest_url=self._page_url() if page.newer else "",
        )
        return context

    def _page_url(self, **cursor) -> str:
        query = self.request.GET.copy()
        for key in ("before", "after"):
            query.pop(key, None)
        for key, value in cursor.items():
            query[key] = str(value)
        encoded = query.urlencode()
        return f"{self.request.path}?{encoded}" if encoded else self.request.path


@public
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and bookmarks ask for /favicon.ico: send them to the static icon."""
    return redirect(static("img/favicon.ico"), permanent=True)


@public
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches no database (``antoan.core.health``)."""
    return JsonResponse({"status": "ok"})


@public
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when every check passes, 503 naming the checks that failed."""
    checks = health.readiness()
    ready = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def _error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        from antoan.api.errors import error_response

        return error_response(status, _error_code(status), message)
    return render(
        request, "error.html", {"title": title, "message": message, "status": status}, status=status
    )


def _error_code(status: int) -> str:
    return {400: "bad_request", 403: "permission_denied", 404: "not_found"}.get(
        status, "server_error"
    )


def bad_request(request, exception=None):
    return _error_page(request, 400, _("Yêu cầu không hợp lệ"), _("Yêu cầu không hợp lệ."))


def permission_denied(request, exception=None):
    message = _("Bạn không có quyền truy cập trang này.")
    if request.user.is_authenticated and not memberships(request.user):
        message = _(
            "Tài khoản của bạn hiện chưa được phân công vai trò nào. Hãy liên hệ quản trị hệ thống."
        )
    return _error_page(request, 403, _("Không có quyền truy cập"), message)


def page_not_found(request, exception=None):
    return _error_page(
        request, 404, _("Không tìm thấy"), _("Không tìm thấy trang hoặc đối tượng bạn yêu cầu.")
    )


def integrity_error(request):
    return _error_page(
        request,
        500,
        _("Dữ liệu không toàn vẹn"),
        _(
            "Một giá trị được mã hoá trong hồ sơ này không khớp với hồ sơ: có thể dữ liệu đã bị "
            "sửa trực tiếp trong cơ sở dữ liệu. Hồ sơ không được hiển thị. Sự việc đã được ghi "
            "vào nhật ký kiểm tra; hãy báo ngay cho quản trị hệ thống."
        ),
    )


def server_error(request):
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return database_unavailable(request)
    return _error_page(
        request,
        500,
        _("Lỗi hệ thống"),
        _("Đã xảy ra lỗi. Dữ liệu bạn đã lưu không bị ảnh hưởng; hãy thử lại sau."),
    )


def database_unavailable(request) -> HttpResponse:
    """The database went away mid-request: the transaction was rolled back, nothing was half
    written. Drawn without the database (no menu, no user), 503 with a retry hint."""
    message = _("Hệ thống tạm thời mất kết nối tới cơ sở dữ liệu. Thao tác vừa rồi chưa được lưu.")
    if request.path.startswith("/api/"):
        from antoan.api.errors import error_response

        response = error_response(503, "database_unavailable", message)
    else:
        page = render_to_string(
            "error_database.html",
            {
                "title": _("Tạm thời gián đoạn"),
                "message": message,
                "advice": _(
                    "Không có dữ liệu nào bị ghi dở. Hãy quay lại trang trước (nội dung đã nhập "
                    "thường vẫn còn trong trình duyệt) và gửi lại sau ít phút."
                ),
                "request_id": getattr(request, "request_id", ""),
            },
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = "30"
    return response
