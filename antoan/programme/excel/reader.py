"""Reading a filled-in spreadsheet: the workbook, its sheets and headers, and each cell's value.

Everything a person can get wrong is reported as a :class:`Problem` naming the sheet, the row
and the column as Excel shows them, in plain Vietnamese. Problems that make the rest of the
file meaningless (no data sheet, missing headers, too many rows) stop the reading at once with
:class:`Refused`; the others are collected so the person can fix them all in one go.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from antoan.core.dates import check_date_range
from antoan.core.text import search_key
from antoan.programme.excel.columns import (
    CELL_MAX,
    LIST_SEPARATOR,
    MARKER_NAME,
    MARKER_PREFIX,
    NO,
    SHEET_HELP,
    YES,
    Column,
    in_format_language,
    normalise_header,
)
from antoan.programme.files import IMPORT_ZIP, inspect_zip

# Problems listed before the report stops counting (the person fixes these, then re-uploads).
MAX_PROBLEMS = 500
# A template has fewer than 60 columns. A cell far to the right makes openpyxl hand back a row
# of 16,384 cells, and many such rows would keep a request busy for minutes: refused at once.
MAX_COLUMNS = 200
# Rows as Excel numbers them (blank ones included) before the reading stops: a few blank rows
# between blocks are normal; a cell on row 1,000,000 is not.
ROWS_PER_DATA_ROW = 5


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str


class Refused(Exception):
    """The file cannot be read as a template at all."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def refuse(message: str, sheet: str = "", row: int | None = None, column: str = "") -> Refused:
    return Refused([Problem(sheet, row, column, message)])


class CellError(ValueError):
    """A cell whose content is not what its column takes."""


@dataclass
class Row:
    number: int  # as Excel numbers it
    values: dict[str, Any]  # column key -> raw cell value (only non-empty cells)
    cells: dict[str, str] = field(default_factory=dict)  # column key -> "C5"
    broken: bool = False  # a cell of the row was refused while reading (a formula...)


@dataclass
class Sheet:
    name: str
    columns: list[Column]  # those present in the file, in the file's order
    rows: list[Row]
    problems: list[Problem]


