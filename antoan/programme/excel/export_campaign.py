"""A campaign's report as Excel: the totals against the year before, then the figures by
agency and by place. Built with the other exports' helpers (``write_sheet``, ``safe_cell``):
Vietnamese headers whatever the page's language, text that looks like a formula kept as text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from antoan.programme.excel import columns as cols
from antoan.programme.excel.export import write_sheet
from antoan.programme.excel.export_lists import NUMBER_FORMATS, _workbook_bytes
from antoan.programme.selectors.campaigns import CampaignReport, Figures, ReportLine

Column = cols.Column

SHEET_SUMMARY = "Tổng hợp"
SHEET_BY_AGENCY = "Theo cơ quan"
SHEET_BY_PLACE = "Theo địa bàn"

# (key on Figures, label): the report's figures, in the order of the report.
FIGURES = [
    ("activities", _("Số hoạt động")),
    ("people", _("Số người được tiếp cận")),
    ("female", _("Nữ")),
    ("male", _("Nam")),
    ("other", _("Khác, không rõ")),
    ("materials_produced", _("Sản phẩm truyền thông sản xuất")),
    ("materials_distributed", _("Sản phẩm truyền thông phát hành")),
    ("spent", _("Kinh phí đã chi (đồng)")),
]

SUMMARY_COLUMNS = [
    Column("label", _("Chỉ tiêu"), "text", width=36),
    Column("current", _("Năm nay"), "money", width=18),
    Column("previous", _("Năm trước"), "money", width=18),
    Column("change", _("Tăng, giảm"), "money", width=18),
]


def _figure_columns(first: Column) -> list[Column]:
    return [
        first,
        *(
            Column(key, label, "money" if key == "spent" else "int", width=16)
            for key, label in FIGURES
        ),
        Column("planned_items", _("Hoạt động dự kiến"), "int", width=14),
        Column("planned_people", _("Số người dự kiến"), "int", width=14),
        Column("planned_budget", _("Kinh phí dự kiến (đồng)"), "money", width=18),
    ]


AGENCY_COLUMNS = _figure_columns(Column("label", _("Cơ quan"), "text", width=40))
PLACE_COLUMNS = [
    Column("code", _("Mã địa bàn"), "place", width=12),
    *_figure_columns(Column("label", _("Địa bàn"), "text", width=30))[:9],
]


def _line_values(line: ReportLine) -> dict[str, Any]:
    values: dict[str, Any] = {"label": line.label, "code": line.key}
    values.update({key: getattr(line.figures, key) for key, _label in FIGURES})
    values.update(
        planned_items=line.planned_items,
        planned_people=line.planned_people,
        planned_budget=line.planned_budget,
    )
    return values


def summary_rows(report: CampaignReport) -> list[dict[str, Any]]:
    previous: Figures | None = report.previous
    rows = []
    for key, label in FIGURES:
        current = getattr(report.totals, key)
        before = getattr(previous, key) if previous is not None else None
        rows.append(
            {
                "label": cols.in_format_language(label),
                "current": current,
                "previous": before,
                "change": current - before if before is not None else None,
            }
        )
    return rows


def build_campaign_export(report: CampaignReport) -> tuple[bytes, int]:
    """The .xlsx of the report and how many agency and place rows it holds."""
    wb = Workbook(write_only=True)
    write_sheet(wb, SHEET_SUMMARY, SUMMARY_COLUMNS, summary_rows(report), NUMBER_FORMATS)
    write_sheet(
        wb,
        SHEET_BY_AGENCY,
        AGENCY_COLUMNS,
        (_line_values(line) for line in report.by_agency),
        NUMBER_FORMATS,
    )
    write_sheet(
        wb,
        SHEET_BY_PLACE,
        PLACE_COLUMNS,
        (_line_values(line) for line in report.by_place),
        NUMBER_FORMATS,
    )
    return _workbook_bytes(wb), len(report.by_agency) + len(report.by_place)
