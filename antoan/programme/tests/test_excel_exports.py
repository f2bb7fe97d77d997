"""Exporting the models registry, the influencer network and the budget to Excel: who may, what
the file holds under the page's filters, formulas kept as text, and the audit trail."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from antoan.core.models import AuditEvent
from antoan.programme import services

pytestmark = pytest.mark.django_db

MODELS = reverse("programme_toolkit:export_models")
INFLUENCERS = reverse("programme_toolkit:export_influencers")
BUDGET = reverse("programme_toolkit:export_budget")
PAGES = {
    MODELS: "/programme/models/",
    INFLUENCERS: "/programme/influencers/",
    BUDGET: "/programme/budget/",
}
FORMULA = '=HYPERLINK("http://example.com","Bấm vào đây")'


def workbook(response, *, read_only: bool = True) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content), read_only=read_only)


def rows(wb, sheet: str) -> list[dict]:
    """A sheet's rows as {header: value}."""
    header, *body = wb[sheet].iter_rows(values_only=True)
    # A read-only sheet leaves out a row's empty cells at the end.
    return [
        dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True)) for row in body
    ]


def last_export() -> AuditEvent:
    return AuditEvent.objects.filter(action="export").latest("pk")


# --- Data --------------------------------------------------------------------------------------


@pytest.fixture
def registry(cast, reporter2, agencies, mini_places, record):
    """A trusted address of Phố Hiến (with one activity) and a paused safe school of Trần Hưng
    Đạo whose note looks like a formula."""
    save = services.community_model_save
    shelter = save(
        actor=cast["reporter1"],
        data=services.ModelInput(
            kind="trusted_address",
            name="Địa chỉ tin cậy tổ dân phố 3",
            place=mini_places["commune_a"],
            agency=agencies["ubnd-pho-hien"],
            founded_on=dt.date(2022, 3, 8),
            members_total=9,
            members_female=6,
        ),
    )
    school = save(
        actor=reporter2,
        data=services.ModelInput(
            kind="safe_school",
            name="Trường THCS Trần Hưng Đạo",
            place=mini_places["commune_b"],
            agency=agencies["ubnd-tran-hung-dao"],
            status="paused",
            members_total=30,
            members_female=18,
            note="@SUM(A1:A9)",
        ),
    )
    record(
        "reporter1",
        kind="model_activity",
        tasks=["II.4.a-2"],
        title="Sinh hoạt định kỳ của địa chỉ tin cậy",
        details={"community_model": shelter},
    )
    return shelter, school


@pytest.fixture
def network(cast, reporter2, agencies, mini_places):
    """Two people of Phố Hiến (one no longer active) and one of Trần Hưng Đạo."""
    save = services.influencer_save
    a, b = mini_places["commune_a"], mini_places["commune_b"]
    pho_hien, thd = agencies["ubnd-pho-hien"], agencies["ubnd-tran-hung-dao"]
    return [
        save(
            actor=cast["reporter1"],
            name="Nguyễn Văn Bình",
            group="elder",
            place=a,
            agency=pho_hien,
            title="Trưởng ban công tác mặt trận",
            sex="male",
        ),
        save(
            actor=cast["reporter1"],
            name="Lê Thị Cúc",
            group="teacher",
            place=a,
            agency=pho_hien,
            active=False,
        ),
        save(
            actor=reporter2,
            name=FORMULA,
            group="village_head",
            place=b,
            agency=thd,
            title="-1+2",
            sex="female",
        ),
    ]


@pytest.fixture
def budget(cast, agencies, plan64, record):
    """Phố Hiến: 2025, commune budget, 20 M planned, 10 M allocated, 7.5 M spent (an activity).
    Trần Hưng Đạo: 2024, provincial budget, 5 M planned, 4 M allocated, nothing spent."""
    coordinator = cast["coordinator1"]
    services.budget_line_save(
        actor=coordinator,
        plan=plan64,
        agency=agencies["ubnd-pho-hien"],
        year=2025,
        source="commune_budget",
        planned=20_000_000,
        allocated=10_000_000,
    )
    services.budget_line_save(
        actor=coordinator,
        plan=plan64,
        agency=agencies["ubnd-tran-hung-dao"],
        year=2024,
        source="provincial_budget",
        planned=5_000_000,
        allocated=4_000_000,
    )
    record("reporter1", spending={"commune_budget": 7_500_000})
    return plan64


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("reporter1", 200),
        ("coordinator1", 200),
        ("analyst1", 200),
        ("manager1", 200),
        ("worker1", 403),
        ("auditor1", 403),
    ],
)
def test_who_may_export_is_who_may_see_the_page(cast, plan64, client_for, username, status):
    client = client_for(cast[username])
    for export, page in PAGES.items():
        assert client.get(page).status_code == status, (username, page)
        assert client.get(export).status_code == status, (username, export)
    if status == 403:
        assert not AuditEvent.objects.filter(action="export").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, plan64):
    for export in PAGES:
        response = client.get(export)
        assert response.status_code == 302 and "/login" in response["Location"], export


