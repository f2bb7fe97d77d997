"""One template for every kind: each row says its kind in "Loại hoạt động" (a drop-down of the
kinds), so the upload page asks no kind; and a wrong row is reported with every problem it
has, not only the first one found."""

from __future__ import annotations

import io

import openpyxl
import pytest

from antoan.programme.choices import ActivityKind
from antoan.programme.excel.columns import COMMON, in_format_language
from antoan.programme.models import Activity
from antoan.programme.tests.test_excel_import import fill, problems, refused, template, upload

pytestmark = pytest.mark.django_db

# The place column's header, whatever it is called (another change renames it).
PLACE = in_format_language(next(c for c in COMMON if c.key == "place").header)
KIND = "Loại hoạt động"


def label(kind: ActivityKind) -> str:
    return in_format_language(kind.label)


def row(**cells) -> dict:
    base = {
        "Tên hoạt động": "Phát thanh về phòng, chống bạo lực gia đình",
        "Mã nhiệm vụ": "II.2.a",
        PLACE: "11953",
        "Từ ngày": "10/11/2025",
        "Tổng số người tham gia": 40,
        "Nữ": 25,
        "Nam": 15,
    }
    return {**base, **cells}


def send(client, plan, rows: list[dict], children: dict | None = None):
    """Fill the all-kinds template and upload it (the upload form has no kind)."""
    return upload(client, fill(template(client, "all", plan), rows, children), kind="", plan=plan)


@pytest.fixture
def reporter(cast, plan64, client_for):
    return client_for(cast["reporter1"])


def test_the_all_kinds_template_has_a_kind_column_with_a_list_of_kinds(reporter, plan64):
    wb = openpyxl.load_workbook(io.BytesIO(template(reporter, "all", plan64)))
    assert {"Hướng dẫn", "Hoạt động", "Học viên", "Kiến nghị"} <= set(wb.sheetnames)
    ws = wb["Hoạt động"]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["Mã dòng", KIND]
    # Every kind's own columns are there once.
    for header in ("Hình thức truyền thông", "Chủ đề tập huấn", "Đơn vị được kiểm tra", "Mô hình"):
        assert headers.count(header) == 1, header
    letter = openpyxl.utils.get_column_letter(headers.index(KIND) + 1)
    [validation] = [v for v in ws.data_validations.dataValidation if f"{letter}2" in v.sqref]
    assert validation.type == "list" and validation.showErrorMessage
    sheet, cells = validation.formula1.split("!")
    first, last = cells.replace("$", "").split(":")
    listed = [c.value for (c,) in wb[sheet.strip("'")][f"{first}:{last}"]]
    assert listed == [label(k) for k in ActivityKind]
    help_text = " ".join(str(c.value) for r in wb["Hướng dẫn"].iter_rows() for c in r if c.value)
    assert "Cột riêng của từng loại" in help_text and "Chủ đề tập huấn (bắt buộc)" in help_text


def test_the_upload_page_asks_no_kind_and_offers_the_common_template(reporter, plan64):
    page = reporter.get("/programme/toolkit/import/").content.decode()
    assert 'name="kind"' not in page
    page = reporter.get("/programme/toolkit/").content.decode()
    assert f'href="/programme/toolkit/templates/all.xlsx?plan={plan64.pk}"' in page


def test_rows_of_several_kinds_import_from_one_file(reporter, plan64, vietnamese):
    rows = [
        row(
            **{
                "Mã dòng": "1",
                KIND: label(ActivityKind.COMMUNICATION),
                "Hình thức truyền thông": "Loa truyền thanh",
            }
        ),
        row(
            **{
                "Mã dòng": "2",
                KIND: label(ActivityKind.TRAINING),
                "Tên hoạt động": "Tập huấn kiến thức chung",
                "Mã nhiệm vụ": "II.3.a-1",
                "Chủ đề tập huấn": "Tập huấn giảng viên nguồn",
                "Tổng số người tham gia": None,
                "Nữ": None,
                "Nam": None,
            }
        ),
        row(
            **{
                "Mã dòng": "3",
                KIND: "kiem tra lien nganh",  # without accents is understood too
                "Tên hoạt động": "Kiểm tra liên ngành trường học",
                "Đơn vị được kiểm tra": "Trường THCS Phố Hiến",
            }
        ),
    ]
    trainees = [
        {"Mã dòng hoạt động": "2", "Họ và tên": "Nguyễn Thị Hoa", "Giới tính": "Nữ"},
        {"Mã dòng hoạt động": "2", "Họ và tên": "Lê Văn Tùng", "Giới tính": "Nam"},
    ]
    recommendations = [{"Mã dòng hoạt động": "3", "Kiến nghị": "Ban hành nội quy"}]
    for r in rows:
        for key in [k for k, v in r.items() if v is None]:
            del r[key]
    filled = fill(
        template(reporter, "all", plan64),
        rows,
        {"Học viên": trainees, "Kiến nghị": recommendations},
    )

    response = upload(reporter, filled, kind="", plan=plan64)

    assert response.status_code == 200, problems(response)
    kinds = dict(Activity.objects.values_list("title", "kind"))
    assert kinds == {
        "Phát thanh về phòng, chống bạo lực gia đình": "communication",
        "Tập huấn kiến thức chung": "training",
        "Kiểm tra liên ngành trường học": "inspection",
    }
    training = Activity.objects.get(kind="training")
    assert training.topic == "trainers" and training.participants_total == 2
    assert training.trainees.count() == 2
    assert Activity.objects.get(kind="inspection").recommendations.count() == 1
    # The same file again adds nothing.
    again = upload(reporter, filled, kind="", plan=plan64)
    assert again.status_code == 200 and Activity.objects.count() == 3
    assert again.context["result"].skipped == 3


