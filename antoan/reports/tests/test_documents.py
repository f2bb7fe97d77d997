"""The consolidated report of a cycle and the plan's final review: the Decree 30 layout read
back with python-docx, the PDF through LibreOffice, the .xlsx annex, and every number against
its source (the submissions, the indicators API, the activities)."""

# Fixtures of the programme's tests are imported below and named as arguments.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.cases.models import Case
from antoan.core.documents import decree30
from antoan.indicators.tests.test_counting_rules import open_case
from antoan.programme.tests.builders import make_reporter
from antoan.programme.tests.conftest import (  # noqa: F401 - fixtures
    activity_input,
    agencies,
    record,
    reporter2,
    tasks,
    vietnamese,
)
from antoan.programme.tests.test_plan_build import (  # noqa: F401 - fixtures
    approve,
    local,
    next_plan,
    published,
)
from antoan.reports import services
from antoan.reports.choices import IN_HAND, SubmissionStatus
from antoan.reports.documents import (
    PdfUnavailable,
    consolidated_data,
    consolidated_docx,
    consolidated_filename,
    consolidated_pdf,
    consolidated_xlsx,
    docx_to_pdf,
    final_review_docx,
    final_review_filename,
)
from antoan.reports.documents.common import fmt_indicator, num
from antoan.reports.models import Submission
from antoan.reports.template import TABLES, sections_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def report(actor, cycle, agency, *, figures=None):
    """An agency's report through the services: opened, written, submitted."""
    sub, _ = services.submission_open(actor=actor, cycle=cycle, agency=agency)
    narratives = {
        s["key"]: f"{agency.name} báo cáo mục {s['title'][:40]}.\nĐoạn thứ hai."
        for s in sections_of(cycle.template)
    }
    sub = services.submission_save(
        actor=actor,
        submission=sub,
        version=sub.version,
        narratives=narratives,
        figures=figures or {},
    )
    return services.submission_submit(actor=actor, submission=sub, version=sub.version)


def accept(cast, sub):
    return services.submission_accept(
        actor=cast["coordinator1"], submission=sub, version=sub.version
    )


@pytest.fixture
def cases_2025(cast):
    """Six cases of Phố Hiến and two of Trần Hưng Đạo opened in the 2025 reporting year."""
    occurred = dt.date(2025, 8, 1)
    for _ in range(6):
        open_case(cast["worker1"], occurred=occurred)
    for _ in range(2):
        open_case(cast["worker2"], commune="12452", occurred=occurred)
    opened = dt.datetime(2025, 8, 2, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội
    Case.objects.update(opened_at=opened)


@pytest.fixture
def cycle(cast, plan64, catalogue, agencies, reporter2, record, cases_2025):
    """The 2025 cycle of plan 64 with three reports: Phố Hiến's accepted (on time), Trần Hưng
    Đạo's accepted (late, with typed figures), Sở Y tế's returned. Sở Nội vụ did not report."""
    record(cast["reporter1"], spending={"commune_budget": 2_500_000})
    record(
        reporter2,
        agency="ubnd-tran-hung-dao",
        tasks=["II.3.a"],
        title="Hội nghị truyền thông phường Trần Hưng Đạo",
        spending={"commune_budget": 1_500_000},
    )
    # Outside the period (after 30/11/2025): in no total of the cycle.
    record(cast["reporter1"], start_date=dt.date(2025, 12, 5), end_date=dt.date(2025, 12, 5))
    cycle, _ = services.cycle_create(plan64, 2025)
    pho_hien = accept(cast, report(cast["reporter1"], cycle, agencies["ubnd-pho-hien"]))
    Submission.objects.filter(pk=pho_hien.pk).update(late=False)
    typed = {
        "activities": {
            "communication": {"count": 3, "participants": 100, "female": 60, "male": 40}
        },
        "budget": {"commune_budget": {"spent": 1_000_000}},
    }
    accept(cast, report(reporter2, cycle, agencies["ubnd-tran-hung-dao"], figures=typed))
    health = make_reporter("reporter-yte", agencies["so-y-te"])
    returned = report(health, cycle, agencies["so-y-te"])
    services.submission_return(
        actor=cast["coordinator1"],
        submission=returned,
        version=returned.version,
        reason="Thiếu số liệu kinh phí",
    )
    cycle.refresh_from_db()
    return cycle


def read_docx(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))


def all_text(document) -> list[str]:
    """Every paragraph, in the body and inside tables (the header is a borderless table)."""
    return [
        "".join(t.text or "" for t in p.iter(f"{W}t")) for p in document.element.body.iter(f"{W}p")
    ]


