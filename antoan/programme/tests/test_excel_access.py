"""Who may use the Excel toolkit, what a template holds, and the export of a filtered list."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from antoan.core.models import AuditEvent
from antoan.programme.models import Activity
from antoan.programme.tests.test_excel_import import (
    COMMUNICATION_ROW,
    TRAINEES,
    TRAINING_ROW,
    fill,
    template,
    upload,
)

DAY = dt.date(2025, 11, 10)
TEMPLATE = reverse("programme_toolkit:template", args=["training"])
IMPORT = reverse("programme_toolkit:import")
EXPORT = reverse("programme_toolkit:export")
INDEX = reverse("programme_toolkit:index")


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "index", "template_", "import_", "export"),
    [
        ("reporter1", 200, 200, 200, 200),
        ("coordinator1", 200, 403, 403, 200),
        ("worker1", 403, 403, 403, 403),
        ("analyst1", 403, 403, 403, 403),
        ("manager1", 403, 403, 403, 403),
        ("auditor1", 403, 403, 403, 403),
    ],
)
def test_who_may_use_the_toolkit(
    cast, plan64, client_for, username, index, template_, import_, export
):
    client = client_for(cast[username])
    assert client.get(INDEX).status_code == index
    assert client.get(TEMPLATE).status_code == template_
    assert client.get(IMPORT).status_code == import_
    assert client.get(EXPORT).status_code == export


def test_who_may_not_upload_gets_403_and_nothing_is_imported(cast, plan64, client_for):
    data = fill(
        template(client_for(cast["reporter1"]), "communication", plan64), [COMMUNICATION_ROW]
    )
    for username in ("worker1", "analyst1", "coordinator1"):
        response = upload(client_for(cast[username]), data, kind="communication", plan=plan64)
        assert response.status_code == 403, username
    assert Activity.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client, plan64):
    for url in (INDEX, TEMPLATE, IMPORT, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_an_unknown_kind_has_no_template(cast, plan64, client_for):
    client = client_for(cast["reporter1"])
    assert client.get(reverse("programme_toolkit:template", args=["picnic"])).status_code == 404


def test_the_index_lists_a_template_per_kind_for_a_reporter_only(cast, plan64, client_for):
    page = client_for(cast["reporter1"]).get(INDEX).content.decode()
    assert page.count("Tải mẫu (.xlsx)") == 8
    assert "Khóa tập huấn, bồi dưỡng; kèm trang Học viên" in page
    page = client_for(cast["coordinator1"]).get(INDEX).content.decode()
    assert "Tải mẫu (.xlsx)" not in page and "Xuất mọi hoạt động của kế hoạch" in page


# --- What a template holds -------------------------------------------------------------------


def test_the_training_template_has_lists_instructions_and_a_trainees_sheet(
    cast, plan64, client_for
):
    data = template(client_for(cast["reporter1"]), "training", plan64)
    wb = openpyxl.load_workbook(io.BytesIO(data))

    assert wb.sheetnames == ["Hướng dẫn", "Hoạt động", "Học viên", "Danh mục"]
    assert wb["Danh mục"].sheet_state == "hidden"
    headers = [c.value for c in wb["Hoạt động"][1]]
    assert headers[:6] == [
        "Mã dòng",
        "Tên hoạt động",
        "Mã nhiệm vụ",
        "Địa bàn (tên hoặc mã)",
        "Từ ngày",
        "Đến ngày",
    ]
    for header in (
        "Chủ đề tập huấn",
        "Tập huấn giảng viên nguồn",
        "Điểm kiểm tra đầu khóa (%)",
        "Nữ",
        "Nam",
        "Dưới 16 tuổi",
        "Kinh phí: Ngân sách tỉnh (đồng)",
        "Mô tả",
    ):
        assert header in headers, header
    assert "Hình thức truyền thông" not in headers  # another kind's field
    assert [c.value for c in wb["Học viên"][1]][:3] == [
        "Mã dòng hoạt động",
        "Họ và tên",
        "Giới tính",
    ]

    lists = wb["Danh mục"]
    columns = {col[0].value: [c.value for c in col[1:] if c.value] for col in lists.iter_cols()}
    assert "Tập huấn giảng viên nguồn" in columns["Chủ đề tập huấn"]
    assert "II.3.a" in columns["Mã nhiệm vụ"]
    topic_letter = openpyxl.utils.get_column_letter(headers.index("Chủ đề tập huấn") + 1)
    total_letter = openpyxl.utils.get_column_letter(headers.index("Tổng số người tham gia") + 1)
    validations = {
        str(dv.sqref).split(":")[0]: dv for dv in wb["Hoạt động"].data_validations.dataValidation
    }
    assert validations[f"{topic_letter}2"].type == "list"
    assert "Danh mục" in validations[f"{topic_letter}2"].formula1
    assert validations[f"{total_letter}2"].type == "whole"

    instructions = " ".join(
        str(v) for row in wb["Hướng dẫn"].iter_rows(values_only=True) for v in row if v
    )
    assert "antoan-activity:training:1" in instructions
    assert "64/KH-UBND" in instructions and "01/01/2021 - 31/12/2025" in instructions
    assert "cả tệp không được nhập" in instructions
    assert "không tạo hoạt động trùng" in instructions
    assert "ngày/tháng/năm" in instructions
    assert wb.defined_names["AnToanMau"].attr_text == '"antoan-activity:training:1"'


# --- Export ----------------------------------------------------------------------------------


@pytest.fixture
def two_agencies(cast, plan64, client_for):
    """A training of Phố Hiến (imported with trainees) and a meeting of Trần Hưng Đạo."""
    from antoan.accounts.models import Agency
    from antoan.places.models import Place
    from antoan.programme.services import ActivityInput, activity_create
    from antoan.programme.tests.builders import make_reporter

    reporter = client_for(cast["reporter1"])
    data = fill(template(reporter, "training", plan64), [TRAINING_ROW], {"Học viên": TRAINEES[:3]})
    assert upload(reporter, data, kind="training", plan=plan64).status_code == 200
    other = Agency.objects.get(code="ubnd-tran-hung-dao")
    activity_create(
        actor=make_reporter("reporter2", other),
        plan=plan64,
        data=ActivityInput(
            kind="communication",
            title='=HYPERLINK("http://example.com")',  # text that must stay text
            tasks=[plan64.tasks.get(code="II.2.a")],
            agency=other,
            place=Place.objects.get(code="12452"),
            start_date=DAY,
            end_date=DAY,
            participants_total=10,
            participants_female=6,
            participants_male=4,
            details={"channel": "meeting"},
        ),
    )
    return Activity.objects.order_by("pk")


def exported(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)


def titles(wb) -> list[str]:
    rows = list(wb["Hoạt động"].iter_rows(values_only=True))
    at = rows[0].index("Tên hoạt động")
    return [row[at] for row in rows[1:]]


def test_a_reporter_exports_only_their_agencys_activities(cast, client_for, two_agencies):
    wb = exported(client_for(cast["reporter1"]).get(EXPORT))
    assert titles(wb) == [TRAINING_ROW["Tên hoạt động"]]
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.username == "reporter1" and event.extra["rows"] == 1


def test_the_coordinator_exports_every_agencys_activities(cast, client_for, two_agencies):
    wb = exported(client_for(cast["coordinator1"]).get(EXPORT))
    assert sorted(titles(wb)) == sorted(a.title for a in two_agencies)

    only_training = exported(client_for(cast["coordinator1"]).get(EXPORT, {"kind": "training"}))
    assert titles(only_training) == [TRAINING_ROW["Tên hoạt động"]]
    by_task = exported(client_for(cast["coordinator1"]).get(EXPORT, {"task": "II.2"}))
    assert titles(by_task) == ['=HYPERLINK("http://example.com")']


def test_text_that_looks_like_a_formula_is_exported_as_text(cast, client_for, two_agencies):
    response = client_for(cast["coordinator1"]).get(EXPORT, {"kind": "communication"})
    wb = exported(response)
    cells = next(iter(wb["Hoạt động"].iter_rows(min_row=2)))
    assert {c.data_type for c in cells if c.value == '=HYPERLINK("http://example.com")'} == {"s"}


def test_an_export_reads_back_with_the_templates_columns(cast, client_for, two_agencies, plan64):
    from antoan.programme.excel.columns import TRAINEE_COLUMNS, export_columns
    from antoan.programme.excel.parsing import Lookups, parse_cells
    from antoan.programme.excel.reader import open_workbook, read_sheet

    response = client_for(cast["reporter1"]).get(EXPORT, {"plan": plan64.pk})
    wb = open_workbook(response.content)
    sheet = read_sheet(wb, "Hoạt động", export_columns(), max_rows=10, template="")
    trainees = read_sheet(wb, "Học viên", TRAINEE_COLUMNS, max_rows=10, template="")
    lookups = Lookups(plan64, [])
    [row] = sheet.rows
    values, errors = parse_cells(row, sheet.columns, lookups)
    assert errors == {}
    activity = Activity.objects.get(agency__code="ubnd-pho-hien")
    assert values["ref"] == str(activity.pk)
    assert values["kind"] == "training"
    assert values["title"] == activity.title
    assert values["tasks"] == list(activity.tasks.all())
    assert values["place"] == "11953"
    assert (values["start_date"], values["end_date"]) == (activity.start_date, activity.end_date)
    assert values["target_groups"] == activity.target_groups
    assert values["participants_total"] == 3 and values["participants_female"] == 2
    assert values["spending:commune_budget"] == 15_000_000
    assert values["topic"] == "general" and values["training_of_trainers"] is False
    assert values["post_test_score"] == activity.post_test_score
    names = [parse_cells(r, trainees.columns, lookups)[0]["full_name"] for r in trainees.rows]
    assert names == ["Nguyễn Thị Hoa", "Trần Thị Mận", "Lê Văn Tùng"]


def test_an_export_uploaded_as_a_template_is_refused(cast, client_for, two_agencies, plan64):
    reporter = client_for(cast["reporter1"])
    data = reporter.get(EXPORT).content
    response = upload(reporter, data, kind="training", plan=plan64)
    assert "Chưa nhập hoạt động nào" in response.content.decode()  # the job's report
    assert "Đây là tệp xuất dữ liệu, không phải mẫu nhập" in response.content.decode()
    assert Activity.objects.count() == 2
