"""The dashboard's figures as files: every indicator for the province, then every commune's,
under Vietnamese headers whatever the page's language (as the programme's exports), text that
a spreadsheet would run as a formula kept as text."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from antoan.indicators.selectors.breakdowns import category_labels
from antoan.indicators.selectors.values import Calculator, Value, threshold
from antoan.indicators.suppression import TOTAL
from antoan.indicators.templatetags.indicators import figure
from antoan.programme.excel.export import FORMULA_PREFIXES, safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def rows(calc: Calculator) -> list[dict[str, Any]]:
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


def as_csv(table: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with its byte-order mark as UTF-8
    writer = csv.writer(buffer)
    writer.writerow([header for _key, header in HEADERS])
    for row in table:
        writer.writerow([_neutral(row[key]) for key, _header in HEADERS])
    return buffer.getvalue()


def _neutral(value: Any) -> Any:
    """A CSV cell cannot be marked as text: a quote in front keeps a formula from running."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def as_xlsx(table: list[dict[str, Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Chỉ số")
    header = []
    for _key, text in HEADERS:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in table:
        ws.append([safe_cell(ws, row[key]) for key, _header in HEADERS])
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
    return out.getvalue()
