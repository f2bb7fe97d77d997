"""Exporting a filtered list of activities to Excel, in the template's columns, so the file
reads back with the same headers and the same cell formats."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from antoan.cases.choices import Sex
from antoan.programme import selectors, services
from antoan.programme.choices import ActivityKind, RecommendationStatus, TargetGroup
from antoan.programme.excel import columns as cols
from antoan.programme.excel.template import DATE_FORMAT, model_label
from antoan.programme.models import Activity, Task

FLAG_LABELS = {
    services.FLAG_NOT_ASSIGNED: _("Cơ quan tổ chức không có tên trong phân công của nhiệm vụ"),
}
# Tab and carriage return too: a spreadsheet may drop them and run what follows.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FILTER_KEYS = ("plan", "task", "kind", "agency", "place", "year", "q", "flagged")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def filter_from_query(user: Any, query: Mapping[str, str]) -> selectors.ActivityFilter:
    """The activity list page's filters, from its query string. Values that name nothing the
    user may see are ignored, as the list page ignores them."""
    f = selectors.ActivityFilter()
    plan_id = _int(query.get("plan"))
    if plan_id is not None:
        f.plan = selectors.plan_list(user).filter(pk=plan_id).first()
    code = (query.get("task") or "").strip()
    within = f.plan or (selectors.plan_current(user) if code else None)
    if code and within is not None:
        f.task = within.tasks.filter(code=code).first()
    kind = query.get("kind") or ""
    f.kind = kind if kind in ActivityKind.values else ""
    f.agency_id = _int(query.get("agency"))
    f.place_code = (query.get("place") or "").strip()[:10]
    f.year = _int(query.get("year"))
    f.q = (query.get("q") or "").strip()[:100]
    f.flagged = (query.get("flagged") or "").lower() in ("1", "on", "true", "yes")
    return f


def export_queryset(user: Any, f: selectors.ActivityFilter) -> QuerySet[Activity]:
    return (
        selectors.activity_filter(selectors.activity_list(user), f)
        .select_related("community_model")
        .prefetch_related(
            Prefetch("tasks", queryset=Task.objects.order_by("order")),
            "spending",
            "trainees",
            "recommendations",
        )
        .order_by("start_date", "pk")
    )


def vi_label(choices: type[TextChoices], value: str) -> str:
    return cols.in_format_language(choices(value).label) if value else ""


def activity_values(a: Activity) -> dict[str, Any]:
    """One activity as the cells of its row, keyed by column key."""
    own = services.KIND_FIELDS.get(a.kind, {})
    values: dict[str, Any] = {
        "ref": a.pk,
        "kind": vi_label(ActivityKind, a.kind),
        "plan": a.plan.number,
        "agency": a.agency.name,
        "title": a.title,
        "tasks": f"{cols.LIST_SEPARATOR} ".join(t.code for t in a.tasks.all()),
        "place": a.place.code,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "target_groups": f"{cols.LIST_SEPARATOR} ".join(
            vi_label(TargetGroup, g) for g in a.target_groups
        ),
        "participants_total": a.participants_total,
        "participants_female": a.participants_female,
        "participants_male": a.participants_male,
        "participants_other": a.participants_other,
        "partners_other": a.partners_other,
        "description": a.description,
        "flags": f"{cols.LIST_SEPARATOR} ".join(
            str(FLAG_LABELS.get(flag, flag)) for flag in a.flags
        ),
    }
    for column in cols.COMMON:
        if column.key.startswith("age_"):
            values[column.key] = getattr(a, column.key)
    for spent in a.spending.all():
        values[f"spending:{spent.source}"] = spent.amount
    for name in own:
        column = cols.KIND_COLUMNS[name]
        value = getattr(a, name)
        if column.datatype == "choice" and column.choices is not None:
            value = vi_label(column.choices, value)
        elif column.datatype == "bool":
            value = cols.YES if value else cols.NO
        elif column.datatype == "model":
            value = model_label(value) if value else None
        values[name] = value
    return values


def safe_cell(ws: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> Any:
    """One cell of an export. Text that a spreadsheet would read as a formula ("=", "+", "-",
    "@" first) is stored as text and marked as such, so it stays text even when the cell is
    edited: what a person typed must never run as a formula in someone else's Excel."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = number_format
        return cell
    return value if value != "" else None


def write_sheet(
    wb: Workbook,
    name: str,
    columns: list[cols.Column],
    rows: Iterable[dict],
    number_formats: Mapping[str, str] | None = None,
) -> None:
    """A sheet of ``rows`` (dicts keyed by column key) under bold Vietnamese headers.
    ``number_formats`` maps a column's datatype to the number format of its cells."""
    ws = wb.create_sheet(name)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=cols.in_format_language(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    formats = [(number_formats or {}).get(c.datatype) for c in columns]
    for values in rows:
        ws.append(
            [safe_cell(ws, values.get(c.key), f) for c, f in zip(columns, formats, strict=True)]
        )


def _trainees(activities: list[Activity]) -> Iterable[dict]:
    for a in activities:
        for t in a.trainees.all():
            yield {
                "ref": a.pk,
                "full_name": t.full_name,
                "sex": vi_label(Sex, t.sex),
                "position": t.position,
                "agency_name": t.agency_name,
                "pre_score": t.pre_score,
                "post_score": t.post_score,
            }


def _recommendations(activities: list[Activity]) -> Iterable[dict]:
    for a in activities:
        for r in a.recommendations.all():
            yield {
                "ref": a.pk,
                "text": r.text,
                "responsible": r.responsible,
                "due_date": r.due_date,
                "status": vi_label(RecommendationStatus, r.status),
                "follow_up": r.follow_up,
            }


def build_export(activities: Iterable[Activity]) -> tuple[bytes, int]:
    """The .xlsx of ``activities`` and how many rows it holds."""
    rows = list(activities)
    wb = Workbook(write_only=True)
    write_sheet(wb, cols.SHEET_DATA, cols.export_columns(), (activity_values(a) for a in rows))
    write_sheet(wb, cols.SHEET_TRAINEES, cols.TRAINEE_COLUMNS, _trainees(rows))
    write_sheet(wb, cols.SHEET_RECOMMENDATIONS, cols.RECOMMENDATION_COLUMNS, _recommendations(rows))
    wb.defined_names[cols.MARKER_NAME] = DefinedName(
        cols.MARKER_NAME, attr_text=f'"{cols.marker(cols.EXPORT_KIND)}"'
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(rows)
