"""Pages of the privacy duties: thin; each calls one service or selector."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.reauth import reauth_inline_error, require_recent_auth
from antoan.accounts.roles import Perm
from antoan.cases.selectors import case_get_for_user
from antoan.cases.services.common import can_edit
from antoan.cases.views.common import apply_errors
from antoan.core.audit import audit_record
from antoan.core.export_limits import export_volume_check
from antoan.core.permissions import PermissionRequiredMixin, deny, has_perm, permission_required
from antoan.privacy import choices as p
from antoan.privacy import forms, rules, selectors, services
from antoan.privacy.models import DataRequest
from antoan.privacy.services import now


def _may_manage(user: Any, data_request: DataRequest) -> bool:
    return has_perm(user, Perm.PRIVACY_DSR_MANAGE, data_request.case.agency_id)


# --- Requests -------------------------------------------------------------------------------


class CaseRequestsView(PermissionRequiredMixin, View):
    """A case's requests, and the form to register a new one (for those who edit the case)."""

    permission = Perm.CASE_VIEW_ASSIGNED

    def _render(self, request, case, form, status=200):
        moment = now()
        rows = [
            (
                r,
                r.is_open and rules.clock(deadline=selectors.request_deadline(r), now=moment),
            )
            for r in selectors.requests_of_case(case)
        ]
        return render(
            request,
            "privacy/case_requests.html",
            {
                "case": case,
                "rows": rows,
                "form": form,
                "may_register": can_edit(request.user, case) is not None,
            },
            status=status,
        )

    def get(self, request, case_id):
        case = case_get_for_user(request.user, case_id, request=request)
        return self._render(request, case, forms.RequestForm())

    def post(self, request, case_id):
        case = case_get_for_user(request.user, case_id, request=request)
        form = forms.RequestForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                data_request = services.request_register(
                    case=case,
                    actor=request.user,
                    data=services.RequestInput(
                        kind=d["kind"],
                        channel=d["channel"],
                        requester=d["requester"],
                        details=d["details"],
                        received_at=d["received_at"],
                    ),
                    request=request,
                )
            except PermissionDenied:
                deny(request, Perm.CASE_EDIT)
            except ValidationError as exc:
                apply_errors(exc, [form])
            else:
                messages.success(
                    request,
                    _("Đã ghi nhận yêu cầu %(number)s. Hạn xác nhận tiếp nhận: %(due)s.")
                    % {
                        "number": data_request.number,
                        "due": timezone.localtime(data_request.acknowledge_due).strftime(
                            "%d/%m/%Y"
                        ),
                    },
                )
                return redirect("privacy:request_detail", pk=data_request.pk)
        return self._render(request, case, form, status=400)


class RequestListView(PermissionRequiredMixin, View):
    """Open requests of the supervisor's agencies, soonest deadline first."""

    permission = Perm.PRIVACY_DSR_MANAGE

    def get(self, request):
        moment = now()
        rows = [
            (r, rules.clock(deadline=selectors.request_deadline(r), now=moment))
            for r in selectors.open_requests_for_supervisor(request.user)
        ]
        rows.sort(key=lambda row: row[1].seconds_left)
        audit_record(
            action="list", request=request, object_type="data_request", extra={"page": "open"}
        )
        return render(request, "privacy/requests.html", {"rows": rows})