def test_a_row_without_a_kind_or_with_another_kinds_cells_is_reported(reporter, plan64, vietnamese):
    rows = [
        row(**{"Hình thức truyền thông": "Loa truyền thanh"}),  # no kind
        row(
            **{
                KIND: label(ActivityKind.COMMUNICATION),
                "Hình thức truyền thông": "Loa truyền thanh",
                "Chủ đề tập huấn": "Tập huấn giảng viên nguồn",  # a training's column
            }
        ),
        row(**{KIND: "Họp báo"}),  # not a kind
    ]
    response = send(reporter, plan64, rows)

    refused(response)
    found = {(number, column): message for _s, number, column, message in problems(response)}
    assert found[(2, KIND)] == "Ô này bắt buộc phải nhập."
    assert found[(3, "Chủ đề tập huấn")] == (
        "Cột này chỉ dành cho loại “Tập huấn, bồi dưỡng”; dòng này là "
        f"“{label(ActivityKind.COMMUNICATION)}”. Hãy để trống ô này, hoặc sửa cột “{KIND}”."
    )
    assert "không có trong danh sách chọn" in found[(4, KIND)]


def test_a_trainee_of_a_row_that_is_not_a_training_is_reported(reporter, plan64, vietnamese):
    rows = [
        row(
            **{
                "Mã dòng": "1",
                KIND: label(ActivityKind.COMMUNICATION),
                "Hình thức truyền thông": "Loa truyền thanh",
            }
        )
    ]
    trainees = [{"Mã dòng hoạt động": "1", "Họ và tên": "Nguyễn Thị Hoa", "Giới tính": "Nữ"}]
    response = upload(
        reporter,
        fill(template(reporter, "all", plan64), rows, {"Học viên": trainees}),
        kind="",
        plan=plan64,
    )
    refused(response)
    [(sheet, number, column, message)] = problems(response)
    assert (sheet, number, column) == ("Học viên", 2, "Mã dòng hoạt động")
    assert "là hoạt động loại “Truyền thông" in message and "chỉ dành cho loại “Tập huấn" in message


def test_every_problem_of_a_row_is_reported_at_once(reporter, plan64, vietnamese):
    """A bad date no longer hides the wrong sums, the missing title or the missing channel."""
    bad = row(
        **{
            KIND: label(ActivityKind.COMMUNICATION),
            "Tên hoạt động": None,
            "Đến ngày": "31/02/2025",  # no such day
            "Nữ": 20,  # 20 + 15 ≠ 40
            "Dưới 16 tuổi": 5,  # one age band of four
            "Kinh phí: Ngân sách xã (đồng)": "mười triệu",
        }
    )
    del bad["Tên hoạt động"]
    response = upload(
        reporter, fill(template(reporter, "all", plan64), [bad]), kind="", plan=plan64
    )

    refused(response)
    found = {column: message for _s, number, column, message in problems(response) if number == 2}
    assert found["Tên hoạt động"] == "Ô này bắt buộc phải nhập."
    assert found["Đến ngày"].startswith("Ngày không hợp lệ: “31/02/2025”")
    assert found["Kinh phí: Ngân sách xã (đồng)"].startswith("Phải là số nguyên")
    # What the activity's rules say, though the row already had wrong cells:
    assert found["Hình thức truyền thông"] == "Bắt buộc với loại hoạt động này."
    assert "không bằng tổng số người tham gia (40)" in found["Tổng số người tham gia"]
    assert "Hãy nhập đủ cả bốn nhóm tuổi" in " ".join(found.values())
    assert len(found) == 6, found


def test_a_wrong_cell_does_not_add_noise_about_itself(reporter, plan64, vietnamese):
    """The rules about a cell that could not be read are left out: "Nữ" is text, so the sum
    by sex is not reported as well."""
    bad = row(**{KIND: label(ActivityKind.COMMUNICATION), "Nữ": "hai mươi lăm"})
    response = upload(
        reporter, fill(template(reporter, "all", plan64), [bad]), kind="", plan=plan64
    )
    refused(response)
    found = [(column, message) for _s, _n, column, message in problems(response)]
    assert [column for column, _m in found] == ["Nữ", "Hình thức truyền thông"]
