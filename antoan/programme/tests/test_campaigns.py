"""Campaigns: recurring ones created once, windows across year ends, activities linked by date,
reminders sent once, and the report's figures read back from the Excel and Word files."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as ET
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from antoan.core.documents import decree30
from antoan.core.models import AuditEvent
from antoan.programme.models import Campaign, CampaignPlanItem, CampaignReminder
from antoan.programme.selectors import campaigns as sel
from antoan.programme.services import campaigns as services
from antoan.programme.tests.builders import make_reporter

pytestmark = pytest.mark.django_db

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def ad_hoc(actor, start, end, *, agencies=(), title="Chiến dịch truyền thông", theme=""):
    return services.campaign_create(
        actor=actor,
        data=services.CampaignInput(
            title=title,
            theme=theme,
            start_date=start,
            end_date=end,
            expected_agencies=list(agencies),
        ),
    )


def recurring(kind: str, year: int) -> Campaign:
    return Campaign.objects.get(kind=kind, year=year)


# --- Recurring campaigns -------------------------------------------------------------------------


def test_next_years_campaigns_are_created_once_and_edits_survive(cast, plan64, agencies):
    call_command("ensure_campaigns", "--year", "2026", stdout=io.StringIO())
    rows = list(Campaign.objects.order_by("pk").values_list("kind", "year", "start_date"))
    assert len(rows) == 6
    created = AuditEvent.objects.filter(action="create", object_type="programme.campaign")
    assert {(e.username, e.extra["by"]) for e in created} == {("system", "ensure_campaigns")}
    assert ("action_month", 2027, dt.date(2027, 11, 15)) in rows
    assert ("dv_month", 2026, dt.date(2026, 6, 1)) in rows
    month = recurring("action_month", 2026)
    assert (month.start_date, month.end_date) == (dt.date(2026, 11, 15), dt.date(2026, 12, 15))
    assert month.title == (
        "Tháng hành động vì bình đẳng giới và phòng, chống bạo lực trên cơ sở giới năm 2026"
    )

    # The coordinator sets the year's theme and renames it; the command runs again.
    services.campaign_update(
        actor=cast["coordinator1"],
        campaign=month,
        data=services.CampaignInput(
            title="Tháng hành động năm 2026 của tỉnh",
            theme="Chung tay chấm dứt bạo lực đối với phụ nữ và trẻ em gái",
            start_date=None,
            end_date=None,
            expected_agencies=[agencies["hoi-lhpn-tinh"]],
        ),
        version=month.version,
    )
    out = io.StringIO()
    call_command("ensure_campaigns", "--year", "2026", stdout=out)
    assert "created 0" in out.getvalue()
    assert list(Campaign.objects.order_by("pk").values_list("kind", "year", "start_date")) == rows
    month.refresh_from_db()
    assert month.theme == "Chung tay chấm dứt bạo lực đối với phụ nữ và trẻ em gái"
    assert month.title == "Tháng hành động năm 2026 của tỉnh"
    assert [a.code for a in month.expected_agencies.all()] == ["hoi-lhpn-tinh"]


def test_expected_agencies_are_those_of_iv_10_in_the_plan_in_force(cast, plan64):
    services.ensure_recurring(years=[2025, 2026])
    in_2025 = recurring("action_month", 2025)
    codes = {a.code for a in in_2025.expected_agencies.all()}
    # The women's union leads IV.10; the labour department's duties went to Sở Nội vụ and Sở Y
    # tế on 1/3/2025, so its heirs are expected, not the dissolved department.
    assert {"hoi-lhpn-tinh", "so-noi-vu"} <= codes
    assert "so-ldtbxh" not in codes
    # No plan is in force in 2026 (64/KH-UBND ended on 31/12/2025): nobody by default.
    assert not recurring("action_month", 2026).expected_agencies.exists()


def test_the_calendar_creates_this_years_campaigns_when_the_command_never_ran(
    cast, plan64, client_for
):
    assert not Campaign.objects.exists()
    page = client_for(cast["analyst1"]).get("/programme/campaigns/")
    assert page.status_code == 200
    year = timezone.localdate().year
    assert Campaign.objects.filter(year__in=[year, year + 1]).count() == 6
    assert f"Ngày quốc tế xóa bỏ bạo lực đối với phụ nữ và trẻ em gái năm {year + 1}" in (
        page.content.decode()
    )
    # The write is audited, naming the visit that made it.
    created = AuditEvent.objects.filter(action="create", object_type="programme.campaign")
    assert created.count() == 6
    assert {(e.username, e.extra["by"]) for e in created} == {("analyst1", "calendar")}
    client_for(cast["coordinator1"]).get("/programme/campaigns/")
    assert Campaign.objects.count() == 6
    assert created.count() == 6


# --- Windows and linked activities --------------------------------------------------------------


def test_a_window_across_a_year_end_belongs_to_its_first_year(cast, plan64, record, agencies):
    coordinator = cast["coordinator1"]
    campaign = ad_hoc(coordinator, dt.date(2026, 12, 20), dt.date(2027, 1, 10))
    assert campaign.year == 2026 and campaign.kind == "ad_hoc"
    assert [r.campaign for r in sel.calendar(coordinator, year=2026)] == [campaign]
    assert sel.calendar(coordinator, year=2027) == []

    # Activities link by their start date, across the year end (recorded ones are past).
    winter = ad_hoc(coordinator, dt.date(2024, 12, 20), dt.date(2025, 1, 10))
    inside = record(start_date=dt.date(2025, 1, 5), end_date=dt.date(2025, 1, 5))
    first_day = record(start_date=dt.date(2024, 12, 20), end_date=dt.date(2024, 12, 21))
    after = record(start_date=dt.date(2025, 1, 11), end_date=dt.date(2025, 1, 11))
    linked = set(sel.campaign_activities(coordinator, winter))
    assert {inside, first_day} <= linked
    assert after not in linked
    assert sel.campaigns_of_activity(inside) == [winter]


def test_the_action_month_crossing_into_december_and_25_11(cast, plan64, record, client_for):
    services.ensure_recurring(years=[2025])
    month, day = recurring("action_month", 2025), recurring("elimination_day", 2025)
    on_the_day = record(start_date=dt.date(2025, 11, 25), end_date=dt.date(2025, 11, 25))
    in_december = record(start_date=dt.date(2025, 12, 10), end_date=dt.date(2025, 12, 10))
    before = record(start_date=dt.date(2025, 11, 10), end_date=dt.date(2025, 11, 20))

    assert sel.campaigns_of_activity(on_the_day) == [month, day]
    assert sel.campaigns_of_activity(in_december) == [month]
    assert sel.campaigns_of_activity(before) == []  # started before the window

    page = client_for(cast["reporter1"]).get(f"/programme/activities/{on_the_day.pk}/")
    shown = page.content.decode()
    assert month.title in shown and day.title in shown
    assert "15/11/2025 – 15/12/2025" in shown
    # Moving the activity moves it out: nothing stored to go stale.
    on_the_day.start_date = on_the_day.end_date = dt.date(2025, 12, 20)
    on_the_day.save()
    assert sel.campaigns_of_activity(on_the_day) == []


# --- Reminders -------------------------------------------------------------------------------


@pytest.fixture
def snv_reporter(agencies):
    user = make_reporter("reporter_snv", agencies["so-noi-vu"])
    user.email = "baocao.snv@example.vn"
    user.save()
    return user


def test_reminders_go_once_at_30_and_7_days_and_none_after_the_start(
    cast, plan64, agencies, snv_reporter, django_capture_on_commit_callbacks, client_for
):
    today = timezone.localdate()
    start = today + dt.timedelta(days=30)
    campaign = ad_hoc(
        cast["coordinator1"],
        start,
        start + dt.timedelta(days=14),
        agencies=[agencies["so-noi-vu"]],
        title="Chiến dịch phòng, chống quấy rối tình dục nơi làm việc",
    )
    # Thirty days before: the command, twice (it runs every hour).
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_campaign_reminders", "--now", stdout=io.StringIO())
    rows = CampaignReminder.objects.filter(campaign=campaign)
    assert list(rows.values_list("user__username", "days_before")) == [("reporter_snv", 30)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["baocao.snv@example.vn"]
    assert "Còn 30 ngày" in mail.outbox[0].subject
    assert f"/programme/campaigns/{campaign.pk}/" in mail.outbox[0].body
    # Not sent to another agency's reporter.
    assert not rows.filter(user=cast["reporter1"]).exists()

    # In the app: on the programme pages and the campaign's page, for that reporter only.
    reporter = client_for(snv_reporter)
    calendar = reporter.get("/programme/campaigns/").content.decode()
    assert 'data-testid="campaign-reminders"' in calendar
    assert (
        'data-testid="campaign-reminder"'
        in reporter.get(f"/programme/campaigns/{campaign.pk}/").content.decode()
    )

    # Seven days before, twice; then the day it starts and after: nothing more.
    for day in (start - dt.timedelta(days=7), start - dt.timedelta(days=6)):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_send(today=day)
    assert sorted(rows.values_list("days_before", flat=True)) == [7, 30]
    assert len(mail.outbox) == 2
    for day in (start, start + dt.timedelta(days=1)):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_send(today=day)
    assert rows.count() == 2 and len(mail.outbox) == 2


def test_a_campaign_added_late_gets_the_nearest_reminder_only(
    cast, plan64, agencies, snv_reporter, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    campaign = ad_hoc(
        cast["coordinator1"],
        today + dt.timedelta(days=5),
        today + dt.timedelta(days=10),
        agencies=[agencies["so-noi-vu"]],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=today)
    assert list(CampaignReminder.objects.values_list("campaign", "days_before")) == [
        (campaign.pk, 7)
    ]
    assert len(mail.outbox) == 1


# --- The report ------------------------------------------------------------------------------


@pytest.fixture
def action_month_2025(cast, plan64, record, reporter2, mini_places, snv_reporter):
    """The Action Month 2025 with three activities of two communes, and the Action Month 2024
    with one provincial activity."""
    services.ensure_recurring(years=[2025])
    month = recurring("action_month", 2025)
    record(
        title="Hội thi tìm hiểu pháp luật về phòng, chống bạo lực gia đình",
        start_date=dt.date(2025, 11, 20),
        end_date=dt.date(2025, 11, 20),
        participants_total=120,
        participants_female=80,
        participants_male=38,
        participants_other=2,
        details={"channel": "contest", "materials_produced": 50, "materials_distributed": 400},
        spending={"commune_budget": 12_000_000},
    )
    record(
        title="Treo băng rôn hưởng ứng Tháng hành động",
        start_date=dt.date(2025, 12, 1),
        end_date=dt.date(2025, 12, 2),
        participants_total=30,
        participants_female=20,
        participants_male=10,
        details={"channel": "printed_material", "materials_produced": 10},
        spending={"commune_budget": 3_000_000},
    )
    record(
        reporter2,
        agency="ubnd-tran-hung-dao",
        place=mini_places["commune_b"],
        title="Sinh hoạt chuyên đề tại tổ dân phố",
        start_date=dt.date(2025, 11, 25),
        end_date=dt.date(2025, 11, 25),
        participants_total=45,
        participants_female=30,
        participants_male=15,
        spending={"commune_budget": 2_500_000},
    )
    record(
        snv_reporter,
        agency="so-noi-vu",
        place=mini_places["old_province"],
        title="Mít tinh hưởng ứng Tháng hành động năm 2024",
        start_date=dt.date(2024, 11, 16),
        end_date=dt.date(2024, 11, 16),
        participants_total=200,
        participants_female=150,
        participants_male=50,
        details={"channel": "meeting", "materials_distributed": 300},
        spending={"provincial_budget": 20_000_000},
    )
    return month


def test_the_report_by_agency_place_and_sex_against_the_year_before(cast, action_month_2025):
    report = sel.campaign_report(cast["analyst1"], action_month_2025)
    t = report.totals
    assert (t.activities, t.people, t.female, t.male, t.other) == (3, 195, 130, 63, 2)
    assert (t.materials_produced, t.materials_distributed, t.spent) == (60, 400, 17_500_000)
    by_agency = {line.label: line.figures for line in report.by_agency}
    assert by_agency["Ủy ban nhân dân phường Phố Hiến"].people == 150
    assert by_agency["Ủy ban nhân dân phường Phố Hiến"].spent == 15_000_000
    assert by_agency["Ủy ban nhân dân phường Trần Hưng Đạo"].female == 30
    by_place = {line.key: line.figures for line in report.by_place}
    assert by_place["11953"].activities == 2
    assert report.previous_year == 2024
    p = report.previous
    assert (p.activities, p.people, p.female, p.spent) == (1, 200, 150, 20_000_000)


def test_the_xlsx_report_reads_back(cast, action_month_2025, client_for):
    client = client_for(cast["coordinator1"])
    response = client.get(f"/programme/campaigns/{action_month_2025.pk}/report.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Tổng hợp", "Theo cơ quan", "Theo địa bàn"]
    summary = {row[0]: row[1:] for row in wb["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Số người được tiếp cận"] == (195, 200, -5)
    assert summary["Nữ"] == (130, 150, -20)
    assert summary["Kinh phí đã chi (đồng)"] == (17_500_000, 20_000_000, -2_500_000)
    header, *agency_rows = wb["Theo cơ quan"].iter_rows(values_only=True)
    assert header[:4] == ("Cơ quan", "Số hoạt động", "Số người được tiếp cận", "Nữ")
    by_agency = {row[0]: row for row in agency_rows}
    assert by_agency["Ủy ban nhân dân phường Trần Hưng Đạo"][1:6] == (1, 45, 30, 15, 0)
    places = {row[0]: row for row in wb["Theo địa bàn"].iter_rows(min_row=2, values_only=True)}
    assert places["11953"][2:4] == (2, 150)
    event = AuditEvent.objects.get(action="export", object_type="programme.campaign")
    assert event.extra["format"] == "xlsx"


def _docx_parts(data: bytes) -> tuple[Element, Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return ET.fromstring(z.read("word/document.xml")), ET.fromstring(z.read("word/styles.xml"))


def _paragraphs(document: Element) -> list[tuple[str, Element]]:
    return [("".join(t.text or "" for t in p.iter(f"{W}t")), p) for p in document.iter(f"{W}p")]


def _run_props(paragraph: Element) -> Element:
    run = paragraph.find(f"{W}r")
    assert run is not None
    props = run.find(f"{W}rPr")
    return props if props is not None else Element("none")


def test_the_docx_report_has_the_decree_30_layout_and_the_figures(
    cast, action_month_2025, client_for
):
    client = client_for(cast["coordinator1"])
    response = client.get(f"/programme/campaigns/{action_month_2025.pk}/report.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == decree30.DOCX_CONTENT_TYPE
    document, styles = _docx_parts(response.content)

    # A4, margins within the decree's ranges (twips: 1 mm = 56.7).
    size = document.find(f".//{W}pgSz")
    assert (int(size.get(f"{W}w")), int(size.get(f"{W}h"))) == (11906, 16838)
    margins = {k: int(v) / 56.6929 for k, v in document.find(f".//{W}pgMar").attrib.items()}
    assert 20 <= round(margins[f"{W}top"]) <= 25 and 20 <= round(margins[f"{W}bottom"]) <= 25
    assert 30 <= round(margins[f"{W}left"]) <= 35 and 15 <= round(margins[f"{W}right"]) <= 20
    # Times New Roman, 14 pt by default.
    fonts = styles.find(f".//{W}rPrDefault//{W}rFonts")
    assert fonts.get(f"{W}ascii") == "Times New Roman"
    assert styles.find(f".//{W}rPrDefault//{W}sz").get(f"{W}val") == "28"

    paragraphs = _paragraphs(document)
    text = dict(paragraphs)
    # The header: a two-column table without borders.
    header = document.find(f".//{W}tbl")
    assert len(header.find(f"{W}tblGrid")) == 2
    assert header.find(f".//{W}tblBorders/{W}top").get(f"{W}val") == "nil"
    header_text = "".join(t.text or "" for t in header.iter(f"{W}t"))
    assert "SỞ NỘI VỤ TỈNH HƯNG YÊN" in header_text  # the coordinator's agency, upper case
    assert _run_props(text["SỞ NỘI VỤ TỈNH HƯNG YÊN"]).find(f"{W}b") is not None
    assert "Số: …/BC-…" in text
    national = _run_props(text["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    assert national.find(f"{W}b") is not None
    motto = _run_props(text["Độc lập - Tự do - Hạnh phúc"])
    assert motto.find(f"{W}b") is not None and motto.find(f"{W}u") is not None
    dated = decree30.date_line("Hưng Yên", timezone.localdate())
    assert _run_props(text[dated]).find(f"{W}i") is not None
    kind = text["BÁO CÁO"]
    assert kind.find(f".//{W}jc").get(f"{W}val") == "center"
    assert _run_props(kind).find(f"{W}b") is not None
    assert f"Kết quả {action_month_2025.title}" in text
    recipients = _run_props(text["Nơi nhận:"])
    assert recipients.find(f"{W}b") is not None and recipients.find(f"{W}i") is not None
    assert recipients.find(f"{W}sz").get(f"{W}val") == "24"
    assert "THỦ TRƯỞNG CƠ QUAN" in text
    # The figures: totals, a row per agency, the comparison with 2024.
    body = "\n".join(text)
    assert "tiếp cận 195 lượt người (nữ 130, nam 63, khác 2)" in body
    assert "kinh phí đã chi 17.500.000 đồng" in body
    rows = [
        ["".join(t.text or "" for t in cell.iter(f"{W}t")) for cell in row.iter(f"{W}tc")]
        for row in document.iter(f"{W}tr")
    ]
    assert ["Ủy ban nhân dân phường Trần Hưng Đạo", "1", "45", "30", "15", "0", "0", "0",
            "2.500.000"] in rows  # fmt: skip
    assert ["Số người được tiếp cận", "200", "195", "-5"] in rows
    assert AuditEvent.objects.filter(action="export", extra__format="docx").count() == 1


def test_python_docx_reads_the_report(cast, action_month_2025):
    import docx

    report = sel.campaign_report(cast["coordinator1"], action_month_2025)
    from antoan.programme.campaign_docx import build_campaign_docx

    document = docx.Document(io.BytesIO(build_campaign_docx(report, cast["coordinator1"])))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 30 <= round(section.left_margin.mm) <= 35
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    fonts = {run.font.name for p in document.paragraphs for run in p.runs if run.font.name}
    styles = {document.styles["Normal"].font.name}
    assert fonts | styles <= {"Times New Roman"}


def test_libreoffice_converts_the_report_to_pdf(cast, action_month_2025, soffice):
    from antoan.programme.campaign_docx import build_campaign_docx
    from antoan.reports.documents import docx_to_pdf

    report = sel.campaign_report(cast["coordinator1"], action_month_2025)
    pdf = docx_to_pdf(build_campaign_docx(report, cast["coordinator1"]))
    assert pdf.startswith(b"%PDF-")


def test_the_calendar_counts_agencies_that_planned_and_reported(
    cast, action_month_2025, agencies, django_assert_max_num_queries
):
    reporter, pho_hien = cast["reporter1"], agencies["ubnd-pho-hien"]
    for title in ("Mít tinh", "Treo băng rôn"):  # two items, one agency
        CampaignPlanItem.objects.create(
            campaign=action_month_2025,
            agency=pho_hien,
            title=title,
            kind="communication",
            start_date=dt.date(2025, 11, 20),
            end_date=dt.date(2025, 11, 20),
            place=pho_hien.place,
            created_by=reporter,
            updated_by=reporter,
        )
    with django_assert_max_num_queries(3):
        rows = {r.campaign.kind: r for r in sel.calendar(cast["analyst1"], year=2025)}
    # Two communes held activities in the Action Month, one of them on 25/11; the 2024
    # activity is not counted.
    assert (rows["action_month"].planned, rows["action_month"].reported) == (1, 2)
    assert (rows["elimination_day"].planned, rows["elimination_day"].reported) == (0, 1)
    assert rows["dv_month"].reported == 0


def test_an_ad_hoc_campaign_is_not_compared(cast, plan64):
    campaign = ad_hoc(cast["coordinator1"], dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    report = sel.campaign_report(cast["manager1"], campaign)
    assert report.previous is None and report.totals.activities == 0


def test_the_campaign_page_shows_the_report_against_the_year_before(
    cast, action_month_2025, client_for
):
    page = client_for(cast["manager1"]).get(f"/programme/campaigns/{action_month_2025.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="campaign-comparison"' in html
    assert "Năm 2024: từ 15/11/2024 đến 15/12/2024." in html
    assert "Ủy ban nhân dân phường Trần Hưng Đạo" in html  # by agency
    # Managers see figures, not the list of activities.
    assert 'data-testid="campaign-activities"' not in html
    listed = client_for(cast["coordinator1"]).get(f"/programme/campaigns/{action_month_2025.pk}/")
    assert "Hội thi tìm hiểu pháp luật về phòng, chống bạo lực gia đình" in listed.content.decode()
