"""The province dashboard, one indicator's page, and the downloads of their tables."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin, deny
from antoan.indicators import exports, figure_cache, forms, services, tasks
from antoan.indicators.models import Indicator
from antoan.indicators.selectors import dashboards
from antoan.indicators.selectors.breakdowns import BREAKDOWNS, category_labels
from antoan.indicators.selectors.catalogue import estimate_list, targets_of
from antoan.indicators.selectors.values import (
    Calculator,
    Query,
    national_place,
    national_query,
    national_viewer,
    parse_query,
    threshold,
    user_province,
)
from antoan.places.models import Place


def province_or_404(user: Any) -> Place:
    province = user_province(user)
    if province is None:
        raise Http404
    return province


def read_query(request: Any, province: Place) -> tuple[forms.FilterForm, Query | None]:
    """The filters from the query string; errors stay on the form (and no figures are
    computed for a question that cannot be answered)."""
    form = forms.FilterForm(request.GET or None, province=province)
    params: dict[str, str] = {}
    if form.is_bound:
        if not form.is_valid():
            return form, None
        params = form.params()
    try:
        return form, parse_query(province, params)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
        return form, None


# Up to this many communes the table of the province dashboard is shown open.
TABLE_OPEN_ROWS = 12


class ProvinceDashboardView(PermissionRequiredMixin, View):
    """/indicators/: is the province reaching its targets, and which communes lag?

    The figures come from the cache of the user's province (``figure_cache``) when they were
    computed in the last few minutes; the page says when, and "compute again" (POST) drops
    them."""

    permission = Perm.INDICATORS_VIEW

    def get(self, request):
        province = province_or_404(request.user)
        form, query = read_query(request, province)
        context: dict[str, Any] = {
            "form": form,
            "province": province,
            "query": query,
            "computed_at": timezone.localtime(),
        }
        if query is None:
            return render(request, "indicators/province.html", context, status=400)
        scope = figure_cache.province_scope(province.code)
        recipe = tasks.recipe(
            view="province",
            province=province.code,
            params=form.params() if form.is_bound else {},
            **table_asked(request),
        )
        context.update(board_context(request, query, scope, recipe, REFRESH_FLAG))
        board = context["board"]
        context.update(
            {
                # The tiles give the overview; a province's hundred-odd rows open on request
                # (or when the user has just asked for an order).
                "table_open": board is not None
                and (len(board.rows) <= TABLE_OPEN_ROWS or "sort" in request.GET),
                "threshold": threshold(),
                "filter_label": filter_label(query),
                "export_query": request.GET.urlencode(),
            }
        )
        return answer(request, "indicators/province.html", context)

    def post(self, request):
        """ "Compute again": the next view of the page computes the figures afresh (for the
        user's province only: the scope comes from the membership, not the request)."""
        province_or_404(request.user)
        return compute_again(request, REFRESH_FLAG)


def board_context(
    request: Any, query: Query, scope: str, recipe: dict[str, Any], refresh_flag: str
) -> dict[str, Any]:
    """The dashboard's board, table chooser and times, from the figure cache of ``scope`` (the
    user's province, or the country): kept figures, else asked of the task worker (the board is
    then None and ``figures_pending`` set), else computed now."""
    question = {
        "view": recipe["view"],
        "params": recipe["params"],
        "indicator": recipe["table"],
        "sort": recipe["sort"],
    }
    found = figure_cache.figures(
        scope,
        question,
        lambda: dashboards.dashboard_figures(query, recipe["table"], recipe["sort"]),
        recipe=recipe,
        fresh=request.session.pop(refresh_flag, False),
    )
    if found.pending:
        return {"board": None, "figures_pending": True, "poll_seconds": POLL_SECONDS}
    board, choices = found.value
    table_form = forms.TableForm(request.GET or None, indicators=choices)
    table_form.is_valid()
    return {
        "board": board,
        "table_form": table_form,
        "computed_at": timezone.localtime(found.computed_at),
        "figures_refreshing": found.refreshing,
        "cache_minutes": max(1, figure_cache.timeout() // 60),
        # The rendered figures ({% cache %} in the template): the figures' own key, when they
        # were computed (the worker replaces them under the same key) and the query string
        # its links repeat. Rendering ~200 cells costs about as much again as computing them
        # (docs/performance.md).
        "fragment_key": "|".join(
            [
                figure_cache.key_for(scope, question),
                found.computed_at.isoformat(),
                request.GET.urlencode(),
            ]
        ),
        "fragment_seconds": figure_cache.kept_for(),
    }


# How often a page waiting for its figures asks whether they are there (htmx; without
# JavaScript the page reloads itself).
POLL_SECONDS = 2


def answer(request: Any, template: str, context: dict[str, Any]) -> HttpResponse:
    """The page, or to the page's own poll (htmx, while its figures are computed): nothing yet
    (204), or reload the page (they are there, or the view computed them itself)."""
    if request.headers.get("HX-Request"):
        if context.get("figures_pending"):
            return HttpResponse(status=204)
        return HttpResponse(headers={"HX-Refresh": "true"})
    return render(request, template, context)


def table_asked(request: Any) -> dict[str, str]:
    """The table's indicator and order asked in the query string (checked when computed)."""
    return {
        "table": (request.GET.get("indicator") or "")[:20],
        "sort": (request.GET.get("sort") or "")[:10],
    }


def compute_again(request: Any, refresh_flag: str) -> HttpResponse:
    """ "Compute again" (POST): the next view of the page computes its figures afresh."""
    request.session[refresh_flag] = True
    query = request.GET.urlencode()
    return redirect(f"{request.path}?{query}" if query else request.path)


# Set by "compute again", read (and dropped) by the next view of the dashboard.
REFRESH_FLAG = "indicators_refresh"


class NationalDashboardView(PermissionRequiredMixin, View):
    """/indicators/national/: every province's figures side by side, for the ministry.

    Only for users holding ``INDICATORS_VIEW`` through an agency listed in
    ``ANTOAN_NATIONAL_AGENCIES`` (nobody by default; refusals are audited). Each cohort is
    counted once for the whole country, grouped by province; every figure is suppressed as on
    a province's dashboard, with provinces in place of communes (docs/indicators.md)."""

    permission = Perm.INDICATORS_VIEW

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not national_viewer(request.user):
            deny(request, NATIONAL_PERMISSION)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        country = national_place()
        form = forms.NationalFilterForm(request.GET or None)
        context: dict[str, Any] = {"form": form, "country": country, "query": None}
        params: dict[str, str] | None = {}
        if form.is_bound:
            params = form.params() if form.is_valid() else None
        query = None
        if params is not None:
            try:
                query = national_query(params)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages)
        if query is None:
            return render(request, "indicators/national.html", context, status=400)
        recipe = tasks.recipe(view="national", params=params or {}, **table_asked(request))
        context.update(
            {
                "query": query,
                "threshold": threshold(),
                "filter_label": filter_label(query),
                **board_context(
                    request, query, figure_cache.NATIONAL, recipe, NATIONAL_REFRESH_FLAG
                ),
            }
        )
        return answer(request, "indicators/national.html", context)

    def post(self, request):
        """ "Compute again" for the national figures."""
        return compute_again(request, NATIONAL_REFRESH_FLAG)


# The refusal's name in the audit log (no role grants it: see national_viewer).
NATIONAL_PERMISSION = "indicators.national"
NATIONAL_REFRESH_FLAG = "indicators_national_refresh"


def filter_label(query: Query) -> str:
    if not query.filter_dim:
        return ""
    label = category_labels(query.filter_dim, [query.filter_value])[query.filter_value]
    return f"{BREAKDOWNS[query.filter_dim]}: {label}"


class IndicatorView(PermissionRequiredMixin, View):
    """One indicator: what it means, its numerator and denominator (never rows), its target
    and its line since 2021, and its breakdowns for the year."""

    permission = Perm.INDICATORS_VIEW

    def get(self, request, code: str):
        indicator = Indicator.objects.filter(code=code.upper(), active=True).first()
        if indicator is None:
            raise Http404
        province = province_or_404(request.user)
        form, query = read_query(request, province)
        context: dict[str, Any] = {
            "indicator": indicator,
            "form": form,
            "province": province,
            "targets": targets_of(indicator),
            "threshold": threshold(),
            "breakdown_labels": [
                _("Xã, phường") if d == "commune" else BREAKDOWNS.get(d, d)
                for d in indicator.disaggregations
            ],
        }
        if query is None:
            return render(request, "indicators/indicator.html", context, status=400)
        page = dashboards.indicator_page(indicator, query)
        if page is None:
            context["not_available"] = True
            return render(request, "indicators/indicator.html", context)
        estimates = (
            list(estimate_list(province, indicator=indicator.code, history=True)[:50])
            if indicator.uses_estimate
            else []
        )
        context.update(
            {
                "query": query,
                "value": page.value,
                "trend": page.trend,
                "breakdowns": page.breakdowns,
                "estimates": estimates,
                "filter_label": filter_label(query),
            }
        )
        return render(request, "indicators/indicator.html", context)


# --- Downloads -------------------------------------------------------------------------------


class ExportView(PermissionRequiredMixin, View):
    """The dashboard's figures as a spreadsheet (xlsx) or CSV, with its filters; audited."""

    permission = Perm.INDICATORS_VIEW

    def get(self, request, file_format: str):
        province = province_or_404(request.user)
        form, query = read_query(request, province)
        if query is None:
            return render(
                request,
                "indicators/province.html",
                {"form": form, "province": province, "query": None},
                status=400,
            )
        rows = exports.rows(Calculator(query))
        services.table_downloaded(
            actor=request.user,
            request=request,
            table="province_dashboard",
            file_format=file_format,
            filters={k: v for k, v in request.GET.items() if k in forms.FilterForm.base_fields},
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        name = f"chi-so-{province.code}-{query.period.id}-{stamp}"
        if file_format == "csv":
            content, content_type = exports.as_csv(rows), "text/csv; charset=utf-8"
        else:
            content, content_type = exports.as_xlsx(rows), exports.XLSX
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
        return response
