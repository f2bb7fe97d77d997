"""The data collection toolkit (plan section IV.7): templates, upload, export."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from antoan.accounts.reauth import SensitiveExportMixin
from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import PermissionRequiredMixin, has_perm
from antoan.jobs import services as jobs
from antoan.programme import clock, selectors
from antoan.programme.choices import ActivityKind
from antoan.programme.excel import columns as cols
from antoan.programme.excel.export import build_export, export_queryset, filter_from_query
from antoan.programme.excel.export_lists import (
    budget_filter_from_query,
    build_budget_export,
    build_influencers_export,
    build_models_export,
    model_filter_from_query,
    model_queryset,
)
from antoan.programme.excel.forms import ImportForm
from antoan.programme.excel.importer import ImportResult
from antoan.programme.excel.reader import Problem
from antoan.programme.excel.template import build_template
from antoan.programme.files import IMPORT_ZIP, check_upload
from antoan.programme.jobs import IMPORT
from antoan.programme.models import Plan
from antoan.programme.views.common import may_see_activities, programme_nav

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_MODELS = 2000  # the drop-down of models; a province has hundreds


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def models_for(user):
    return list(selectors.community_model_list(user).order_by("name", "pk")[:MAX_MODELS])


class ReportOrCoordinateMixin(PermissionRequiredMixin):
    """Reporters (their agencies' activities) or the coordinator (all of them). Declares
    PROGRAMME_REPORT; the coordinator is let in through PROGRAMME_COORDINATE instead."""

    permission = Perm.PROGRAMME_REPORT
    alternative = Perm.PROGRAMME_COORDINATE

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and not has_perm(user, self.permission)
            and has_perm(user, self.alternative)
        ):
            self.permission = self.alternative
        return super().dispatch(request, *args, **kwargs)


class IndexView(ReportOrCoordinateMixin, View):
    def get(self, request):
        plan = selectors.plan_current(request.user)
        kinds = [
            {"code": kind.value, "label": kind.label, "purpose": cols.KIND_PURPOSE[kind]}
            for kind in ActivityKind
        ]
        context = {
            "plan": plan,
            "plan_ended": plan is not None and plan.period_end < clock.today(),
            "kinds": kinds,
            "can_report": has_perm(request.user, Perm.PROGRAMME_REPORT),
            "max_rows": settings.ANTOAN_IMPORT_MAX_ROWS,
            **programme_nav(request, "toolkit"),
        }
        return render(request, "programme/toolkit.html", context)


class TemplateDownloadView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_REPORT

    def get(self, request, kind):
        if kind not in ActivityKind.values and kind != cols.ALL_KINDS:
            raise Http404
        plan_id = request.GET.get("plan")
        plan: Plan | None
        if plan_id:
            plan = selectors.plan_get_for_user(request.user, plan_id)
        else:
            plan = selectors.plan_current(request.user)
        if plan is None:
            raise Http404
        data = build_template(
            kind=kind,
            plan=plan,
            models=models_for(request.user),
            max_rows=settings.ANTOAN_IMPORT_MAX_ROWS,
        )
        return xlsx_response(data, f"mau-{kind.replace('_', '-')}-{plan.code}.xlsx")


class ImportView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_REPORT
    template_name = "programme/toolkit_import.html"

    def show(self, request, form, result=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "result": result,
                "max_rows": settings.ANTOAN_IMPORT_MAX_ROWS,
                **programme_nav(request, "toolkit"),
            },
            status=status,
        )

    def get(self, request):
        return self.show(request, ImportForm(user=request.user))

    def post(self, request):
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.show(request, form, status=400)
        data = form.cleaned_data
        try:
            checked = check_upload(
                data["file"],
                allowed={"xlsx"},
                max_bytes=settings.ANTOAN_IMPORT_MAX_BYTES,
                zip_limits=IMPORT_ZIP,
                strip_metadata=False,
            )
        except ValidationError as exc:
            result = ImportResult(cols.ALL_KINDS, total_problems=1)
            result.problems = [Problem("", None, "", " ".join(exc.messages))]
            return self.show(request, form, result, status=400)
        job = jobs.enqueue(
            owner=request.user,
            kind=IMPORT,
            params={"plan": data["plan"].pk, "agency": data["agency"].pk},
            input_file=("tai-len.xlsx", checked.data),
        )
        return redirect("jobs:job", job.pk)


class ExportView(ReportOrCoordinateMixin, SensitiveExportMixin, View):
    def get(self, request):
        f = filter_from_query(request.user, request.GET)
        data, count = build_export(export_queryset(request.user, f))
        audit_record(
            action=AuditAction.EXPORT,
            request=request,
            object_type="programme.activity",
            extra={
                "format": "xlsx",
                "rows": count,
                "filters": {
                    "plan": f.plan.pk if f.plan else None,
                    "task": f.task.code if f.task else "",
                    "kind": f.kind,
                    "agency": f.agency_id,
                    "place": f.place_code,
                    "year": f.year,
                    "search": bool(f.q),
                    "flagged": f.flagged,
                },
            },
        )
        return xlsx_response(data, f"hoat-dong-{timezone.localdate():%Y%m%d}.xlsx")


# --- The other programme lists: same permission, filters and scope as their pages -----------


def audit_export(request, object_type: str, rows: int, filters: dict) -> None:
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        object_type=object_type,
        extra={"format": "xlsx", "rows": rows, "filters": filters},
    )


class ModelsExportView(PermissionRequiredMixin, SensitiveExportMixin, View):
    """The models registry (/programme/models/): whoever sees the page, under its filters."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        f = model_filter_from_query(request.user, request.GET)
        data, count = build_models_export(model_queryset(request.user, f))
        audit_export(request, "programme.model", count, f.for_audit())
        return xlsx_response(data, f"mo-hinh-{timezone.localdate():%Y%m%d}.xlsx")


class InfluencersExportView(PermissionRequiredMixin, SensitiveExportMixin, View):
    """The influencer network: names for those the page shows names to, else counts."""

    permission = Perm.PROGRAMME_VIEW

    def needs_recent_auth(self, request) -> bool:
        # Counts are aggregates; names of people are not.
        return may_see_activities(request.user)

    def get(self, request):
        export = build_influencers_export(request.user)
        audit_export(request, "programme.influencer", export.rows, {"named": export.named})
        return xlsx_response(export.data, f"nguoi-co-anh-huong-{timezone.localdate():%Y%m%d}.xlsx")


class BudgetExportView(PermissionRequiredMixin, SensitiveExportMixin, View):
    """Budget lines and execution per agency of a plan, under the budget page's filters."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        f = budget_filter_from_query(request.user, request.GET)
        data, count = build_budget_export(request.user, f)
        audit_export(request, "programme.budget_line", count, f.for_audit())
        return xlsx_response(data, f"kinh-phi-{f.plan.code}-{timezone.localdate():%Y%m%d}.xlsx")
