"""The import applies the same limits as the form and the API (issue 9, item 4).

The bug: a 166 KB workbook carried 150 MiB of text into one activity's description (1 GB of
server memory; the activity list then weighed 157 MB). Now the archive is judged from its
directory before openpyxl unpacks anything, and every cell is held to its column's length.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from antoan.programme.excel.reader import MAX_COLUMNS
from antoan.programme.files import IMPORT_ZIP
from antoan.programme.models import Activity, Recommendation, text_limit
from antoan.programme.tests.test_excel_import import (
    COMMUNICATION_ROW,
    fill,
    problems,
    refused,
    template,
    upload,
)

# ASCII: however the workbook's XML is written (openpyxl with or without lxml, which may write
# Vietnamese letters as character references), the mark is found byte for byte.
MARK = "DANHDAUMOTAXYZ"
MiB = 1024 * 1024


@pytest.fixture
def reporter(cast, plan64, client_for):
    return client_for(cast["reporter1"])


def _cell_of(data: bytes, header: str, row: int = 2) -> str:
    ws = openpyxl.load_workbook(io.BytesIO(data))["Hoạt động"]
    letter = next(c.column_letter for c in ws[1] if c.value == header)
    return f"{letter}{row}"


def inflate(data: bytes, mark: str, size: int) -> bytes:
    """The workbook with ``mark`` grown to ``size`` bytes of one letter, written member by
    member in chunks, as a crafted file would be: tiny packed, huge unpacked."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    needle = mark.encode("utf-8")
    grown_members = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            content = source.read(info)
            if needle not in content:
                target.writestr(info, content)
                continue
            before, after = content.split(needle, 1)
            grown_members += 1
            grown = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            grown.compress_type = zipfile.ZIP_DEFLATED
            with target.open(grown, "w", force_zip64=True) as member:
                member.write(before)
                chunk = b"a" * MiB
                for _ in range(size // MiB):
                    member.write(chunk)
                member.write(after)
    assert grown_members == 1, "the mark must appear in the workbook to grow it"
    return out.getvalue()


def test_a_small_workbook_that_unpacks_to_150_mib_is_refused_before_parsing(reporter, plan64):
    filled = fill(
        template(reporter, "communication", plan64),
        [{**COMMUNICATION_ROW, "Mô tả": MARK}],
    )
    bomb = inflate(filled, MARK, 150 * MiB)
    assert len(bomb) < 400 * 1024  # as small as the file of the report

    response = upload(reporter, bomb, kind="communication", plan=plan64)

    message = refused(response)
    assert "giải nén ra" in message and "quá giới hạn" in message
    assert Activity.objects.count() == 0


def test_a_text_that_compresses_a_thousandfold_is_refused_even_under_the_size_limit(
    reporter, plan64
):
    filled = fill(
        template(reporter, "communication", plan64),
        [{**COMMUNICATION_ROW, "Mô tả": MARK}],
    )
    bomb = inflate(filled, MARK, 20 * MiB)  # under the 80 MiB per-part limit
    assert 20 * MiB < IMPORT_ZIP.member

    message = refused(upload(reporter, bomb, kind="communication", plan=plan64))
    assert "Tệp bị nén bất thường" in message
    assert Activity.objects.count() == 0


def test_a_cell_longer_than_the_form_takes_is_named_and_nothing_imported(reporter, plan64):
    limit = text_limit(Activity, "description")
    rows = [
        {**COMMUNICATION_ROW, "Tên hoạt động": "Dòng đúng"},
        {**COMMUNICATION_ROW, "Tên hoạt động": "Dòng dài", "Mô tả": "x" * (limit + 1)},
    ]
    filled = fill(template(reporter, "communication", plan64), rows)
    cell = _cell_of(filled, "Mô tả", row=3)

    response = upload(reporter, filled, kind="communication", plan=plan64)

    refused(response)
    assert problems(response) == [
        (
            "Hoạt động",
            3,
            "Mô tả",
            f"Ô {cell} dài 10.001 ký tự; cột “Mô tả” nhận tối đa 10.000 ký tự.",
        )
    ]
    assert Activity.objects.count() == 0


def test_the_form_the_api_and_the_import_take_the_same_longest_description(reporter, plan64):
    from antoan.api.programme.inputs import ActivityIn
    from antoan.programme.forms.activity import ActivityForm

    limit = text_limit(Activity, "description")
    assert ActivityIn().fields["description"].max_length == limit
    assert ActivityForm.base_fields["description"].max_length == limit
    filled = fill(
        template(reporter, "communication", plan64),
        [{**COMMUNICATION_ROW, "Mô tả": "x" * limit}],
    )
    response = upload(reporter, filled, kind="communication", plan=plan64)
    assert response.status_code == 200
    assert len(Activity.objects.get().description) == limit


def test_a_recommendation_cell_is_held_to_the_recommendation_length(reporter, plan64):
    row = {
        **COMMUNICATION_ROW,
        "Mã dòng": "K1",
        "Tên hoạt động": "Kiểm tra liên ngành tại phường",
        "Đơn vị được kiểm tra": "Trường THCS Phố Hiến",
    }
    del row["Hình thức truyền thông"]
    limit = text_limit(Recommendation, "text")
    filled = fill(
        template(reporter, "inspection", plan64),
        [row],
        {"Kiến nghị": [{"Mã dòng hoạt động": "K1", "Kiến nghị": "k" * (limit + 5)}]},
    )
    response = upload(reporter, filled, kind="inspection", plan=plan64)
    refused(response)
    assert any(
        p[0] == "Kiến nghị" and f"nhận tối đa {limit:,} ký tự".replace(",", ".") in p[3]
        for p in problems(response)
    ), problems(response)


def test_a_cell_far_to_the_right_is_refused_at_once(reporter, plan64):
    wb = openpyxl.load_workbook(io.BytesIO(template(reporter, "communication", plan64)))
    ws = wb["Hoạt động"]
    ws.cell(row=2, column=2, value="x")
    ws.cell(row=2, column=16_000, value="x")
    out = io.BytesIO()
    wb.save(out)

    message = refused(upload(reporter, out.getvalue(), kind="communication", plan=plan64))
    assert f"tối đa {MAX_COLUMNS} cột" in message


def test_a_cell_on_row_a_million_is_refused(reporter, plan64):
    wb = openpyxl.load_workbook(io.BytesIO(template(reporter, "communication", plan64)))
    ws = wb["Hoạt động"]
    ws.cell(row=1_000_000, column=2, value="x")
    out = io.BytesIO()
    wb.save(out)

    message = refused(upload(reporter, out.getvalue(), kind="communication", plan=plan64))
    assert "có ô ở dòng" in message
