"""The Excel toolkit as a reporter uses it: download a template, fill it in, upload it, find the
same data in the system; upload it again and nothing is added twice. A file that is wrong in
any way gets a report naming sheet, row and column, and imports nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from antoan.jobs.worker import run_pending
from antoan.programme.models import Activity

DAY = "10/11/2025"  # inside plan 64's period; the 2025 communes exist from 1/7/2025
TRAINING_ROW = {
    "Mã dòng": "1",
    "Tên hoạt động": "Tập huấn kiến thức chung về phòng ngừa bạo lực trên cơ sở giới",
    "Mã nhiệm vụ": "II.3.a-1",
    "Địa bàn (tên hoặc mã)": 11953,  # typed as a number, as Excel keeps it
    "Từ ngày": DAY,
    "Đến ngày": dt.date(2025, 11, 11),  # a real Excel date
    "Nhóm đối tượng": "Cán bộ, công chức, viên chức; Trưởng thôn, tổ dân phố",
    "Tổng số người tham gia": 3,
    "Nữ": 2,
    "Nam": 1,
    "Dưới 16 tuổi": 0,
    "16-29 tuổi": 1,
    "30-59 tuổi": 2,
    "Từ 60 tuổi": 0,
    "Kinh phí: Ngân sách xã (đồng)": "15.000.000",
    "Kinh phí: Nhà tài trợ (đồng)": 5000000,
    "Cơ quan phối hợp": "Hội Liên hiệp Phụ nữ phường Phố Hiến",
    "Mô tả": "Hai ngày, có kiểm tra đầu và cuối khóa.",
    "Chủ đề tập huấn": "Kiến thức chung về phòng ngừa và ứng phó với bạo lực trên cơ sở giới",
    "Tập huấn giảng viên nguồn": "Không",
    "Điểm kiểm tra đầu khóa (%)": 55.5,
    "Điểm kiểm tra cuối khóa (%)": "82,5",
}
TRAINEES = [
    {
        "Mã dòng hoạt động": 1,
        "Họ và tên": "Nguyễn Thị Hoa",
        "Giới tính": "Nữ",
        "Chức vụ, vai trò": "Công chức văn hóa - xã hội",
        "Cơ quan, đơn vị": "UBND phường Phố Hiến",
        "Điểm đầu khóa": 50,
        "Điểm cuối khóa": 80,
    },
    {"Mã dòng hoạt động": "1", "Họ và tên": "Trần Thị Mận", "Giới tính": "Nữ"},
    {"Mã dòng hoạt động": "1", "Họ và tên": "Lê Văn Tùng", "Giới tính": "Nam"},
    {"Mã dòng hoạt động": "2", "Họ và tên": "Phạm Văn Bình", "Giới tính": "Nam"},
    {"Mã dòng hoạt động": "2", "Họ và tên": "Đỗ Thị Lan", "Giới tính": "Nữ"},
]
COMMUNICATION_ROW = {
    "Tên hoạt động": "Phát thanh về phòng, chống bạo lực gia đình",
    "Mã nhiệm vụ": "II.2.a",
    "Địa bàn (tên hoặc mã)": "11953",
    "Từ ngày": DAY,
    "Tổng số người tham gia": 40,
    "Nữ": 25,
    "Nam": 15,
    "Hình thức truyền thông": "Loa truyền thanh",
}


# --- Helpers shared with test_excel_access.py ------------------------------------------------


def template(client: Any, kind: str, plan: Any) -> bytes:
    response = client.get(reverse("programme_toolkit:template", args=[kind]), {"plan": plan.pk})
    assert response.status_code == 200, response.status_code
    return response.content


def write_rows(ws: Any, rows: list[dict[str, Any]], first: int = 2) -> None:
    headers = {cell.value: cell.column for cell in ws[1] if cell.value}
    for number, row in enumerate(rows, start=first):
        for header, value in row.items():
            ws.cell(row=number, column=headers[header], value=value)


def fill(data: bytes, rows: list[dict], children: dict[str, list[dict]] | None = None) -> bytes:
    """Type rows into a downloaded template, as a person would in Excel."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    write_rows(wb["Hoạt động"], rows)
    for sheet, child_rows in (children or {}).items():
        write_rows(wb[sheet], child_rows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(
    client: Any, data: bytes, *, kind: str, plan: Any, name: str = "hoat-dong.xlsx", **extra
):
    """Upload, let the worker run the import job, then read the job's page."""
    with translation.override("vi"):
        response = client.post(
            reverse("programme_toolkit:import"),
            {"plan": plan.pk, "kind": kind, "file": SimpleUploadedFile(name, data), **extra},
        )
        if response.status_code != 302:
            return response
        run_pending()
        return client.get(response["Location"])


def problems(response: Any) -> list[tuple[str, int | None, str, str]]:
    return [(p.sheet, p.row, p.column, p.message) for p in response.context["result"].problems]


def refused(response: Any) -> str:
    """The whole report as one text, after checking nothing was imported."""
    assert response.status_code in (200, 400)  # the job's page, or the upload refused
    assert "Chưa nhập hoạt động nào" in response.content.decode()
    assert Activity.objects.count() == 0
    return " ".join(p[3] for p in problems(response))


@pytest.fixture
def reporter(cast, plan64, client_for):
    return client_for(cast["reporter1"])


# --- Template → fill → upload → same data → upload again -------------------------------------


def test_a_filled_training_template_imports_the_same_data_and_a_second_upload_adds_nothing(
    reporter, cast, plan64
):
    second = {
        **TRAINING_ROW,
        "Mã dòng": "2",
        "Tên hoạt động": "Tập huấn giảng viên nguồn",
        "Tổng số người tham gia": None,  # counted from the trainees sheet
        "Nữ": None,
        "Nam": None,
        **dict.fromkeys(("Dưới 16 tuổi", "16-29 tuổi", "30-59 tuổi", "Từ 60 tuổi")),
        "Chủ đề tập huấn": "Tập huấn giảng viên nguồn",
        "Tập huấn giảng viên nguồn": "Có",
    }
    filled = fill(
        template(reporter, "training", plan64), [TRAINING_ROW, second], {"Học viên": TRAINEES}
    )

    response = upload(reporter, filled, kind="training", plan=plan64)

    assert response.status_code == 200, problems(response)
    assert "Đã nhập 2 hoạt động" in response.content.decode()
    first = Activity.objects.get(title=TRAINING_ROW["Tên hoạt động"])
    assert first.kind == "training"
    assert first.plan == plan64
    assert first.agency.code == "ubnd-pho-hien"
    assert first.created_by == cast["reporter1"]
    assert [t.code for t in first.tasks.all()] == ["II.3.a-1"]
    assert first.place.code == "11953"
    assert (first.start_date, first.end_date) == (dt.date(2025, 11, 10), dt.date(2025, 11, 11))
    assert first.target_groups == ["officials", "village_heads"]
    people = (first.participants_total, first.participants_female, first.participants_male)
    assert people == (3, 2, 1)
    ages = (first.age_under_16, first.age_16_29, first.age_30_59, first.age_60_plus)
    assert ages == (0, 1, 2, 0)
    assert dict(first.spending.values_list("source", "amount")) == {
        "commune_budget": 15_000_000,
        "donor": 5_000_000,
    }
    assert first.partners_other == "Hội Liên hiệp Phụ nữ phường Phố Hiến"
    assert first.topic == "general" and first.training_of_trainers is False
    assert (first.pre_test_score, first.post_test_score) == (Decimal("55.5"), Decimal("82.5"))
    assert list(
        first.trainees.values_list(
            "full_name", "sex", "position", "agency_name", "pre_score", "post_score"
        )
    ) == [
        (
            "Nguyễn Thị Hoa",
            "female",
            "Công chức văn hóa - xã hội",
            "UBND phường Phố Hiến",
            Decimal("50.0"),
            Decimal("80.0"),
        ),
        ("Trần Thị Mận", "female", "", "", None, None),
        ("Lê Văn Tùng", "male", "", "", None, None),
    ]
    assert first.flags == []
    tot = Activity.objects.get(title="Tập huấn giảng viên nguồn")
    assert tot.topic == "trainers" and tot.training_of_trainers is True
    assert (tot.participants_total, tot.participants_female, tot.participants_male) == (2, 1, 1)
    assert sorted(tot.trainees.values_list("full_name", flat=True)) == [
        "Phạm Văn Bình",
        "Đỗ Thị Lan",
    ]

    again = upload(reporter, filled, kind="training", plan=plan64)

    assert again.status_code == 200
    assert Activity.objects.count() == 2
    assert first.trainees.count() == 3
    assert [o.status for o in again.context["result"].outcomes] == ["existing", "existing"]
    assert again.content.decode().count("Đã có, bỏ qua") == 2


@pytest.fixture
def school_model(cast, mini_places, plan64):
    from antoan.accounts.models import Agency
    from antoan.programme.services import ModelInput, community_model_save

    return community_model_save(
        actor=cast["reporter1"],
        data=ModelInput(
            kind="safe_school",
            name="Trường THCS Phố Hiến an toàn",
            place=mini_places["commune_a"],
            agency=Agency.objects.get(code="ubnd-pho-hien"),
        ),
    )


KIND_ROWS = {
    "communication": (
        {"Hình thức truyền thông": "Loa truyền thanh", "Số sản phẩm truyền thông sản xuất": 2},
        {"channel": "loudspeaker", "materials_produced": 2},
    ),
    "training": (
        {"Chủ đề tập huấn": "Tập huấn giảng viên nguồn", "Tập huấn giảng viên nguồn": "Có"},
        {"topic": "trainers", "training_of_trainers": True},
    ),
    "conference": ({"Hình thức hội nghị": "Tọa đàm"}, {"conference_format": "seminar"}),
    "study_visit": ({"Nơi đến": "Tỉnh Hà Nam"}, {"destination": "Tỉnh Hà Nam"}),
    "inspection": (
        {"Đơn vị được kiểm tra": "Trường THCS Phố Hiến", "Kết quả kiểm tra": "Chưa có nội quy"},
        {"units_inspected": "Trường THCS Phố Hiến", "findings": "Chưa có nội quy"},
    ),
    "commendation": (
        {
            "Tập thể, cá nhân được khen": "Chi hội phụ nữ tổ dân phố 3",
            "Thành tích": "Xây dựng mô hình địa chỉ tin cậy",
            "Số quyết định": "12/QĐ-UBND",
            "Ngày quyết định": "01/12/2025",
        },
        {"recipient": "Chi hội phụ nữ tổ dân phố 3", "decision_date": dt.date(2025, 12, 1)},
    ),
    "model_activity": ({}, {}),  # the model is filled in by the test
    "other": ({}, {}),
}


@pytest.mark.parametrize("kind", list(KIND_ROWS))
def test_every_kind_has_a_template_that_imports_its_own_fields(
    kind, reporter, plan64, school_model
):
    cells, expected = KIND_ROWS[kind]
    if kind == "model_activity":
        cells = {"Mô hình": f"{school_model.pk} – {school_model.name}"}
        expected = {"community_model": school_model}
    row = {**COMMUNICATION_ROW, "Tên hoạt động": f"Hoạt động {kind}"}
    del row["Hình thức truyền thông"]
    filled = fill(template(reporter, kind, plan64), [{**row, **cells}])

    response = upload(reporter, filled, kind=kind, plan=plan64)

    assert response.status_code == 200, problems(response)
    activity = Activity.objects.get()
    assert activity.kind == kind
    for name, value in expected.items():
        assert getattr(activity, name) == value, name


def test_inspection_recommendations_are_imported_from_their_sheet(reporter, plan64):
    row = {
        **COMMUNICATION_ROW,
        "Mã dòng": "K1",
        "Tên hoạt động": "Kiểm tra liên ngành tại phường",
        "Đơn vị được kiểm tra": "Trường THCS Phố Hiến",
    }
    del row["Hình thức truyền thông"]
    recommendations = [
        {
            "Mã dòng hoạt động": "K1",
            "Kiến nghị": "Ban hành nội quy phòng, chống bạo lực học đường",
            "Đơn vị thực hiện": "Trường THCS Phố Hiến",
            "Thời hạn": "31/12/2025",
            "Tình trạng": "Đang thực hiện",
        }
    ]
    filled = fill(template(reporter, "inspection", plan64), [row], {"Kiến nghị": recommendations})

    response = upload(reporter, filled, kind="inspection", plan=plan64)

    assert response.status_code == 200, problems(response)
    rec = Activity.objects.get().recommendations.get()
    assert rec.text == "Ban hành nội quy phòng, chống bạo lực học đường"
    assert (rec.due_date, rec.status) == (dt.date(2025, 12, 31), "in_progress")


def test_an_old_place_code_is_read_on_the_activity_date(reporter, plan64, mini_places):
    """Province 33 before 1/7/2025 is the old province; a commune created on 1/7/2025 is still
    accepted for an earlier date rather than refused."""
    rows = [
        {
            **COMMUNICATION_ROW,
            "Tên hoạt động": "Trước sáp nhập",
            "Địa bàn (tên hoặc mã)": "33",
            "Từ ngày": "01/03/2025",
        },
        {**COMMUNICATION_ROW, "Tên hoạt động": "Xã mới, ngày cũ", "Từ ngày": "01/03/2025"},
    ]
    response = upload(
        reporter,
        fill(template(reporter, "communication", plan64), rows),
        kind="communication",
        plan=plan64,
    )

    assert response.status_code == 200, problems(response)
    assert Activity.objects.get(title="Trước sáp nhập").place == mini_places["old_province"]
    assert Activity.objects.get(title="Xã mới, ngày cũ").place == mini_places["commune_a"]


def test_an_agency_not_assigned_to_the_task_is_imported_and_flagged(reporter, plan64):
    # IV.4 is the culture department's; a ward committee is not named on it.
    row = {**COMMUNICATION_ROW, "Mã nhiệm vụ": "IV.4"}
    response = upload(
        reporter,
        fill(template(reporter, "communication", plan64), [row]),
        kind="communication",
        plan=plan64,
    )

    assert response.status_code == 200, problems(response)
    assert Activity.objects.get().flags == ["agency_not_assigned"]


def test_a_reporter_of_two_agencies_says_which_one_organised_the_activities(reporter, cast, plan64):
    from antoan.accounts.models import Agency, Membership

    other = Agency.objects.get(code="ubnd-tran-hung-dao")
    Membership.objects.create(
        user=cast["reporter1"],
        agency=other,
        role="programme_reporter",
        valid_from=dt.date(2025, 7, 1),
    )
    page = reporter.get(reverse("programme_toolkit:import"))
    assert 'name="agency"' in page.content.decode()
    assert "Ủy ban nhân dân phường Trần Hưng Đạo" in page.content.decode()
    filled = fill(template(reporter, "communication", plan64), [COMMUNICATION_ROW])

    response = upload(reporter, filled, kind="communication", plan=plan64, agency=other.pk)

    assert response.status_code == 200, problems(response)
    assert Activity.objects.get().agency == other

    not_mine = Agency.objects.get(code="so-y-te")
    response = upload(reporter, filled, kind="communication", plan=plan64, agency=not_mine.pk)
    assert response.status_code == 400
    assert Activity.objects.count() == 1


# --- Rows that are wrong: reported by row and column, nothing imported ------------------------


def test_one_bad_row_among_good_ones_imports_nothing_and_names_row_and_column(reporter, plan64):
    rows = [
        {**COMMUNICATION_ROW, "Tên hoạt động": "Dòng đúng 1"},
        {**COMMUNICATION_ROW, "Tên hoạt động": "Dòng sai", "Nữ": "hai mươi lăm"},
        {**COMMUNICATION_ROW, "Tên hoạt động": "Dòng đúng 2"},
    ]
    response = upload(
        reporter,
        fill(template(reporter, "communication", plan64), rows),
        kind="communication",
        plan=plan64,
    )

    refused(response)
    assert problems(response) == [
        ("Hoạt động", 3, "Nữ", "Phải là số nguyên, không phải “hai mươi lăm”.")
    ]
    page = response.content.decode()
    assert "<td>3</td><td>Nữ</td>" in page


def test_text_in_a_number_cell_and_a_bad_date_are_each_reported(reporter, plan64):
    row = {
        **COMMUNICATION_ROW,
        "Tổng số người tham gia": "bốn mươi",
        "Từ ngày": "31/02/2025",
        "Hình thức truyền thông": "Bồ câu đưa thư",
        "Mã nhiệm vụ": "II.99",
    }
    response = upload(
        reporter,
        fill(template(reporter, "communication", plan64), [row]),
        kind="communication",
        plan=plan64,
    )

    refused(response)
    found = {column: message for _sheet, _row, column, message in problems(response)}
    assert set(found) == {
        "Tổng số người tham gia",
        "Từ ngày",
        "Hình thức truyền thông",
        "Mã nhiệm vụ",
    }
    assert "số nguyên" in found["Tổng số người tham gia"]
    assert "ngày/tháng/năm" in found["Từ ngày"]
    assert "danh sách" in found["Hình thức truyền thông"]
    assert "II.99" in found["Mã nhiệm vụ"]


def test_participants_by_sex_that_do_not_add_up_are_a_row_error(reporter, plan64):
    row = {**COMMUNICATION_ROW, "Nữ": 20}  # 20 + 15 is not 40
    response = upload(
        reporter,
        fill(template(reporter, "communication", plan64), [row]),
        kind="communication",
        plan=plan64,
    )

    refused(response)
    [(sheet, number, column, message)] = problems(response)
    assert (sheet, number, column) == ("Hoạt động", 2, "Tổng số người tham gia")
    assert "không bằng tổng số người tham gia" in message


def test_a_date_outside_the_plan_period_is_a_row_error(reporter, plan64):
    row = {**COMMUNICATION_ROW, "Từ ngày": "15/12/2020"}
    response = upload(
        reporter,
        fill(template(reporter, "communication", plan64), [row]),
        kind="communication",
        plan=plan64,
    )

    refused(response)
    [(_sheet, number, column, message)] = problems(response)
    assert (number, column) == (2, "Từ ngày")
    assert "nằm ngoài thời gian thực hiện kế hoạch (01/01/2021 - 31/12/2025)" in message


def test_trainees_that_point_at_no_course_or_miss_their_sex_are_reported(reporter, plan64):
    trainees = [
        {"Mã dòng hoạt động": "9", "Họ và tên": "Nguyễn Văn A", "Giới tính": "Nam"},
        {"Mã dòng hoạt động": "1", "Họ và tên": "Nguyễn Thị B"},
    ]
    filled = fill(template(reporter, "training", plan64), [TRAINING_ROW], {"Học viên": trainees})
    response = upload(reporter, filled, kind="training", plan=plan64)

    refused(response)
    listed = [(s, r, c) for s, r, c, _m in problems(response)]
    assert listed == [("Học viên", 2, "Mã dòng hoạt động"), ("Học viên", 3, "Giới tính")]


def test_a_row_repeated_in_the_same_file_is_imported_once(reporter, plan64):
    rows = [COMMUNICATION_ROW, {**COMMUNICATION_ROW, "Mã dòng": "copy"}]
    response = upload(
        reporter,
        fill(template(reporter, "communication", plan64), rows),
        kind="communication",
        plan=plan64,
    )

    assert response.status_code == 200, problems(response)
    activity = Activity.objects.get()
    page = response.content.decode()
    assert "Giống dòng 2, bỏ qua" in page
    assert page.count(reverse("programme:activity", args=[activity.pk])) == 2
