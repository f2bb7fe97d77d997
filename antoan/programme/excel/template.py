"""The downloadable template of one activity kind: data sheets with drop-down lists, a hidden
sheet of the lists' values, and an instructions sheet in plain words."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from antoan.programme import services
from antoan.programme.choices import ActivityKind
from antoan.programme.excel import columns as cols
from antoan.programme.models import CommunityModel, Plan

REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"
MODEL_SEPARATOR = " – "


def model_label(model: CommunityModel) -> str:
    return f"{model.pk}{MODEL_SEPARATOR}{model.name}"


def choice_labels(choices: type[TextChoices]) -> list[str]:
    return [cols.in_format_language(label) for label in choices.labels]


class Lists:
    """The hidden sheet that drop-down lists point at, one column per list."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.refs: dict[str, str] = {}

    def ref(self, name: str, values: list[str]) -> str | None:
        if not values:
            return None
        if name not in self.refs:
            index = len(self.refs) + 1
            letter = get_column_letter(index)
            self.ws.cell(row=1, column=index, value=name).font = BOLD
            for row, value in enumerate(values, start=2):
                self.ws.cell(row=row, column=index, value=value)
            self.ws.column_dimensions[letter].width = 40
            last = len(values) + 1
            self.refs[name] = f"{quote_sheetname(cols.SHEET_LISTS)}!${letter}$2:${letter}${last}"
        return self.refs[name]


def _list_validation(ref: str, *, strict: bool) -> DataValidation:
    dv = DataValidation(type="list", formula1=ref, allow_blank=True)
    dv.showErrorMessage = strict
    dv.errorTitle = _("Giá trị không có trong danh sách")[:32]
    dv.error = _("Hãy chọn một giá trị trong danh sách.")
    return dv


def _validation(
    column: cols.Column, lists: Lists, context: dict[str, Any]
) -> DataValidation | None:
    kind = column.datatype
    if kind in ("choice", "choices") and column.choices is not None:
        ref = lists.ref(cols.in_format_language(column.header), choice_labels(column.choices))
        return _list_validation(ref, strict=kind == "choice") if ref else None
    if kind == "bool":
        return _list_validation(lists.ref("Có/Không", [cols.YES, cols.NO]) or "", strict=True)
    if kind == "tasks":
        ref = lists.ref(cols.in_format_language(column.header), context["task_codes"])
        # Several codes may go in one cell, so the list helps without forbidding.
        return _list_validation(ref, strict=False) if ref else None
    if kind == "model":
        ref = lists.ref(cols.in_format_language(column.header), context["model_labels"])
        return _list_validation(ref, strict=True) if ref else None
    if kind in ("int", "money"):
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        dv.error = _("Hãy nhập một số nguyên không âm.")
    elif kind == "score":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        dv.error = _("Hãy nhập một số từ 0 đến 100.")
    else:
        return None
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = _("Giá trị không hợp lệ")[:32]
    return dv


def write_data_sheet(
    ws: Worksheet,
    columns: list[cols.Column],
    lists: Lists,
    context: dict[str, Any],
    max_rows: int,
) -> None:
    """Headers, widths, formats and validations of one data sheet."""
    last_row = max_rows + 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=cols.in_format_language(column.header))
        cell.font = BOLD
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.help:
            note = Comment(str(column.help), "An Toàn")
            note.width, note.height = 300, 120
            cell.comment = note
        ws.column_dimensions[letter].width = column.width
        number_format = {"date": DATE_FORMAT, "place": TEXT_FORMAT, "tasks": TEXT_FORMAT}.get(
            column.datatype, TEXT_FORMAT if column.key == "ref" else None
        )
        if number_format:
            # Formats the empty cells people will type into; the import reads either way.
            ws.column_dimensions[letter].number_format = number_format
        dv = _validation(column, lists, context)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 48
    ws.freeze_panes = "A2"


