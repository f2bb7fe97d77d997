"""Budget execution per agency, and the yearly reports that freeze a year's activities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.accounts.selectors import agency_list
from antoan.core.permissions import PermissionRequiredMixin, deny
from antoan.programme import forms, selectors, services
from antoan.programme.choices import FundingSource
from antoan.programme.models import Plan
from antoan.programme.views.common import (
    add_errors,
    keeper_agency_choices,
    may_keep_registry,
    plan_choices,
    plan_from_request,
    plan_years,
    programme_nav,
)


def plan_all_years(plan: Plan) -> list[int]:
    return list(range(plan.period_start.year, plan.period_end.year + 1))


class BudgetView(PermissionRequiredMixin, View):
    """Planned, allocated and spent, per agency and in detail; keepers set budget lines."""

    permission = Perm.PROGRAMME_VIEW

    def show(self, request, line_form=None, status=200):
        user = request.user
        plan = plan_from_request(user, request.GET.get("plan"))
        agencies = [
            (a.pk, a.name) for a in agency_list(user=user, include_past=True).order_by("name")
        ]
        initial = {"plan": plan.pk}
        filters = forms.BudgetFilterForm(
            request.GET or None,
            initial=initial,
            plans=plan_choices(user),
            years=plan_all_years(plan),
            agencies=agencies,
        )
        year = agency_id = None
        if filters.is_bound and filters.is_valid():
            year = filters.cleaned_data.get("year") or None
            agency_id = filters.cleaned_data.get("agency") or None
        rows = selectors.budget_rows(user, plan, year=year, agency_id=agency_id)
        keeper = may_keep_registry(user)
        if keeper and line_form is None:
            line_initial: dict[str, Any] = {"year": year or plan_years(plan)[-1]}
            edit = request.GET.get("edit", "")
            chosen = next((r for r in rows if r.line and str(r.line.pk) == edit), None)
            if chosen is not None:
                line_initial = {
                    "agency": chosen.agency.pk,
                    "year": chosen.year,
                    "source": chosen.source,
                    "planned": chosen.planned,
                    "allocated": chosen.allocated,
                    "note": chosen.line.note if chosen.line else "",
                    "version": chosen.line.version if chosen.line else None,
                }
            line_form = forms.BudgetLineForm(
                initial=line_initial,
                agencies=keeper_agency_choices(user),
                years=plan_all_years(plan),
            )
        editable = set(keeper_agency_choices(user)) if keeper else set()
        editable_ids = {pk for pk, _name in editable}
        sources = dict(FundingSource.choices)
        by_agency = selectors.budget_by_agency(rows)
        context = {
            "plan": plan,
            "filters": filters,
            "by_agency": by_agency,
            "totals": {
                "planned": sum(a.planned for a in by_agency),
                "allocated": sum(a.allocated for a in by_agency),
                "spent": sum(a.spent for a in by_agency),
            },
            "rows": [
                {
                    "row": r,
                    "source": sources.get(r.source, r.source),
                    "editable": r.line is not None and r.agency.pk in editable_ids,
                }
                for r in rows
            ],
            "line_form": line_form,
            "query": request.GET.urlencode(),
            **programme_nav(request, "budget"),
        }
        return render(request, "programme/budget.html", context, status=status)

    def get(self, request):
        return self.show(request)

    def post(self, request):
        user = request.user
        if not may_keep_registry(user):
            deny(request, Perm.PROGRAMME_REPORT)
        plan = plan_from_request(user, request.GET.get("plan"))
        form = forms.BudgetLineForm(
            request.POST, agencies=keeper_agency_choices(user), years=plan_all_years(plan)
        )
        if form.is_valid():
            d = form.cleaned_data
            agency = Agency.objects.get(pk=d["agency"])  # one of the choices offered to the user
            try:
                services.budget_line_save(
                    actor=user,
                    plan=plan,
                    agency=agency,
                    year=d["year"],
                    source=d["source"],
                    planned=d["planned"],
                    allocated=d["allocated"],
                    note=d["note"],
                    version=d["version"],
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã lưu kinh phí năm %(year)s của %(agency)s.")
                    % {"year": d["year"], "agency": agency.name},
                )
                return redirect(reverse("programme:budget") + f"?plan={plan.pk}")
        return self.show(request, line_form=form, status=400)


# --- Yearly reports ----------------------------------------------------------------------------


class ReportsView(PermissionRequiredMixin, View):
    """The yearly reports moved to the reporting cycle (``antoan.reports``); old links land
    there."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        return redirect("reports:home")