def open_workbook(data: bytes) -> Workbook:
    """Open the bytes read-only, keeping formulas as formulas so they can be refused.

    The archive is inspected first (``files.inspect_zip`` with the import's bounds): a file
    that would unpack to more than an import can hold is refused before openpyxl reads a byte.
    """
    try:
        inspect_zip(zipfile.ZipFile(io.BytesIO(data)), IMPORT_ZIP)
    except ValidationError as exc:
        raise refuse(" ".join(exc.messages)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise refuse(
            _("Không đọc được tệp: tệp bị hỏng hoặc không phải tệp Excel (.xlsx).")
        ) from None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise refuse(
            _("Không đọc được tệp: tệp bị hỏng hoặc không phải tệp Excel (.xlsx).")
        ) from None


def template_kind(wb: Workbook) -> str | None:
    """The kind the template was made for, from its defined name or its instructions sheet."""
    text = ""
    defined = wb.defined_names.get(MARKER_NAME)
    if defined is not None:
        text = str(defined.attr_text or "").strip('"')
    elif SHEET_HELP in wb.sheetnames:
        for row in wb[SHEET_HELP].iter_rows(min_row=1, max_row=4, max_col=2, values_only=True):
            for value in row:
                if isinstance(value, str) and value.startswith(MARKER_PREFIX + ":"):
                    text = value
    parts = text.split(":")
    if len(parts) == 3 and parts[0] == MARKER_PREFIX:
        return parts[1]
    return None


def find_sheet(wb: Workbook, name: str) -> str | None:
    wanted = normalise_header(name)
    return next((n for n in wb.sheetnames if normalise_header(n) == wanted), None)


def read_sheet(
    wb: Workbook,
    name: str,
    columns: list[Column],
    *,
    max_rows: int,
    template: str,
    limits: dict[str, int] | None = None,
) -> Sheet | None:
    """The rows of sheet ``name``, or None when the workbook has no such sheet.

    ``limits``: the most characters a cell of each column may hold (``columns.cell_limits``);
    a longer cell is reported by its address and its row is not imported.
    """
    limits = limits or {}
    actual = find_sheet(wb, name)
    if actual is None:
        return None
    ws = wb[actual]
    ws.reset_dimensions()  # some programs write a wrong size; read what is really there
    by_header = {normalise_header(in_format_language(c.header)): c for c in columns}
    by_header.update(
        {normalise_header(in_format_language(a)): c for c in columns for a in c.aliases}
    )
    problems: list[Problem] = []
    positions: dict[int, Column] = {}
    rows: list[Row] = []
    count = 0
    last_row = max(max_rows * ROWS_PER_DATA_ROW, 1_000)
    for number, cells in enumerate(ws.iter_rows(), start=1):
        if number > last_row and cells:
            raise refuse(
                _(
                    "Trang “%(sheet)s” có ô ở dòng %(row)s; mẫu nhập chỉ đọc đến dòng %(max)s. "
                    "Hãy xoá các dòng thừa hoặc chia thành nhiều tệp nhỏ hơn."
                )
                % {"sheet": name, "row": f"{number:,}".replace(",", "."), "max": last_row},
                sheet=name,
            )
        if len(cells) > MAX_COLUMNS:
            raise refuse(
                _(
                    "Trang “%(sheet)s” có ô ở cột %(column)s, ngoài vùng của mẫu (tối đa "
                    "%(max)s cột). Hãy xoá các cột thừa bên phải."
                )
                % {"sheet": name, "column": get_column_letter(len(cells)), "max": MAX_COLUMNS},
                sheet=name,
                row=number,
            )
        if number == 1:
            positions = _headers(name, cells, by_header, columns, template)
            continue
        values: dict[str, Any] = {}
        where: dict[str, str] = {}
        broken = False
        for index, cell in enumerate(cells, start=1):
            value = cell.value
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            coordinate = f"{get_column_letter(index)}{number}"
            column = positions.get(index)
            header = in_format_language(column.header) if column else get_column_letter(index)
            if cell.data_type == "f":
                broken = True
                if len(problems) < MAX_PROBLEMS:
                    problems.append(
                        Problem(
                            name,
                            number,
                            header,
                            _(
                                "Ô %(cell)s có công thức (%(formula)s). Tệp nhập không được "
                                "chứa công thức: hãy chép rồi dán giá trị (Paste Values)."
                            )
                            % {"cell": coordinate, "formula": str(value)[:60]},
                        )
                    )
                continue
            if column is None:
                broken = True
                if len(problems) < MAX_PROBLEMS:
                    problems.append(
                        Problem(
                            name,
                            number,
                            header,
                            _("Ô %(cell)s có dữ liệu nhưng cột này không có tiêu đề trong mẫu.")
                            % {"cell": coordinate},
                        )
                    )
                continue
            limit = limits.get(column.key, CELL_MAX)
            if isinstance(value, str) and len(value) > limit:
                broken = True
                if len(problems) < MAX_PROBLEMS:
                    problems.append(
                        Problem(
                            name,
                            number,
                            header,
                            _(
                                "Ô %(cell)s dài %(length)s ký tự; cột “%(header)s” nhận tối đa "
                                "%(max)s ký tự."
                            )
                            % {
                                "cell": coordinate,
                                "length": f"{len(value):,}".replace(",", "."),
                                "header": header,
                                "max": f"{limit:,}".replace(",", "."),
                            },
                        )
                    )
                continue
            values[column.key] = value
            where[column.key] = coordinate
        if not values and not broken:
            continue
        count += 1
        if count > max_rows:
            raise refuse(
                _(
                    "Trang “%(sheet)s” có hơn %(max)s dòng dữ liệu; mỗi lần chỉ nhập được tối đa "
                    "%(max)s dòng. Hãy chia thành nhiều tệp nhỏ hơn."
                )
                % {"sheet": name, "max": f"{max_rows:,}".replace(",", ".")},
                sheet=name,
            )
        if values:
            rows.append(Row(number, values, where, broken))
    if not positions:
        raise refuse(
            _("Trang “%(sheet)s” trống: dòng 1 phải là dòng tiêu đề cột của mẫu.")
            % {"sheet": name},
            sheet=name,
        )
    present = [positions[i] for i in sorted(positions)]
    return Sheet(name, present, rows, problems)


def _headers(
    sheet: str,
    cells: tuple[Any, ...],
    by_header: dict[str, Column],
    columns: list[Column],
    template: str,
) -> dict[int, Column]:
    problems: list[Problem] = []
    positions: dict[int, Column] = {}
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells, start=1):
        if cell.value is None or not str(cell.value).strip():
            continue
        letter = get_column_letter(index)
        text = str(cell.value).strip()
        column = by_header.get(normalise_header(text))
        if cell.data_type == "f":
            problems.append(
                Problem(
                    sheet, 1, letter, _("Ô tiêu đề %(cell)s là công thức.") % {"cell": f"{letter}1"}
                )
            )
        elif column is None:
            problems.append(
                Problem(
                    sheet,
                    1,
                    shown(text),
                    _("Cột “%(header)s” (ô %(cell)s) không có trong mẫu %(template)s.")
                    % {"header": shown(text), "cell": f"{letter}1", "template": template},
                )
            )
        elif column.key in seen:
            problems.append(
                Problem(
                    sheet,
                    1,
                    text,
                    _("Cột “%(header)s” xuất hiện hai lần (ô %(first)s và %(cell)s).")
                    % {"header": text, "first": seen[column.key], "cell": f"{letter}1"},
                )
            )
        else:
            positions[index] = column
            seen[column.key] = f"{letter}1"
    problems.extend(
        Problem(
            sheet,
            1,
            in_format_language(column.header),
            _("Thiếu cột bắt buộc “%(header)s”. Hãy dùng mẫu tải từ hệ thống.")
            % {"header": in_format_language(column.header)},
        )
        for column in columns
        if column.required and column.key not in seen
    )
    if problems:
        raise Refused(problems)
    return positions