class RequestDetailView(PermissionRequiredMixin, View):
    permission = Perm.CASE_VIEW_ASSIGNED
    ACTIONS = ("acknowledge", "extend", "decide", "prepare", "approve", "reject")
    # Those the supervisors of the case's agency take; "prepare" needs only to edit the case.
    MANAGER_ACTIONS = frozenset({"acknowledge", "extend", "decide", "approve", "reject"})

    def _context(self, request, data_request, **forms_in_error):
        version = {"version": data_request.version}
        moment = now()
        packages = list(data_request.packages.select_related("prepared_by", "approved_by"))
        return {
            "data_request": data_request,
            "case": data_request.case,
            "countdown": data_request.is_open
            and rules.clock(deadline=selectors.request_deadline(data_request), now=moment),
            "acknowledge_overdue": data_request.acknowledged_at is None
            and moment > data_request.acknowledge_due,
            "events": list(data_request.events.select_related("actor")),
            "packages": packages,
            "may_manage": _may_manage(request.user, data_request),
            "may_edit": can_edit(request.user, data_request.case) is not None,
            "ack_form": forms.VersionForm(initial=version),
            "extend_form": forms_in_error.get("extend") or forms.ExtendForm(initial=version),
            "decide_form": _decide_form(
                data_request, forms_in_error.get("decide") or forms.DecideForm(initial=version)
            ),
            "reject_form": forms_in_error.get("reject") or forms.RejectForm(),
            "pending_package": next(
                (x for x in packages if x.status in ("prepared", "approved")), None
            ),
        }

    def get(self, request, pk, action=None):
        if action is not None:
            raise Http404
        data_request = selectors.request_get_for_user(request.user, pk, request=request)
        return render(request, "privacy/request_detail.html", self._context(request, data_request))

    def post(self, request, pk, action=None):
        if action not in self.ACTIONS:
            raise Http404
        data_request = selectors.request_get_for_user(request.user, pk, request=request)
        if action in self.MANAGER_ACTIONS and not _may_manage(request.user, data_request):
            # Refused before the form is read: whatever was posted, the answer is the same.
            deny(request, Perm.PRIVACY_DSR_MANAGE)
        handler: Callable[..., Any] = getattr(self, f"do_{action}")
        form_in_error: dict[str, Any] = {}
        try:
            result = handler(request, data_request, form_in_error)
        except PermissionDenied:
            deny(request, Perm.PRIVACY_DSR_MANAGE)
        except services.StaleVersion:
            messages.error(
                request,
                _("Yêu cầu vừa được người khác cập nhật. Hãy xem lại rồi thao tác lại."),
            )
            return redirect("privacy:request_detail", pk=data_request.pk)
        except ValidationError as exc:
            form = next(iter(form_in_error.values()), None)
            if form is not None:
                apply_errors(exc, [form])
            else:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("privacy:request_detail", pk=data_request.pk)
        else:
            if result is not None:
                messages.success(request, result)
                return redirect("privacy:request_detail", pk=data_request.pk)
        data_request.refresh_from_db()
        return render(
            request,
            "privacy/request_detail.html",
            self._context(request, data_request, **form_in_error),
            status=400,
        )

    def _valid(self, form, key, form_in_error):
        form_in_error[key] = form
        if not form.is_valid():
            return None
        return form.cleaned_data

    def do_acknowledge(self, request, data_request, form_in_error):
        form = forms.VersionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Biểu mẫu không hợp lệ; hãy tải lại trang."))
        services.request_acknowledge(
            data_request=data_request,
            actor=request.user,
            version=form.cleaned_data["version"],
            request=request,
        )
        return _("Đã xác nhận tiếp nhận yêu cầu.")

    def do_extend(self, request, data_request, form_in_error):
        d = self._valid(forms.ExtendForm(request.POST), "extend", form_in_error)
        if d is None:
            return None
        updated = services.request_extend(
            data_request=data_request,
            actor=request.user,
            version=d["version"],
            reason=d["reason"],
            request=request,
        )
        return _("Đã gia hạn. Hạn trả lời mới: %(due)s.") % {
            "due": timezone.localtime(updated.response_due).strftime("%d/%m/%Y")
        }

    def do_decide(self, request, data_request, form_in_error):
        form = _decide_form(data_request, forms.DecideForm(request.POST))
        d = self._valid(form, "decide", form_in_error)
        if d is None:
            return None
        if d.get("erase"):
            # Erasing a survivor is irreversible: the password or a code again (step-up).
            error = reauth_inline_error(request, d.get("reauth_secret", ""))
            if not request.user.is_authenticated:
                raise PermissionDenied
            if error:
                form.add_error("reauth_secret", error)
                return None
        services.request_decide(
            data_request=data_request,
            actor=request.user,
            version=d["version"],
            outcome=d["outcome"],
            note=d["note"],
            erase=bool(d.get("erase")),
            request=request,
        )
        if d.get("erase"):
            return _("Đã thực hiện yêu cầu xoá: dữ liệu nhận dạng của người này đã được ẩn danh.")
        return _("Đã ghi nhận kết quả giải quyết yêu cầu.")

    def do_prepare(self, request, data_request, form_in_error):
        services.package_prepare(data_request=data_request, actor=request.user, request=request)
        return _("Đã chuẩn bị gói dữ liệu. Cần một giám sát khác duyệt trước khi giao.")

    def do_approve(self, request, data_request, form_in_error):
        package = selectors.package_get(data_request, request.POST.get("package"))
        services.package_approve(package=package, actor=request.user, request=request)
        return _("Đã duyệt gói dữ liệu; có thể tải về để giao cho người yêu cầu.")

    def do_reject(self, request, data_request, form_in_error):
        d = self._valid(forms.RejectForm(request.POST), "reject", form_in_error)
        if d is None:
            return None
        package = selectors.package_get(data_request, request.POST.get("package"))
        services.package_reject(
            package=package, actor=request.user, reason=d["reason"], request=request
        )
        return _("Đã trả lại gói dữ liệu để chuẩn bị lại.")


