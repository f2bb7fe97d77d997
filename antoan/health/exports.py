"""The monthly report as a spreadsheet: the same figures as the page, hidden ones empty,
Vietnamese headers, text that a spreadsheet would run as a formula kept as text."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from antoan.health.selectors import Figure, Report, threshold
from antoan.programme.excel.export import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["Địa bàn, cơ sở", "Năm", "Tháng", "Chỉ tiêu", "Phân tổ", "Số lượt", "Ẩn"]


def rows(report: Report) -> list[list[Any]]:
    def row(month: Any, what: str, category: str, figure: Figure) -> list[Any]:
        return [
            report.place_name,
            report.year,
            month,
            what,
            category,
            figure.shown,
            "có" if figure.hidden else "",
        ]

    out = [row("", "Tổng số lượt trong năm", "", report.year_total)]
    out += [row(m, "Tổng số lượt", "", figure) for m, figure in report.months]
    for _dim, label, figures in report.breakdowns:
        out += [row(report.month, str(label), str(cat_label), f) for _c, cat_label, f in figures]
    return out


def as_xlsx(report: Report) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Lượt tiếp nhận")
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for values in rows(report):
        ws.append([safe_cell(ws, v) for v in values])
    notes = wb.create_sheet("Ghi chú")
    notes.append([f"Số liệu tính lúc {timezone.localtime():%d/%m/%Y %H:%M}."])
    notes.append(
        [f"Số từ 1 đến {threshold() - 1} và các số có thể suy ra chúng được để trống (cột “Ẩn”)."]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
