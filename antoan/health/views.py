"""Recording a contact (write-only: there is no list of contacts) and the monthly report."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases.views.common import apply_errors
from antoan.core.permissions import PermissionRequiredMixin, deny
from antoan.health import exports, forms, selectors, services
from antoan.indicators.selectors.places import UNKNOWN, rollup, unknown_label

_RECORDED = "health_recorded_on"


class ContactNewView(PermissionRequiredMixin, View):
    """One page, under a minute on a phone: codes and ticks, saved, then "Đã ghi nhận"."""

    permission = Perm.HEALTH_CONTACT_RECORD
    template_name = "health/contact_new.html"

    def facilities(self, request) -> list[Any]:
        found = services.recording_facilities(request.user)
        if not found:
            deny(request, self.permission)  # the role in an agency that is not a facility
        return found

    def get(self, request):
        form = forms.ContactForm(facilities=self.facilities(request))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = forms.ContactForm(request.POST, facilities=self.facilities(request))
        if form.is_valid():
            try:
                result = services.contact_record(
                    actor=request.user, data=form.to_input(), request=request
                )
            except ValidationError as error:
                apply_errors(error, [form])
            except PermissionDenied:
                form.add_error("facility", _("Bạn không ghi nhận cho cơ sở này."))
            else:
                request.session[_RECORDED] = result.contact.contact_date.strftime("%d/%m/%Y")
                return redirect("health:recorded")
        return render(request, self.template_name, {"form": form})


class ContactRecordedView(PermissionRequiredMixin, View):
    """The confirmation: the date recorded, nothing else about the patient."""

    permission = Perm.HEALTH_CONTACT_RECORD

    def get(self, request):
        day = request.session.pop(_RECORDED, "")
        return render(request, "health/recorded.html", {"day": day})


def _report_form(request: Any, scope: selectors.ReportScope) -> forms.ReportForm:
    communes = None
    if scope.province_wide:
        places = rollup().communes_of(scope.province.code)
        communes = [(p.code, p.name) for p in places] + [(UNKNOWN, str(unknown_label()))]
    data = request.GET.copy() if request.GET else None
    if data is not None:
        today = timezone.localdate()
        data.setdefault("year", str(today.year))
        data.setdefault("month", str(today.month))
        if not scope.province_wide and len(scope.facilities) == 1:
            data.setdefault("facility", str(scope.facilities[0].pk))
    return forms.ReportForm(data, facilities=scope.facilities, communes=communes)


def read_report(request: Any) -> tuple[forms.ReportForm, selectors.Report | None]:
    """The report asked for in the query string; errors stay on the form."""
    scope = selectors.report_scope(request.user)
    if scope is None:
        deny(request, Perm.HEALTH_STATS_VIEW)
    form = _report_form(request, scope)
    if form.is_bound:
        if not form.is_valid():
            return form, None
        data = form.cleaned_data
    else:
        data = {name: field.initial for name, field in form.fields.items()}
    errors = selectors.check_period(int(data["year"]), int(data["month"]))
    for name, messages in errors.items():
        form.add_error(name, messages)
    if errors:
        return form, None
    facility = next((f for f in scope.facilities if f.pk == data.get("facility")), None)
    report = selectors.report_for(
        scope,
        year=int(data["year"]),
        month=int(data["month"]),
        facility=facility,
        commune=data.get("commune") or "",
    )
    return form, report


class ReportView(PermissionRequiredMixin, View):
    permission = Perm.HEALTH_STATS_VIEW

    def get(self, request):
        form, report = read_report(request)
        return render(
            request,
            "health/report.html",
            {
                "form": form,
                "report": report,
                "threshold": selectors.threshold(),
                "export_query": request.GET.urlencode(),
            },
            status=200 if report is not None else 400,
        )


class ReportExportView(PermissionRequiredMixin, View):
    """The report as a spreadsheet; audited as the indicator downloads are."""

    permission = Perm.HEALTH_STATS_VIEW

    def get(self, request):
        form, report = read_report(request)
        if report is None:
            return render(
                request,
                "health/report.html",
                {"form": form, "report": None, "threshold": selectors.threshold()},
                status=400,
            )
        services.report_downloaded(
            actor=request.user,
            request=request,
            place=report.facility.pk if report.facility is not None else report.place,
            filters=[k for k in ("year", "month", "facility", "commune") if request.GET.get(k)],
        )
        name = f"y-te-{report.year}{report.month:02d}-{timezone.localdate():%Y%m%d}.xlsx"
        response = HttpResponse(exports.as_xlsx(report), content_type=exports.XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
