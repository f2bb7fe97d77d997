"""Circular 07/2017/TT-BVHTTDL's annual statistics of domestic violence, as a workbook.

One sheet per table of ``tables.py`` (incidents by form; victims by form; perpetrators by
relationship; perpetrators by measure applied; victims by support received), each by sex and
by age (under 16, 60 and over), then a sheet of definitions. Headers are Vietnamese whatever
the caller's language: the form is a Vietnamese official one. A hidden cell reads "ẩn", never a
number.
"""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from antoan.places.models import Place
from antoan.reports.exports.common import HIDDEN, XLSX, Export, below
from antoan.reports.exports.tables import Table, build_tables

SOURCE = "Thông tư 07/2017/TT-BVHTTDL (chế độ báo cáo thống kê về gia đình)"


def workbook(province: Place, year: int, tables: dict[str, Table]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables.values():
        ws = wb.create_sheet(table.code)
        ws.append([f"Biểu {table.code}. {table.title}"])
        ws["A1"].font = Font(bold=True)
        ws.append([f"{province.name} – năm {year}. Đơn vị tính: {table.unit}."])
        ws.append([])
        ws.append(["Chỉ tiêu", *[label for _key, label in table.columns]])
        for cell in ws[4]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for row, label in table.rows:
            shown = [table.value(row, col) for col, _l in table.columns]
            ws.append([label, *[HIDDEN if v is None else v for v in shown]])
        ws.column_dimensions["A"].width = 55
    notes = wb.create_sheet("Ghi chú")
    notes.append([f"Theo biểu mẫu của {SOURCE}; đối chiếu với văn bản hiện hành trước khi nộp."])
    notes.append(
        [
            f"Số liệu tính lúc {timezone.localtime():%d/%m/%Y %H:%M} từ hồ sơ ca đã ghi, "
            f"năm dương lịch {year}."
        ]
    )
    notes.append(["Chỉ tính các vụ việc mà người bị bạo lực đồng ý dùng cho thống kê."])
    notes.append(
        [
            f"“{HIDDEN}”: số từ 1 đến {below() - 1}, hoặc số có thể dùng để suy ra một số như "
            "vậy (từ tổng trừ đi các ô khác), được ẩn để bảo vệ danh tính."
        ]
    )
    notes.append([])
    for table in tables.values():
        notes.append([f"{table.code}. {table.title}", table.definition])
    notes.column_dimensions["A"].width = 70
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def circular07_xlsx(province: Place, year: int) -> Export:
    content = workbook(province, year, build_tables(province, year))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return Export(content, f"tt07-bao-luc-gia-dinh-{province.code}-{year}-{stamp}.xlsx", XLSX)
