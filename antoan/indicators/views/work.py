"""Estimates (entered by the statistics office), and the figures of one's own agency: a
supervisor's caseload and referrals, a hotline supervisor's calls."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin, deny, has_perm
from antoan.indicators import forms, services
from antoan.indicators.models import Indicator
from antoan.indicators.periods import period_choices, period_for
from antoan.indicators.selectors import dashboards
from antoan.indicators.selectors.catalogue import estimate_list
from antoan.indicators.views.province import province_or_404


def estimate_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(active=True, denominator="estimate"))


class EstimateView(PermissionRequiredMixin, View):
    """Estimates in force and their history; the form for those who enter them."""

    permission = Perm.INDICATORS_VIEW

    def show(self, request, form=None, *, conflict=None, status=200):
        province = province_or_404(request.user)
        may_enter = has_perm(request.user, Perm.INDICATORS_ESTIMATE)
        if may_enter and form is None:
            initial: dict[str, Any] = {"year": timezone.localdate().year, "place": province.code}
            revise = request.GET.get("revise", "")
            current = (
                estimate_list(province, history=False).filter(pk=revise).first()
                if revise.isdigit()
                else None
            )
            if current is not None:
                initial = {
                    "indicator": current.indicator.code,
                    "year": current.year,
                    "place": current.place.code,
                    "value": current.value,
                    "source": current.source,
                    "method": current.method,
                    "version": current.version,
                }
            form = forms.EstimateForm(
                initial=initial, indicators=estimate_indicators(), province=province
            )
        history = request.GET.get("history") == "1"
        context = {
            "province": province,
            "form": form if may_enter else None,
            "estimates": list(estimate_list(province, history=history)[:500]),
            "history": history,
            "conflict": conflict,
        }
        return render(request, "indicators/estimates.html", context, status=status)

    def get(self, request):
        return self.show(request)

    def post(self, request):
        if not has_perm(request.user, Perm.INDICATORS_ESTIMATE):
            deny(request, Perm.INDICATORS_ESTIMATE)
        province = province_or_404(request.user)
        form = forms.EstimateForm(request.POST, indicators=estimate_indicators(), province=province)
        if not form.is_valid():
            return self.show(request, form, status=400)
        try:
            estimate, created = services.estimate_save(
                actor=request.user,
                data=services.EstimateInput(**form.cleaned_data),
                request=request,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.show(request, form, status=400)
        except services.EstimateConflict as exc:
            # What was typed stays; the version moves on, so saving again is a deliberate
            # choice made after seeing the other figure.
            data = request.POST.copy()
            data["version"] = str(exc.current.version)
            form = forms.EstimateForm(data, indicators=estimate_indicators(), province=province)
            form.is_valid()
            return self.show(request, form, conflict=exc.current, status=409)
        messages.success(
            request,
            (
                _("Đã nhập ước tính %(code)s năm %(year)s.")
                if created
                else _("Đã sửa ước tính %(code)s năm %(year)s; số cũ vẫn được lưu trong lịch sử.")
            )
            % {"code": estimate.indicator.code, "year": estimate.year},
        )
        return redirect("indicators:estimates")


def chosen_period(request: Any) -> tuple[dict[str, Any], Any]:
    """Year and period from the query string (this year by default), for the own-agency pages."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        if not 2000 <= year <= today.year:
            raise ValueError
        period = period_for(year, request.GET.get("period") or "year")
    except (ValueError, ValidationError):
        year, period = today.year, period_for(today.year)
    choices = {
        "years": [str(y) for y in range(today.year, 2020, -1)],
        "periods": period_choices(),
        "year": str(period.year),
        "period_code": period.code,
    }
    return choices, period


def pick(agencies: list[Any], request: Any) -> Any:
    chosen = request.GET.get("agency", "")
    for agency in agencies:
        if str(agency.pk) == chosen:
            return agency
    return agencies[0] if agencies else None


class AgencyDashboardView(PermissionRequiredMixin, View):
    """A supervisor's agency: caseload by worker, late work, referral performance."""

    permission = Perm.INDICATORS_AGENCY

    def get(self, request):
        agencies = dashboards.agencies_supervised(request.user)
        agency = pick(agencies, request)
        if agency is None:
            raise Http404
        choices, period = chosen_period(request)
        context = {
            "agencies": agencies,
            "agency": agency,
            "board": dashboards.agency_dashboard(agency, period),
            "hotlines": dashboards.hotlines_supervised(request.user),
            **choices,
        }
        return render(request, "indicators/agency.html", context)


class HotlineDashboardView(PermissionRequiredMixin, View):
    """A hotline's calls by hour, category and outcome."""

    permission = Perm.CALL_VIEW_ALL

    def get(self, request):
        agencies = dashboards.hotlines_supervised(request.user)
        agency = pick(agencies, request)
        choices, period = chosen_period(request)
        context = {"agencies": agencies, "agency": agency, "board": None, **choices}
        if agency is not None:
            context["board"] = dashboards.hotline_dashboard(agency, period)
        context["may_see_agency"] = has_perm(request.user, Perm.INDICATORS_AGENCY)
        return render(request, "indicators/hotline.html", context)