@permission_required(Perm.CASE_VIEW_ASSIGNED)
@require_recent_auth(download=True)
def package_download(request, pk, package_id):
    """The download is the release: the PDF of an approved package, audited as an export.

    It asks for the password or a code again (step-up), and counts towards the user's export
    volume like every export of more than aggregates."""
    refused = export_volume_check(request)
    if refused is not None:
        return refused
    data_request = selectors.request_get_for_user(request.user, pk, request=request)
    package = selectors.package_get(data_request, package_id)
    try:
        pdf = services.package_release(package=package, actor=request.user, request=request)
    except PermissionDenied:
        deny(request, Perm.PRIVACY_DSR_MANAGE)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("privacy:request_detail", pk=data_request.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{data_request.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _decide_form(data_request: DataRequest, form: forms.DecideForm) -> forms.DecideForm:
    """Only a deletion request offers erasure (and its step-up field)."""
    if data_request.kind != "deletion":
        form.fields.pop("erase", None)
        form.fields.pop("reauth_secret", None)
    return form


# --- Consent ledger -------------------------------------------------------------------------


class ConsentLedgerView(PermissionRequiredMixin, View):
    permission = Perm.CASE_VIEW_ASSIGNED

    def get(self, request, case_id):
        case = case_get_for_user(request.user, case_id, request=request)
        return render(
            request,
            "privacy/consent_ledger.html",
            {"case": case, "rows": selectors.consent_ledger(case)},
        )


# --- Breaches -------------------------------------------------------------------------------


class BreachListView(PermissionRequiredMixin, View):
    permission = Perm.PRIVACY_BREACH_VIEW

    def get(self, request):
        moment = now()
        rows = [
            (b, selectors.breach_clock(b, moment))
            for b in selectors.breaches_for_user(request.user)
        ]
        audit_record(action="list", request=request, object_type="breach")
        return render(
            request,
            "privacy/breaches.html",
            {"rows": rows, "may_record": has_perm(request.user, Perm.PRIVACY_BREACH_RECORD)},
        )


def _breach_input(d: dict[str, Any]) -> services.BreachInput:
    return services.BreachInput(
        detected_at=d["detected_at"],
        occurred_at=d["occurred_at"],
        kind=d["kind"],
        description=d["description"],
        data_categories=list(d["data_categories"]),
        subjects_affected=d["subjects_affected"],
        records_affected=d["records_affected"],
        consequences=d["consequences"],
        measures_taken=d["measures_taken"],
        measures_proposed=d["measures_proposed"],
        contact_name=d["contact_name"],
        contact_phone=d["contact_phone"],
        contact_email=d["contact_email"],
        status=d["status"],
        authority_notified_at=d["authority_notified_at"],
        authority_reference=d["authority_reference"],
        late_reason=d["late_reason"],
        subjects_notified_at=d["subjects_notified_at"],
    )


class BreachNewView(PermissionRequiredMixin, View):
    permission = Perm.PRIVACY_BREACH_RECORD

    def get(self, request):
        return render(request, "privacy/breach_form.html", {"form": forms.BreachForm()})

    def post(self, request):
        form = forms.BreachForm(request.POST)
        if form.is_valid():
            try:
                breach = services.breach_record(
                    actor=request.user, data=_breach_input(form.cleaned_data), request=request
                )
            except ValidationError as exc:
                apply_errors(exc, [form])
            else:
                messages.success(request, _("Đã ghi vào sổ vi phạm: %(n)s.") % {"n": breach.number})
                return redirect("privacy:breach_detail", pk=breach.pk)
        return render(request, "privacy/breach_form.html", {"form": form}, status=400)


_BREACH_FIELDS = [name for name in forms.BreachForm.base_fields if name != "version"]


class BreachDetailView(PermissionRequiredMixin, View):
    permission = Perm.PRIVACY_BREACH_VIEW

    def get(self, request, pk):
        breach = selectors.breach_get_for_user(request.user, pk, request=request)
        return render(
            request,
            "privacy/breach_detail.html",
            {
                "breach": breach,
                "countdown": selectors.breach_clock(breach, now()),
                "due": rules.breach_notify_due(breach.detected_at),
                "categories": [
                    dict(p.DataCategory.choices).get(code, code) for code in breach.data_categories
                ],
                "may_record": has_perm(request.user, Perm.PRIVACY_BREACH_RECORD),
            },
        )


class BreachEditView(PermissionRequiredMixin, View):
    permission = Perm.PRIVACY_BREACH_RECORD

    def get(self, request, pk):
        breach = selectors.breach_get_for_user(request.user, pk, request=request)
        initial = {name: getattr(breach, name) for name in _BREACH_FIELDS}
        initial["version"] = breach.version
        form = forms.BreachForm(initial=initial)
        return render(request, "privacy/breach_form.html", {"form": form, "breach": breach})

    def post(self, request, pk):
        breach = selectors.breach_get_for_user(request.user, pk, request=request)
        form = forms.BreachForm(request.POST)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                if version is None:
                    raise services.StaleVersion
                services.breach_update(
                    breach=breach,
                    actor=request.user,
                    version=version,
                    data=_breach_input(form.cleaned_data),
                    request=request,
                )
            except services.StaleVersion:
                form.add_error(
                    None,
                    _(
                        "Bản ghi vừa được người khác cập nhật; thay đổi của bạn chưa được lưu. "
                        "Hãy tải lại trang, xem bản mới rồi nhập lại."
                    ),
                )
                return render(
                    request,
                    "privacy/breach_form.html",
                    {"form": form, "breach": breach},
                    status=409,
                )
            except ValidationError as exc:
                apply_errors(exc, [form])
            else:
                messages.success(request, _("Đã cập nhật %(n)s.") % {"n": breach.number})
                return redirect("privacy:breach_detail", pk=breach.pk)
        return render(
            request, "privacy/breach_form.html", {"form": form, "breach": breach}, status=400
        )
