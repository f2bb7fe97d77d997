"""The consolidated report's annex in Excel: every table of the report, one sheet each, with
Vietnamese headers and the raw numbers (not formatted text), text that looks like a formula
kept as text (``programme.excel.export.safe_cell``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from antoan.indicators.models import Unit
from antoan.indicators.selectors.values import threshold
from antoan.programme.excel import columns as cols
from antoan.programme.excel.export import write_sheet
from antoan.programme.excel.export_lists import NUMBER_FORMATS, _workbook_bytes
from antoan.reports.documents.common import task_label
from antoan.reports.documents.consolidated import Consolidated, FigureTable, consolidated_data
from antoan.reports.models import Cycle

Column = cols.Column

SHEET_COMPLETENESS = "Tình hình báo cáo"
SHEET_AGENCIES = "Cơ quan báo cáo"
SHEET_ACTIVITIES = "Hoạt động"
SHEET_BUDGET = "Kinh phí"
SHEET_CASES = "Vụ việc"
SHEET_INDICATORS = "Chỉ số"
SHEET_SECTIONS = "Theo nhiệm vụ"

COMPLETENESS_COLUMNS = [
    Column("label", _("Tình hình báo cáo"), "text", width=36),
    Column("count", _("Số cơ quan, địa phương"), "int", width=22),
]
AGENCY_COLUMNS = [
    Column("agency", _("Cơ quan, địa phương"), "text", width=48),
    Column("required", _("Phải báo cáo"), "text", width=14),
    Column("status", _("Tình trạng"), "text", width=26),
    Column("submitted_at", _("Ngày nộp"), "date", width=14),
    Column("late", _("Nộp muộn"), "text", width=12),
]
CASE_COLUMNS = [
    Column("label", _("Nội dung"), "text", width=48),
    Column("value", _("Số lượng"), "int", width=14),
    Column("note", _("Ghi chú"), "text", width=40),
]
INDICATOR_COLUMNS = [
    Column("code", _("Mã chỉ số"), "text", width=10),
    Column("name", _("Chỉ số"), "text", width=60),
    Column("unit", _("Đơn vị"), "text", width=10),
    Column("value", _("Kết quả"), "percent", width=12),
    Column("numerator", _("Tử số"), "percent", width=12),
    Column("denominator", _("Mẫu số"), "percent", width=12),
    Column("target", _("Chỉ tiêu"), "percent", width=12),
    Column("comparison", _("So sánh"), "text", width=10),
    Column("target_year", _("Năm chỉ tiêu"), "int", width=12),
    Column("assessment", _("Đánh giá"), "text", width=22),
    Column("suppressed", _("Đã ẩn số nhỏ"), "text", width=14),
    Column("note", _("Ghi chú"), "text", width=20),
]
SECTION_COLUMNS = [
    Column("section", _("Nhóm nhiệm vụ"), "text", width=10),
    Column("code", _("Mục"), "text", width=12),
    Column("task", _("Nhiệm vụ"), "text", width=60),
    Column("activities", _("Số hoạt động"), "int", width=14),
    Column("participants", _("Lượt người tham gia"), "int", width=18),
    Column("female", _("Trong đó nữ"), "int", width=14),
    Column("spent", _("Kinh phí đã chi (đồng)"), "money", width=20),
]


def _yes(value: bool) -> str:
    return str(_("Có")) if value else ""


def _figure_columns(first: Any, table: FigureTable) -> list[Column]:
    money = table.key == "budget"
    return [
        Column("label", first, "text", width=44),
        *(
            Column(key, label, "money" if money else "int", width=20)
            for key, label in table.columns
        ),
    ]


def _figure_rows(table: FigureTable) -> list[dict[str, Any]]:
    rows = [{"label": label, **cells} for _k, label, cells in table.rows]
    rows.append({"label": str(_("Tổng cộng")), **table.total})
    return rows


def completeness_rows(data: Consolidated) -> list[dict[str, Any]]:
    c = data.completeness
    return [
        {"label": str(_("Phải báo cáo")), "count": c.required},
        {"label": str(_("Đã nộp đúng hạn")), "count": c.on_time},
        {"label": str(_("Nộp muộn")), "count": c.late},
        {"label": str(_("Bị trả lại, chưa nộp lại")), "count": c.returned},
        {"label": str(_("Chưa báo cáo")), "count": c.missing},
    ]


def agency_rows(data: Consolidated) -> list[dict[str, Any]]:
    return [
        {
            "agency": r.agency.name,
            "required": _yes(r.required),
            "status": r.label,
            "submitted_at": timezone.localtime(r.submitted_at).date() if r.submitted_at else None,
            "late": _yes(r.late),
        }
        for r in data.completeness.rows
    ]


def case_rows(data: Consolidated) -> list[dict[str, Any]]:
    hidden = str(_("Dưới %(n)s hoặc có thể làm lộ số nhỏ: đã ẩn")) % {"n": threshold()}
    return [
        {"label": label, "value": cells["value"], "note": hidden if cells["value"] is None else ""}
        for _k, label, cells in data.cases.rows
    ]


def _unit(unit: str) -> str:
    return str(Unit(unit).label) if unit in Unit.values else unit


def indicator_rows(data: Consolidated) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "unit": _unit(r.unit),
            "value": r.value,
            "numerator": r.numerator,
            "denominator": r.denominator,
            "target": r.target,
            "comparison": r.comparison,
            "target_year": r.target_year,
            "assessment": r.assessment,
            "suppressed": _yes(r.suppressed),
            "note": r.note,
        }
        for r in data.indicators
    ]


def section_rows(data: Consolidated) -> list[dict[str, Any]]:
    rows = []
    for table in data.sections:
        for task, f in [*table.rows, (table.task, table.total)]:
            is_total = task.pk == table.task.pk
            rows.append(
                {
                    "section": table.task.code,
                    "code": task.code,
                    "task": (str(_("Cộng: ")) + task.label) if is_total else task_label(task, 300),
                    "activities": f.activities,
                    "participants": f.participants,
                    "female": f.female,
                    "spent": f.spent,
                }
            )
    return rows


def build_annex(data: Consolidated) -> bytes:
    wb = Workbook(write_only=True)
    write_sheet(wb, SHEET_COMPLETENESS, COMPLETENESS_COLUMNS, completeness_rows(data))
    write_sheet(wb, SHEET_AGENCIES, AGENCY_COLUMNS, agency_rows(data))
    for name, table, first in (
        (SHEET_ACTIVITIES, data.activities, _("Loại hoạt động")),
        (SHEET_BUDGET, data.budget, _("Nguồn kinh phí")),
    ):
        write_sheet(wb, name, _figure_columns(first, table), _figure_rows(table), NUMBER_FORMATS)
    write_sheet(wb, SHEET_CASES, CASE_COLUMNS, case_rows(data))
    write_sheet(wb, SHEET_INDICATORS, INDICATOR_COLUMNS, indicator_rows(data))
    write_sheet(wb, SHEET_SECTIONS, SECTION_COLUMNS, section_rows(data), NUMBER_FORMATS)
    # One sheet per group of tasks as well, for those who print a section.
    for table in data.sections:
        rows = [r for r in section_rows(data) if r["section"] == table.task.code]
        write_sheet(wb, _sheet_name(table.task.code), SECTION_COLUMNS, rows, NUMBER_FORMATS)
    return _workbook_bytes(wb)


def _sheet_name(code: str) -> str:
    clean = "".join(ch for ch in code if ch not in "[]:*?/\\'")
    return (str(_("Mục ")) + clean)[:31]


def consolidated_xlsx(cycle: Cycle, *, user: Any = None) -> bytes:
    """The annex of the consolidated report (.xlsx), in Vietnamese whatever the page's
    language."""
    with translation.override(settings.LANGUAGE_CODE):
        return build_annex(consolidated_data(cycle, user=user))