def table_rows(document) -> list[list[str]]:
    return [
        ["".join(t.text or "" for t in cell.iter(f"{W}t")) for cell in row.iter(f"{W}tc")]
        for row in document.element.body.iter(f"{W}tr")
    ]


# --- Decree 30 ---------------------------------------------------------------------------------


def test_the_docx_has_every_element_of_decree_30(cast, cycle):
    document = read_docx(consolidated_docx(cycle, user=cast["coordinator1"]))
    texts = all_text(document)
    today = timezone.localdate()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH HƯNG YÊN",
        "SỞ NỘI VỤ",
        "Số: ……/BC-SNV",
        decree30.date_line("Hưng Yên", today),
        "BÁO CÁO",
        "Kết quả thực hiện Kế hoạch số 64/KH-UBND năm 2025",
        "GIÁM ĐỐC",
        "Nơi nhận:",
        "- UBND tỉnh;",
        "- Bộ Văn hóa, Thể thao và Du lịch;",
        "- Bộ Nội vụ;",
        "- Lưu: VT.",
    ):
        assert expected in texts, expected
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman"
    assert normal.size.pt in (13, 14)
    fonts = {run.font.name for p in document.paragraphs for run in p.runs if run.font.name}
    assert fonts <= {"Times New Roman"}
    body_sizes = {
        run.font.size.pt
        for p in document.paragraphs
        if p.paragraph_format.first_line_indent
        for run in p.runs
        if run.font.size
    }
    assert body_sizes and body_sizes <= {13, 14}
    # Page numbers from the second page: a PAGE field in the header, none on the first page.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml


def test_number_signer_and_recipients_are_arguments(cast, cycle):
    document = read_docx(
        consolidated_docx(
            cycle,
            number="125",
            day=dt.date(2025, 12, 15),
            signer_authority="KT. GIÁM ĐỐC",
            signer_title="Phó Giám đốc",
            signer_name="Nguyễn Văn An",
            recipients=["- UBND tỉnh;", "- Lưu: VT, PCBL."],
        )
    )
    texts = all_text(document)
    assert "Số: 125/BC-SNV" in texts
    assert "Hưng Yên, ngày 15 tháng 12 năm 2025" in texts
    assert {"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An", "- Lưu: VT, PCBL."} <= set(texts)
    assert "- Bộ Nội vụ;" not in texts


# --- What the consolidated report says -----------------------------------------------------------


def test_totals_are_the_sum_of_the_received_reports(cast, cycle):
    data = consolidated_data(cycle)
    received = list(Submission.objects.filter(cycle=cycle, status__in=IN_HAND))
    assert len(received) == 2  # the returned report is not added
    for table in (data.activities, data.budget):
        editable = TABLES[table.key]["editable"]
        for row, _label, cells in table.rows:
            for col, value in cells.items():
                source = "figures" if col in editable else "recorded"
                expected = sum(getattr(s, source)[table.key][row][col] or 0 for s in received)
                assert value == expected, (table.key, row, col)
    communication = next(c for k, _l, c in data.activities.rows if k == "communication")
    # Phố Hiến's recorded meeting (40 people) and Trần Hưng Đạo's typed 3 activities, 100 people.
    assert communication == {"count": 4, "participants": 140, "female": 85, "male": 55}
    spent = next(c for k, _l, c in data.budget.rows if k == "commune_budget")["spent"]
    assert spent == 2_500_000 + 1_000_000
    assert data.activities.total["count"] == 4

    rows = table_rows(read_docx(consolidated_docx(cycle)))
    label = str(dict(TABLES["activities"]["rows"])["communication"])
    assert [label, "4", "140", "85", "55"] in rows
    assert ["Tổng cộng", "4", "140", "85", "55"] in rows


def test_completeness_and_the_agencies_that_did_not_report(cast, cycle, agencies):
    data = consolidated_data(cycle)
    c = data.completeness
    assert c.required == cycle.agencies.count()
    assert (c.received, c.on_time, c.late, c.returned) == (2, 1, 1, 1)
    assert c.missing == c.required - 3
    missing = {a.code for a in data.missing}
    assert "so-noi-vu" in missing
    assert not missing & {"ubnd-pho-hien", "ubnd-tran-hung-dao", "so-y-te"}
    texts = all_text(read_docx(consolidated_docx(cycle)))
    line = next(t for t in texts if t.startswith("Các cơ quan, địa phương chưa báo cáo:"))
    assert "Sở Nội vụ tỉnh Hưng Yên" in line
    assert any(t.startswith("Các báo cáo bị trả lại") and "Sở Y tế" in t for t in texts)


