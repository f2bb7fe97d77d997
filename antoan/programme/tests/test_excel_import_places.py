"""The Excel column "Địa bàn (tên hoặc mã)": a place by name (with or without accents) or code."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from antoan.programme.models import Activity
from antoan.programme.tests.test_excel_import import (
    COMMUNICATION_ROW,
    fill,
    problems,
    refused,
    template,
    upload,
)

PLACE = "Địa bàn (tên hoặc mã)"


@pytest.fixture
def reporter(cast, plan64, client_for):
    return client_for(cast["reporter1"])


def send(reporter, plan64, rows, data=None):
    blank = data or template(reporter, "communication", plan64)
    return upload(reporter, fill(blank, rows), kind="communication", plan=plan64)


@pytest.mark.parametrize("typed", ["Phố Hiến", "pho hien", "Phường Phố Hiến, Tỉnh Hưng Yên"])
def test_a_row_with_the_place_name_imports(reporter, plan64, mini_places, typed):
    response = send(reporter, plan64, [{**COMMUNICATION_ROW, PLACE: typed}])
    assert response.status_code == 200, problems(response)
    assert Activity.objects.get().place == mini_places["commune_a"]


def test_an_old_units_name_is_read_on_the_activity_date(reporter, plan64, mini_places):
    row = {**COMMUNICATION_ROW, PLACE: "Hưng Yên", "Từ ngày": "01/03/2025"}
    response = send(reporter, plan64, [row])
    assert response.status_code == 200, problems(response)
    assert Activity.objects.get().place == mini_places["old_province"]


def test_an_unknown_or_ambiguous_name_is_a_row_error_and_nothing_imported(
    reporter, plan64, mini_places
):
    from antoan.places.models import Place

    other = Place.objects.create(
        code="26", name="Tỉnh Thái Nguyên", level="province", valid_from=dt.date(2025, 7, 1)
    )
    Place.objects.create(
        code="09999",
        name="Xã Phố Hiến",
        search_name="xa pho hien",
        level="commune",
        parent=other,
        valid_from=dt.date(2025, 7, 1),
    )
    rows = [
        {**COMMUNICATION_ROW, PLACE: "pho hien"},
        {**COMMUNICATION_ROW, "Tên hoạt động": "Khác", PLACE: "Bãi Sậy"},
    ]
    text = refused(send(reporter, plan64, rows))
    assert "Có nhiều đơn vị hành chính tên “pho hien”" in text
    assert "Phường Phố Hiến, Tỉnh Hưng Yên" in text and "Xã Phố Hiến, Tỉnh Thái Nguyên" in text
    assert "Không tìm thấy đơn vị hành chính “Bãi Sậy”" in text


def test_a_template_downloaded_before_still_reads_its_code_column(reporter, plan64, mini_places):
    wb = openpyxl.load_workbook(io.BytesIO(template(reporter, "communication", plan64)))
    ws = wb["Hoạt động"]
    cell = next(c for c in ws[1] if c.value == PLACE)
    cell.value = "Mã địa bàn"
    out = io.BytesIO()
    wb.save(out)
    row = {k if k != PLACE else "Mã địa bàn": v for k, v in COMMUNICATION_ROW.items()}
    response = send(reporter, plan64, [row], data=out.getvalue())
    assert response.status_code == 200, problems(response)
    assert Activity.objects.get().place == mini_places["commune_a"]
