"""The province dashboard, one indicator's page, and the downloads of their tables."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin
from antoan.indicators import forms, services
from antoan.indicators.models import Indicator
from antoan.indicators.selectors import dashboards
from antoan.indicators.selectors.breakdowns import BREAKDOWNS, PERSONAL, category_labels
from antoan.indicators.selectors.catalogue import estimate_list, targets_of
from antoan.indicators.selectors.values import (
    Calculator,
    Query,
    Value,
    parse_query,
    threshold,
    user_province,
)
from antoan.indicators.suppression import TOTAL
from antoan.indicators.templatetags.indicators import figure
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


class ProvinceDashboardView(PermissionRequiredMixin, View):
    """/indicators/: is the province reaching its targets, and which communes lag?"""

    permission = Perm.INDICATORS_VIEW

    def get(self, request):
        province = province_or_404(request.user)
        form, query = read_query(request, province)
        context: dict[str, Any] = {"form": form, "province": province, "query": query}
        if query is None:
            return render(request, "indicators/province.html", context, status=400)
        table_code = request.GET.get("indicator") or dashboards.DEFAULT_TABLE_INDICATOR
        calc = Calculator(query, places_for=[table_code])
        table_form = forms.TableForm(
            request.GET or None,
            indicators=[i for i in calc.indicators if calc.supports(i, "commune")],
        )
        table_form.is_valid()
        chosen = table_form.cleaned_data if table_form.is_bound else {}
        board = dashboards.province_dashboard(
            calc, table_code=chosen.get("indicator") or "", sort=chosen.get("sort") or "name"
        )
        context.update(
            {
                "calc": calc,
                "board": board,
                "table_form": table_form,
                "threshold": threshold(),
                "filter_label": filter_label(query),
                "export_query": request.GET.urlencode(),
            }
        )
        return render(request, "indicators/province.html", context)


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
        query = Query(
            query.province, query.place, query.period, "", query.filter_dim, query.filter_value
        )
        calc = Calculator(query)
        if indicator not in calc.indicators:
            context["not_available"] = True
            return render(request, "indicators/indicator.html", context)
        breakdowns = []
        if query.period.code == "year" and not query.filter_dim:
            for dim in indicator.disaggregations:
                if dim == "commune" or (dim in PERSONAL and query.filter_dim):
                    continue
                sub = Calculator(
                    Query(query.province, query.place, query.period, dim, codes=(indicator.code,))
                )
                if indicator in sub.indicators:
                    breakdowns.append(
                        (BREAKDOWNS[dim], dashboards.breakdown_rows(sub, indicator, dim))
                    )
        estimates = (
            list(estimate_list(province, indicator=indicator.code, history=True)[:50])
            if indicator.uses_estimate
            else []
        )
        context.update(
            {
                "query": query,
                "value": calc.value(indicator, query.place_key),
                "trend": calc.trend(indicator),
                "breakdowns": breakdowns,
                "estimates": estimates,
                "filter_label": filter_label(query),
            }
        )
        return render(request, "indicators/indicator.html", context)


# --- Downloads -------------------------------------------------------------------------------

HEADERS = [
    ("code", "Mã chỉ số"),
    ("name", "Chỉ số"),
    ("period", "Kỳ"),
    ("period_label", "Thời gian"),
    ("place", "Mã địa bàn"),
    ("place_name", "Địa bàn"),
    ("category", "Phân tổ"),
    ("value", "Giá trị"),
    ("shown", "Giá trị hiển thị"),
    ("numerator", "Tử số"),
    ("denominator", "Mẫu số"),
    ("target", "Chỉ tiêu"),
    ("target_year", "Năm chỉ tiêu"),
    ("suppressed", "Ẩn để bảo vệ danh tính"),
    ("note", "Ghi chú"),
]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_rows(calc: Calculator) -> list[dict[str, Any]]:
    """The province's value of every indicator, then every commune's where there is one."""
    query = calc.query
    values: list[Value] = [calc.value(ind, query.place_key) for ind in calc.indicators]
    if query.place_key == TOTAL and query.period.kind in ("year", "quarter"):
        for ind in calc.indicators:
            if calc.supports(ind, "commune"):
                values += [calc.value(ind, row) for row in calc.commune_rows(ind)]
    labels = {}
    if query.filter_dim:
        labels = category_labels(query.filter_dim, [query.filter_value])
    return [
        {
            "code": v.indicator.code,
            "name": v.indicator.name_vi,
            "period": v.period.id,
            "period_label": f"{v.period.start:%d/%m/%Y} – {v.period.end:%d/%m/%Y}",
            "place": v.place_code or "",
            "place_name": v.place_name,
            "category": labels.get(v.category, ""),
            "value": v.value,
            "shown": figure(v),
            "numerator": v.numerator,
            "denominator": v.denominator,
            "target": float(v.target.value) if v.target else None,
            "target_year": v.target.year if v.target else None,
            "suppressed": "có" if v.suppressed else "",
            "note": v.note,
        }
        for v in values
    ]


def neutral(value: Any) -> Any:
    """Text a spreadsheet would run as a formula stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class ExportView(PermissionRequiredMixin, View):
    """The dashboard's figures as a spreadsheet (xlsx) or CSV, with its filters; audited."""

    permission = Perm.INDICATORS_VIEW

    def get(self, request, file_format: str):
        province = province_or_404(request.user)
        _form, query = read_query(request, province)
        if query is None:
            return render(
                request,
                "indicators/province.html",
                {"form": _form, "province": province, "query": None},
                status=400,
            )
        calc = Calculator(query)
        rows = export_rows(calc)
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
            return csv_response(rows, f"{name}.csv")
        return xlsx_response(rows, f"{name}.xlsx", query)


def csv_response(rows: list[dict[str, Any]], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with its byte-order mark as UTF-8
    writer = csv.writer(buffer)
    writer.writerow([header for _key, header in HEADERS])
    for row in rows:
        writer.writerow([neutral("" if row[k] is None else row[k]) for k, _h in HEADERS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(rows: list[dict[str, Any]], filename: str, query: Query) -> HttpResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Chỉ số")
    header = []
    for _key, text in HEADERS:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for key, _h in HEADERS:
            value = row[key]
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                cell.quotePrefix = True
                value = cell
            cells.append(value)
        ws.append(cells)
    notes = wb.create_sheet("Ghi chú")
    notes.append([f"Số liệu tính lúc {timezone.localtime():%d/%m/%Y %H:%M} từ hồ sơ đã ghi."])
    notes.append(
        [
            f"Số từ 1 đến {threshold() - 1} và các số có thể suy ra chúng được để trống "
            "(cột “Ẩn để bảo vệ danh tính”)."
        ]
    )
    notes.append(["Chỉ tính các vụ việc mà người bị bạo lực đồng ý dùng cho thống kê."])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