def test_a_plan_the_user_may_not_see_is_not_found_as_on_the_page(cast, plan64, client_for):
    client = client_for(cast["coordinator1"])
    assert client.get(PAGES[BUDGET], {"plan": 999999}).status_code == 404
    assert client.get(BUDGET, {"plan": 999999}).status_code == 404


def test_each_page_links_to_its_export_with_its_filters(cast, plan64, client_for):
    client = client_for(cast["analyst1"])
    page = client.get(PAGES[MODELS], {"kind": "safe_school"}).content.decode()
    assert f'href="{MODELS}?kind=safe_school"' in page and "Xuất Excel" in page
    page = client.get(PAGES[BUDGET], {"plan": plan64.pk, "year": 2025}).content.decode()
    assert f'href="{BUDGET}?plan={plan64.pk}&amp;year=2025"' in page
    page = client.get(PAGES[INFLUENCERS]).content.decode()
    assert f'href="{INFLUENCERS}?"' in page


# --- Models registry -------------------------------------------------------------------------


def test_the_models_export_holds_what_the_page_lists(cast, client_for, registry, vietnamese):
    shelter, school = registry
    client = client_for(cast["analyst1"])
    wb = workbook(client.get(MODELS))
    exported = rows(wb, "Mô hình")
    page_models = client.get(PAGES[MODELS]).context["models"]
    assert [r["Tên mô hình"] for r in exported] == [m.name for m in page_models]
    assert [r["Tên mô hình"] for r in exported] == [school.name, shelter.name]  # by kind
    first = exported[1]
    assert first["Loại mô hình"] == "Địa chỉ tin cậy - nhà tạm lánh tại cộng đồng"
    assert (first["Mã địa bàn"], first["Địa bàn"]) == ("11953", "Phường Phố Hiến")
    assert first["Cơ quan chủ quản"] == shelter.agency.name
    assert first["Ngày thành lập"].date() == dt.date(2022, 3, 8)
    assert first["Tình trạng"] == "Đang hoạt động"
    assert (first["Số thành viên"], first["Trong đó nữ"], first["Số hoạt động"]) == (9, 6, 1)
    assert exported[0]["Tình trạng"] == "Tạm dừng" and exported[0]["Số hoạt động"] == 0
    full = workbook(client.get(MODELS), read_only=False)["Mô hình"]
    assert full["F3"].number_format == "DD/MM/YYYY"  # shown dd/mm/yyyy


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"kind": "safe_school"}, ["Trường THCS Trần Hưng Đạo"]),
        ({"status": "active"}, ["Địa chỉ tin cậy tổ dân phố 3"]),
        ({"commune": "12452"}, ["Trường THCS Trần Hưng Đạo"]),
        ({"kind": "men_pioneers"}, []),
        ({"kind": "no-such-kind"}, ["Trường THCS Trần Hưng Đạo", "Địa chỉ tin cậy tổ dân phố 3"]),
    ],
)
def test_the_models_export_follows_the_pages_filters(cast, client_for, registry, query, names):
    client = client_for(cast["reporter1"])
    exported = [r["Tên mô hình"] for r in rows(workbook(client.get(MODELS, query)), "Mô hình")]
    assert exported == [m.name for m in client.get(PAGES[MODELS], query).context["models"]]
    assert exported == names
    event = last_export()
    assert event.object_type == "programme.model" and event.username == "reporter1"
    assert event.extra["rows"] == len(names)
    used = {k: v for k, v in event.extra["filters"].items() if v}
    assert used == ({} if "no-such-kind" in query.values() else query)  # ignored, as on the page


def test_a_note_that_looks_like_a_formula_stays_text(cast, client_for, registry):
    ws = workbook(client_for(cast["manager1"]).get(MODELS), read_only=False)["Mô hình"]
    [note] = [c for c in ws["K"] if c.value == "@SUM(A1:A9)"]
    assert note.data_type == "s" and note.quotePrefix is True


# --- Influencers -----------------------------------------------------------------------------


def test_a_reporter_exports_only_their_agencys_people(cast, client_for, network, vietnamese):
    client = client_for(cast["reporter1"])
    wb = workbook(client.get(INFLUENCERS))
    people = rows(wb, "Danh sách")
    assert [p["Họ và tên"] for p in people] == [
        p.name for p in client.get(PAGES[INFLUENCERS]).context["people"]
    ]
    assert sorted(p["Họ và tên"] for p in people) == ["Lê Thị Cúc", "Nguyễn Văn Bình"]
    binh = next(p for p in people if p["Họ và tên"] == "Nguyễn Văn Bình")
    assert binh["Nhóm"] == "Người cao tuổi có uy tín" and binh["Giới tính"] == "Nam"
    assert (binh["Mã xã, phường"], binh["Đang tham gia"]) == ("11953", "Có")
    cuc = next(p for p in people if p["Họ và tên"] == "Lê Thị Cúc")
    assert cuc["Đang tham gia"] == "Không"
    event = last_export()
    assert event.object_type == "programme.influencer" and event.extra["rows"] == 2
    assert event.extra["filters"] == {"named": True}


