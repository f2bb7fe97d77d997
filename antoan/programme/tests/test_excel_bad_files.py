"""Files that are not a usable template are refused whole, with a report that says why, and
nothing is imported: another sheet, missing headers, too many rows, formulas, macros, files
that are not Excel at all."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.utils import translation

from antoan.programme.models import Activity
from antoan.programme.tests.test_excel_import import (
    COMMUNICATION_ROW,
    fill,
    problems,
    refused,
    template,
    upload,
    write_rows,
)


@pytest.fixture
def reporter(cast, plan64, client_for):
    return client_for(cast["reporter1"])


# --- Files that are not a usable template: refused whole --------------------------------------


def test_a_file_without_the_data_sheet_is_refused(reporter, plan64):
    wb = openpyxl.load_workbook(io.BytesIO(template(reporter, "communication", plan64)))
    wb["Hoạt động"].title = "Sheet1"
    write_rows(wb["Sheet1"], [COMMUNICATION_ROW])
    out = io.BytesIO()
    wb.save(out)

    message = refused(upload(reporter, out.getvalue(), kind="communication", plan=plan64))
    assert "Không có trang tính “Hoạt động”" in message and "Sheet1" in message


def test_a_sheet_missing_a_required_header_is_refused(reporter, plan64):
    wb = openpyxl.load_workbook(io.BytesIO(template(reporter, "communication", plan64)))
    write_rows(wb["Hoạt động"], [COMMUNICATION_ROW])
    wb["Hoạt động"].delete_cols(2)  # "Tên hoạt động"
    out = io.BytesIO()
    wb.save(out)

    message = refused(upload(reporter, out.getvalue(), kind="communication", plan=plan64))
    assert "Thiếu cột bắt buộc “Tên hoạt động”" in message


def test_rows_beyond_the_limit_are_refused(reporter, plan64, settings):
    from antoan.programme.excel.columns import in_format_language, template_columns

    # The limit is 100.000 rows (the import runs in the worker); a smaller one here keeps the
    # file small, the refusal is the same.
    settings.ANTOAN_IMPORT_MAX_ROWS = 2_000
    # A file made by hand has no template marker: it has the all-kinds template's columns.
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Hoạt động")
    ws.append([in_format_language(c.header) for c in template_columns("all")])
    for n in range(2_500):
        ws.append(["", f"Hoạt động {n}"])
    out = io.BytesIO()
    wb.save(out)

    message = refused(upload(reporter, out.getvalue(), kind="communication", plan=plan64))
    limit = f"{settings.ANTOAN_IMPORT_MAX_ROWS:,}".replace(",", ".")
    assert f"có hơn {limit} dòng dữ liệu" in message


def test_a_formula_in_a_cell_is_refused_and_the_cell_named(reporter, plan64):
    filled = fill(
        template(reporter, "communication", plan64),
        [COMMUNICATION_ROW, {**COMMUNICATION_ROW, "Tổng số người tham gia": "=25+15"}],
    )
    wb = openpyxl.load_workbook(io.BytesIO(filled))
    column = next(
        c.column_letter for c in wb["Hoạt động"][1] if c.value == "Tổng số người tham gia"
    )

    response = upload(reporter, filled, kind="communication", plan=plan64)

    message = refused(response)
    assert f"Ô {column}3 có công thức (=25+15)" in message
    assert [(p[1], p[2]) for p in problems(response)] == [(3, "Tổng số người tham gia")]


def macro_enabled(data: bytes) -> bytes:
    """The same workbook saved as .xlsm (a VBA project and its content type), renamed .xlsx."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            target.writestr(info, content)
        target.writestr("xl/vbaProject.bin", b'\xd0\xcf\x11\xe0 Attribute VB_Name = "Module1"')
    return out.getvalue()


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused(reporter, plan64):
    filled = fill(template(reporter, "communication", plan64), [COMMUNICATION_ROW])

    message = refused(upload(reporter, macro_enabled(filled), kind="communication", plan=plan64))
    assert "macro" in message


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("hoat-dong.xlsx", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "không phải là loại được nhận"),
        ("hoat-dong.xlsx", "Tên hoạt động;Từ ngày\nHọp;10/11/2025\n".encode(), "không phải"),
        ("hoat-dong.xlsx", b"", "Tệp rỗng"),
    ],
    ids=["pdf", "csv", "empty"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(reporter, plan64, name, data, expected):
    response = upload(reporter, data, kind="communication", plan=plan64, name=name)

    if response.context["result"] is None:  # Django refuses an empty upload in the form
        assert response.status_code == 400 and Activity.objects.count() == 0
        assert expected in response.content.decode()
        return
    assert expected in refused(response)


def test_a_template_without_rows_is_refused(reporter, plan64):
    message = refused(
        upload(
            reporter, template(reporter, "communication", plan64), kind="communication", plan=plan64
        )
    )
    assert "chưa có dòng dữ liệu nào" in message


def test_a_kinds_template_says_its_kind(reporter, plan64):
    """The upload page no longer asks for the kind: a communication template's rows are
    communications, whatever the person would once have picked."""
    filled = fill(template(reporter, "communication", plan64), [COMMUNICATION_ROW])

    response = upload(reporter, filled, kind="training", plan=plan64)
    assert response.status_code == 200
    assert Activity.objects.get().kind == "communication"


def test_a_caller_expecting_another_kind_is_refused(cast, plan64, agencies, reporter):
    """``run_import(kind=…)`` (a caller that knows what it expects) still refuses another
    kind's template."""
    from antoan.programme.excel.importer import run_import

    filled = fill(template(reporter, "communication", plan64), [COMMUNICATION_ROW])
    with translation.override("vi"):
        result = run_import(
            actor=cast["reporter1"],
            plan=plan64,
            agency=agencies["ubnd-pho-hien"],
            data=filled,
            models=[],
            max_rows=100,
            kind="training",
        )
    assert not result.ok
    assert "Tệp này là mẫu “Truyền thông, chiến dịch truyền thông”" in result.problems[0].message