# --- Cells ------------------------------------------------------------------------------------

_DIGITS = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def as_int(value: Any, *, grouped: bool = False) -> int:
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if _DIGITS.match(text) or (grouped and _GROUPED.match(text)):
            number = int(re.sub(r"\D", "", text))
    if number is None:
        if isinstance(value, float):
            raise CellError(_("Phải là số nguyên, không có phần thập phân (%s).") % shown(value))
        raise CellError(_("Phải là số nguyên, không phải “%s”.") % shown(value))
    if number < 0:
        raise CellError(_("Không được là số âm (%s).") % number)
    return number


def as_date(value: Any) -> dt.date:
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        if m := _DATE.match(text):
            parts = (int(m[3]), int(m[2]), int(m[1]))
        elif m := _ISO.match(text):
            parts = (int(m[1]), int(m[2]), int(m[3]))
        else:
            parts = None
        if parts is not None:
            try:
                day = dt.date(*parts)
            except ValueError:
                day = None
    if day is None:
        raise CellError(
            _("Ngày không hợp lệ: “%s”. Hãy nhập dạng ngày/tháng/năm, ví dụ 10/11/2025.")
            % shown(as_text(value))
        )
    try:
        return check_date_range(day)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None


def as_score(value: Any) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        if isinstance(value, int | float):
            score = Decimal(str(value))
        else:
            score = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise CellError(_("Phải là một số từ 0 đến 100, không phải “%s”.") % shown(value)) from None
    if not score.is_finite() or not 0 <= score <= 100:
        raise CellError(_("Điểm tính theo phần trăm, từ 0 đến 100 (%s).") % shown(value))
    return score.quantize(Decimal("0.1"))


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = search_key(as_text(value))
    if key in ("co", "yes", "x", "1", "true"):
        return True
    if key in ("khong", "no", "0", "false"):
        return False
    raise CellError(_("Chỉ nhập “%(yes)s” hoặc “%(no)s”.") % {"yes": YES, "no": NO})


def choice_lookup(choices: type[TextChoices]) -> dict[str, str]:
    """Label (as written in the file, or without accents) and code -> code."""
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for code, label in choices.choices:
        vi = in_format_language(label)
        out[normalise_header(vi)] = code
        out[normalise_header(code)] = code
        loose = search_key(vi)
        if loose in out and out[loose] != code:
            ambiguous.add(loose)
        out.setdefault(loose, code)
    for key in ambiguous:
        out.pop(key, None)
    return out


def as_choice(value: Any, lookup: dict[str, str]) -> str:
    text = as_text(value)
    code = lookup.get(normalise_header(text)) or lookup.get(search_key(text))
    if code is None:
        raise CellError(_("“%s” không có trong danh sách chọn của cột này.") % shown(text))
    return code


def split_list(value: Any) -> list[str]:
    return [part.strip() for part in as_text(value).split(LIST_SEPARATOR) if part.strip()]


def as_choices(value: Any, lookup: dict[str, str]) -> list[str]:
    codes, unknown = [], []
    for part in split_list(value):
        code = lookup.get(normalise_header(part)) or lookup.get(search_key(part))
        if code is None:
            unknown.append(part)
        else:
            codes.append(code)
    if unknown:
        raise CellError(
            _(
                "Không có trong danh sách: %(values)s. Chọn trong danh sách; nhiều giá trị thì "
                "cách nhau bằng dấu chấm phẩy (;)."
            )
            % {"values": "; ".join(f"“{shown(u)}”" for u in unknown)}
        )
    return list(dict.fromkeys(codes))