def write_help(
    ws: Worksheet,
    *,
    kind: str,
    plan: Plan,
    sheets: list[tuple[str, list[cols.Column]]],
    max_rows: int,
) -> None:
    period = f"{date_format(plan.period_start, 'd/m/Y')} - {date_format(plan.period_end, 'd/m/Y')}"
    every = kind == cols.ALL_KINDS
    label = _("mọi loại hoạt động") if every else ActivityKind(kind).label
    ws["A1"] = _("Mẫu nhập hoạt động: %(kind)s") % {"kind": label}
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws["B2"] = _("Mã mẫu (không sửa)"), cols.marker(kind)
    ws["A3"], ws["B3"] = _("Kế hoạch"), f"{plan.number}: {plan.title} ({period})"
    ws["A4"], ws["B4"] = _("Ngày tải mẫu"), date_format(timezone.localdate(), "d/m/Y")
    lines = [
        _(
            "Mỗi dòng của trang “%(sheet)s” là một hoạt động. Dòng 1 là tiêu đề cột: không sửa, "
            "không xóa, không đổi tên trang."
        )
        % {"sheet": cols.SHEET_DATA},
        _(
            "Cột tô màu cam là bắt buộc; cột màu xanh nhập nếu có. Di chuột lên tiêu đề cột để "
            "xem cách nhập."
        ),
        _(
            "Ngày nhập theo dạng ngày/tháng/năm, ví dụ 10/11/2025. Ngày phải nằm trong thời gian "
            "thực hiện kế hoạch (%(period)s) và không ở tương lai."
        )
        % {"period": period},
        _(
            "Mã nhiệm vụ là mục của kế hoạch %(plan)s, đúng như kế hoạch đánh số (ví dụ II.3.a). "
            "Nhiều giá trị trong một ô thì cách nhau bằng dấu chấm phẩy (;)."
        )
        % {"plan": plan.number},
        _("Cơ quan tổ chức là cơ quan của người tải tệp lên; kế hoạch được chọn ở trang tải lên."),
        _("Số người tham gia: nữ + nam + khác phải bằng tổng số."),
        _(
            "Không dùng công thức: nếu đã tính bằng công thức, hãy chép rồi dán giá trị (Paste "
            "Values). Mỗi lần tải lên tối đa %(max)s dòng."
        )
        % {"max": f"{max_rows:,}".replace(",", ".")},
        _(
            "Nếu có bất kỳ dòng nào sai, cả tệp không được nhập: hệ thống báo từng dòng, từng "
            "cột cần sửa. Sửa xong thì tải lên lại cả tệp."
        ),
        _(
            "Tải lên lại cùng một tệp không tạo hoạt động trùng: các dòng đã nhập được báo là "
            "“đã có, bỏ qua”. Dòng đã sửa nội dung được coi là hoạt động mới; muốn sửa hoạt "
            "động đã nhập, hãy sửa trên trang của hoạt động đó."
        ),
        _("Không ghi thông tin về người bị bạo lực vào tệp này."),
    ]
    if every:
        lines.insert(
            1,
            _(
                "Cột “%(column)s”: chọn loại của từng dòng. Mỗi loại có thêm vài cột riêng (bảng "
                "“Cột riêng của từng loại” bên dưới); cột của loại khác để trống."
            )
            % {"column": cols.in_format_language(cols.KIND.header)},
        )
    if kind in (ActivityKind.TRAINING, cols.ALL_KINDS):
        lines.append(
            _(
                "Trang “%(sheet)s”: mỗi dòng một học viên; cột Mã dòng hoạt động ghi Mã dòng của "
                "khóa tập huấn. Nếu có danh sách, số học viên nữ, nam phải khớp số người tham gia "
                "(bỏ trống tổng số thì hệ thống đếm từ danh sách)."
            )
            % {"sheet": cols.SHEET_TRAINEES}
        )
    if kind in (ActivityKind.INSPECTION, cols.ALL_KINDS):
        lines.append(
            _(
                "Trang “%(sheet)s”: mỗi dòng một kiến nghị của đoàn kiểm tra; cột Mã dòng hoạt "
                "động ghi Mã dòng của cuộc kiểm tra."
            )
            % {"sheet": cols.SHEET_RECOMMENDATIONS}
        )
    row = 6
    ws.cell(row=row, column=1, value=_("Cách nhập")).font = BOLD
    for number, line in enumerate(lines, start=1):
        row += 1
        ws.cell(row=row, column=1, value=f"{number}. {line}")
    if every:
        row += 2
        ws.cell(row=row, column=1, value=_("Cột riêng của từng loại")).font = BOLD
        required = services.KIND_REQUIRED
        for activity_kind in ActivityKind:
            names = services.KIND_FIELDS.get(activity_kind, {})
            row += 1
            ws.cell(row=row, column=1, value=cols.in_format_language(activity_kind.label))
            text = "; ".join(
                cols.in_format_language(cols.KIND_COLUMNS[n].header)
                + (f" ({_('bắt buộc')})" if n in required.get(activity_kind, []) else "")
                for n in names
            )
            help_cell = ws.cell(row=row, column=3, value=text or _("Không có cột riêng."))
            help_cell.alignment = Alignment(wrap_text=True, vertical="top")
    for name, columns in sheets:
        row += 2
        ws.cell(row=row, column=1, value=_("Các cột của trang “%s”") % name).font = BOLD
        row += 1
        for index, title in enumerate([_("Cột"), _("Bắt buộc"), _("Cách nhập")], start=1):
            ws.cell(row=row, column=index, value=title).font = BOLD
        for column in columns:
            row += 1
            ws.cell(row=row, column=1, value=cols.in_format_language(column.header))
            ws.cell(row=row, column=2, value=_("Có") if column.required else "")
            help_cell = ws.cell(row=row, column=3, value=str(column.help))
            help_cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 90


def build_template(*, kind: str, plan: Plan, models: list[CommunityModel], max_rows: int) -> bytes:
    """The .xlsx template of ``kind`` (or ``columns.ALL_KINDS``) for ``plan``, as bytes."""
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = cols.SHEET_HELP
    sheets = [(cols.SHEET_DATA, cols.template_columns(kind)), *cols.child_sheets(kind)]
    data_sheets = [wb.create_sheet(name) for name, _columns in sheets]
    lists_ws = wb.create_sheet(cols.SHEET_LISTS)
    lists_ws.sheet_state = "hidden"
    lists = Lists(lists_ws)
    context = {
        "task_codes": list(plan.tasks.order_by("order").values_list("code", flat=True)),
        "model_labels": [model_label(m) for m in models],
    }
    for ws, (_name, columns) in zip(data_sheets, sheets, strict=True):
        write_data_sheet(ws, columns, lists, context, max_rows)
    write_help(help_ws, kind=kind, plan=plan, sheets=sheets, max_rows=max_rows)
    wb.defined_names[cols.MARKER_NAME] = DefinedName(
        cols.MARKER_NAME, attr_text=f'"{cols.marker(kind)}"'
    )
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