def test_case_totals_never_add_up_hidden_figures(cast, cycle):
    received = {
        s.agency.code: s.recorded["cases"]["cases_opened"]["value"]
        for s in Submission.objects.filter(cycle=cycle, status__in=IN_HAND)
    }
    # Six cases shown for Phố Hiến, two hidden for Trần Hưng Đạo.
    assert received == {"ubnd-pho-hien": 6, "ubnd-tran-hung-dao": None}
    cases = {k: c["value"] for k, _l, c in consolidated_data(cycle).cases.rows}
    # 6 + 2 would give Trần Hưng Đạo's 2 away: the total is hidden too, never 6.
    assert cases["cases_opened"] is None
    assert cases["cases_closed"] == 0


def test_every_indicator_equals_the_api(cast, cycle, client_for):
    response = client_for(cast["coordinator1"]).get(
        "/api/v1/indicators/values?year=2025&period=reporting"
    )
    assert response.status_code == 200, response.content
    api = {r["code"]: r for r in response.json()["results"]}
    data = consolidated_data(cycle)
    assert api and {r.code for r in data.indicators} == set(api)
    assert any(r["value"] is not None for r in api.values())
    for row in data.indicators:
        expected = api[row.code]
        assert (row.value, row.suppressed) == (expected["value"], expected["suppressed"])
        assert (row.numerator, row.denominator) == (expected["numerator"], expected["denominator"])
        assert row.target == expected["target"]

    # The same numbers in the document...
    units = {r.code: r.unit for r in data.indicators}
    docx_rows = {r[0]: r for r in table_rows(read_docx(consolidated_docx(cycle))) if r[0] in api}
    assert set(docx_rows) == set(api)
    for code, expected in api.items():
        shown = fmt_indicator(expected["value"], units[code], suppressed=expected["suppressed"])
        assert docx_rows[code][2] == shown, code

    # ...and in the annex, unformatted.
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(consolidated_xlsx(cycle)))["Chỉ số"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Mã chỉ số", "Chỉ số", "Đơn vị", "Kết quả"]
    xlsx = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(xlsx) == set(api)
    for code, expected in api.items():
        assert xlsx[code][3] == expected["value"], code
        assert xlsx[code][6] == expected["target"], code


def test_sections_count_each_activity_once_and_narratives_follow_agency_order(cast, cycle):
    data = consolidated_data(cycle)
    sections = {t.task.code: t for t in data.sections}
    assert list(sections) == [f"II.{n}" for n in range(1, 8)]
    assert sections["II.2"].total.activities == 1  # the meeting of 10/11, not the one of 5/12
    assert sections["II.2"].total.spent == 2_500_000
    assert sections["II.3"].total.activities == 1
    assert sections["II.1"].total.activities == 0
    by_code = {task.code: f for task, f in sections["II.2"].rows}
    assert by_code["II.2.a"].participants == 40
    narrative = next(s for s in data.narratives if s.task_code == "II.2")
    assert [name for name, _t in narrative.texts] == [
        "Ủy ban nhân dân phường Phố Hiến",
        "Ủy ban nhân dân phường Trần Hưng Đạo",
    ]
    texts = all_text(read_docx(consolidated_docx(cycle)))
    assert "Ủy ban nhân dân phường Phố Hiến:" in texts
    assert "Đoạn thứ hai." in texts
    assert "III. KHÓ KHĂN, VƯỚNG MẮC" in texts


def test_local_plan_activities_count_for_the_task_they_carry(cast, published, local, record):
    adopted, sub = approve(cast, local)
    record(
        plan=local,
        tasks=[adopted, sub],
        start_date=dt.date(2026, 3, 8),
        end_date=dt.date(2026, 3, 8),
        participants_total=40,
    )
    cycle, _ = services.cycle_create(published, 2026)
    pho_hien = Agency.objects.get(code="ubnd-pho-hien")
    report(cast["reporter1"], cycle, pho_hien)
    sections = {t.task.code: t for t in consolidated_data(cycle).sections}
    assert sections["II.2"].total.activities == 1
    assert {t.code: f.activities for t, f in sections["II.2"].rows}["II.2.a"] == 1


def test_the_annex_has_every_table_and_keeps_formulas_as_text(cast, cycle, agencies):
    import openpyxl

    agency = agencies["so-gd-dt"]
    agency.name = '=HYPERLINK("http://x","Sở")'
    agency.save()
    book = openpyxl.load_workbook(io.BytesIO(consolidated_xlsx(cycle)))
    assert book.sheetnames[:7] == [
        "Tình hình báo cáo",
        "Cơ quan báo cáo",
        "Hoạt động",
        "Kinh phí",
        "Vụ việc",
        "Chỉ số",
        "Theo nhiệm vụ",
    ]
    assert "Mục II.1" in book.sheetnames and "Mục II.7" in book.sheetnames
    counts = {r[0]: r[1] for r in book["Tình hình báo cáo"].iter_rows(min_row=2, values_only=True)}
    assert counts["Chưa báo cáo"] == cycle.agencies.count() - 3
    formula = [
        c
        for row in book["Cơ quan báo cáo"].iter_rows(min_row=2)
        for c in row
        if c.value and str(c.value).startswith("=")
    ]
    assert formula and all(c.data_type == "s" for c in formula)
    activities = {r[0]: r for r in book["Hoạt động"].iter_rows(min_row=2, values_only=True)}
    assert activities["Tổng cộng"][1:] == (4, 140, 85, 55)
    cases = {r[0]: r[1] for r in book["Vụ việc"].iter_rows(min_row=2, values_only=True)}
    assert cases["Hồ sơ vụ việc tiếp nhận trong kỳ"] is None


def test_filenames(cycle, plan64):
    assert consolidated_filename(cycle, "docx") == "bao-cao-tong-hop-64-kh-ubnd-2025.docx"
    assert final_review_filename(plan64, "pdf") == "bao-cao-tong-ket-64-kh-ubnd-2021-2025.pdf"


# --- The final review ----------------------------------------------------------------------------


def test_final_review_has_a_row_per_objective_and_lists_silent_tasks(
    cast, plan64, catalogue, record
):
    record(cast["reporter1"])  # under II.2.a, in 2025
    document = read_docx(final_review_docx(plan64))
    texts = all_text(document)
    assert "BÁO CÁO" in texts and "SỞ NỘI VỤ" in texts
    assert "Tổng kết thực hiện Kế hoạch số 64/KH-UBND giai đoạn 2021-2025" in texts
    rows = table_rows(document)
    header = next(r for r in rows if r[:2] == ["Mục", "Mục tiêu, chỉ tiêu"])
    assert header[3:8] == ["2021", "2022", "2023", "2024", "2025"]
    objectives = {r[0]: r for r in rows if r[0] in {"I.1", "I.2.a", "I.2.b"}}
    assert set(objectives) == {"I.1", "I.2.a", "I.2.b"}
    assert objectives["I.2.a"][2] == "≥ 50%"
    assert len(objectives["I.2.a"]) == len(header)
    # Activities by task and year: II.2.a has the 2025 meeting.
    activity = next(r for r in rows if r[0].startswith("II.2.a."))
    assert activity[1:7] == ["0", "0", "0", "0", "1", "1"]
    # Tasks no agency reported on: II.1 and its items (listed once, by the section).
    silent = [t for t in texts if t.startswith("- II.")]
    assert any(t.startswith("- II.1. ") for t in silent)
    assert not any(t.startswith(("- II.1.a", "- II.2. ", "- II.2.a")) for t in silent)


# --- PDF -----------------------------------------------------------------------------------------


def test_the_pdf_is_the_same_report_and_page_one_is_not_blank(cast, cycle, tmp_path, soffice):
    import pypdf

    pdf = consolidated_pdf(cycle, user=cast["coordinator1"])
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    first = reader.pages[0].extract_text()
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "SỞ NỘI VỤ"):
        assert expected in first
    # Rendered with pdftoppm: not a blank page.
    from PIL import Image

    from antoan.reports.tests.rendering import first_page_png

    image = Image.open(io.BytesIO(first_page_png(pdf, tmp_path))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 0.002 * image.width * image.height


def test_a_missing_libreoffice_is_a_clear_error(settings, tmp_path):
    settings.ANTOAN_SOFFICE = str(tmp_path / "no-soffice")
    with pytest.raises(PdfUnavailable, match="chưa cài LibreOffice"):
        docx_to_pdf(b"PK")


def test_final_review_converts_to_pdf(plan64, catalogue, soffice):
    from antoan.reports.documents import final_review_pdf

    assert final_review_pdf(plan64).startswith(b"%PDF-")


def test_numbers_are_written_the_vietnamese_way():
    assert num(10_000_000) == "10.000.000"
    assert fmt_indicator(52.3, "percent") == "52,3%"
    assert fmt_indicator(None, "percent", suppressed=True) == "Ẩn (số nhỏ)"
    assert SubmissionStatus.ACCEPTED in IN_HAND