def test_the_coordinator_exports_everyone_and_a_formula_name_stays_text(cast, client_for, network):
    response = client_for(cast["coordinator1"]).get(INFLUENCERS)
    people = rows(workbook(response), "Danh sách")
    assert sorted(p["Họ và tên"] for p in people) == sorted(p.name for p in network)
    ws = workbook(response, read_only=False)["Danh sách"]
    cells = {c.value: c for row in ws.iter_rows(min_row=2) for c in row if c.value}
    assert cells[FORMULA].data_type == "s" and cells[FORMULA].quotePrefix is True
    assert cells["-1+2"].data_type == "s" and cells["-1+2"].quotePrefix is True


def test_analysts_get_counts_not_names(cast, client_for, network, vietnamese):
    client = client_for(cast["analyst1"])
    assert client.get(PAGES[INFLUENCERS]).context["people"] is None
    response = client.get(INFLUENCERS)
    wb = workbook(response)
    assert wb.sheetnames == ["Số lượng"]
    counts = rows(wb, "Số lượng")
    assert counts == [
        {
            "Mã xã, phường": "11953",
            "Xã, phường": "Phường Phố Hiến",
            "Nhóm": "Người cao tuổi có uy tín",
            "Số người đang tham gia": 1,
        },
        {
            "Mã xã, phường": "12452",
            "Xã, phường": "Phường Trần Hưng Đạo",
            "Nhóm": "Trưởng thôn, tổ dân phố",
            "Số người đang tham gia": 1,
        },
    ]
    cells = {v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert not cells & {person.name for person in network}
    event = last_export()
    assert event.username == "analyst1" and event.extra == {
        "format": "xlsx",
        "rows": 2,
        "filters": {"named": False},
        "path": INFLUENCERS,
    }


# --- Budget ----------------------------------------------------------------------------------


def test_the_budget_export_holds_the_pages_rows_and_the_rate_per_agency(
    cast, client_for, budget, agencies, vietnamese
):
    client = client_for(cast["manager1"])
    query = {"plan": budget.pk}
    wb = workbook(client.get(BUDGET, query))
    assert wb.sheetnames == ["Kinh phí", "Theo cơ quan"]
    detail = rows(wb, "Kinh phí")
    page_rows = [item["row"] for item in client.get(PAGES[BUDGET], query).context["rows"]]
    assert [(r["Năm"], r["Cơ quan"], r["Đã chi (đồng)"]) for r in detail] == [
        (r.year, r.agency.name, r.spent) for r in page_rows
    ]
    assert detail == [
        {
            "Năm": 2024,
            "Cơ quan": agencies["ubnd-tran-hung-dao"].name,
            "Nguồn kinh phí": "Ngân sách tỉnh",
            "Dự toán (đồng)": 5_000_000,
            "Được giao (đồng)": 4_000_000,
            "Đã chi (đồng)": 0,
            "Tỷ lệ thực hiện (%)": 0,
        },
        {
            "Năm": 2025,
            "Cơ quan": agencies["ubnd-pho-hien"].name,
            "Nguồn kinh phí": "Ngân sách xã",
            "Dự toán (đồng)": 20_000_000,
            "Được giao (đồng)": 10_000_000,
            "Đã chi (đồng)": 7_500_000,
            "Tỷ lệ thực hiện (%)": 75,
        },
    ]
    by_agency = {r["Cơ quan"]: r for r in rows(wb, "Theo cơ quan")}
    assert by_agency[agencies["ubnd-pho-hien"].name]["Tỷ lệ thực hiện (%)"] == 75
    assert by_agency[agencies["ubnd-tran-hung-dao"].name]["Được giao (đồng)"] == 4_000_000
    event = last_export()
    assert event.object_type == "programme.budget_line" and event.username == "manager1"
    assert event.extra["rows"] == 2
    assert event.extra["filters"] == {"plan": budget.pk, "year": None, "agency": None}


def test_the_budget_export_follows_the_year_and_agency_filters(cast, client_for, budget, agencies):
    client = client_for(cast["coordinator1"])
    pho_hien = agencies["ubnd-pho-hien"]
    for query in ({"year": 2025}, {"agency": pho_hien.pk}):
        query = {"plan": budget.pk, **query}
        wb = workbook(client.get(BUDGET, query))
        page = client.get(PAGES[BUDGET], query).context
        detail = rows(wb, "Kinh phí")
        assert [r["Cơ quan"] for r in detail] == [i["row"].agency.name for i in page["rows"]]
        assert [r["Cơ quan"] for r in detail] == [pho_hien.name]
        assert [r["Cơ quan"] for r in rows(wb, "Theo cơ quan")] == [pho_hien.name]
    assert last_export().extra["filters"] == {
        "plan": budget.pk,
        "year": None,
        "agency": pho_hien.pk,
    }
    empty_year = rows(workbook(client.get(BUDGET, {"plan": budget.pk, "year": 2021})), "Kinh phí")
    assert empty_year == []
