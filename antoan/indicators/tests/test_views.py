"""The indicator pages as their users meet them."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from antoan.core.models import AuditEvent
from antoan.indicators.tests.test_counting_rules import open_case

YEAR = timezone.localdate().year


@pytest.fixture
def page(client):
    def as_(user):
        client.force_login(user)
        return client

    return as_


def test_the_dashboard_shows_targets_communes_and_operations(page, cast, catalogue, plan64):
    for _ in range(6):
        open_case(cast["worker1"])
    response = page(cast["manager1"]).get("/indicators/")
    assert response.status_code == 200
    html = response.content.decode()
    # Six survivors of Phố Hiến with a need and no service yet: GBV-02 is 0 of 6.
    assert 'data-testid="value-GBV-02">0,0\u00a0%<' in html
    assert "≥ 50\u00a0% (2025)" in html  # GBV-01's target from plan 64, with its year
    board = response.context["board"]
    assert board.table_indicator.code == "GBV-02"
    rows = {v.place_code: (v.numerator, v.denominator, v.suppressed) for v in board.rows}
    assert rows["11953"] == (0, 6, False)
    assert rows["12452"] == (0, 0, False)
    assert '<tr data-testid="commune-row" data-code="11953">' in html
    assert {v.indicator.code for v in board.operational} >= {"OP-01", "OP-04", "OP-11"}


def test_a_filter_that_could_point_at_a_person_is_refused_with_the_reason(page, cast, catalogue):
    response = page(cast["analyst1"]).get("/indicators/?sex=female&age_band=61%2B")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    assert "Chỉ lọc theo một đặc điểm mỗi lần" in html
    assert 'data-testid="card-GBV-02"' not in html  # no figures for a refused question


def test_the_dashboard_asks_a_constant_number_of_queries(page, cast, catalogue, plan64, settings):
    settings.ANTOAN_DASHBOARD_CACHE_SECONDS = 0  # every view computes (test_figure_cache.py)
    client = page(cast["manager1"])
    client.get("/indicators/")  # warm the map of places
    with CaptureQueriesContext(connection) as few:
        client.get("/indicators/")
    for _ in range(12):
        open_case(cast["worker1"])
    with CaptureQueriesContext(connection) as many:
        client.get("/indicators/")
    assert len(many) == len(few) < 120, len(few)


def test_a_dashboard_view_checks_the_map_of_places_once(page, cast, catalogue, plan64):
    from antoan.indicators.selectors.places import rollup
    from antoan.places.models import Place

    client = page(cast["manager1"])
    client.get("/indicators/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/indicators/").status_code == 200
    checks = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "places_place"' in q["sql"] and "COUNT(" in q["sql"]
    ]
    assert len(checks) == 1, checks  # four reads of the map, one check
    # Kept within a request only: outside one (commands, jobs) every read checks the places.
    commune = Place.objects.filter(level=Place.Level.COMMUNE, valid_to__isnull=True).first()
    Place.objects.create(
        code="99999",
        name="Phường Mới",
        level=Place.Level.COMMUNE,
        parent=commune.parent,
        valid_from=commune.valid_from,
    )
    assert "99999" in rollup().communes


def test_an_indicator_page_gives_definition_numerator_and_denominator(page, cast, catalogue):
    for _ in range(5):
        open_case(cast["worker1"])
    response = page(cast["analyst1"]).get(f"/indicators/GBV-02/?year={YEAR}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Trong số người bị bạo lực trên cơ sở giới tìm sự trợ giúp" in html
    assert "Người có nhu cầu trợ giúp: <strong>5</strong>" in html
    assert "Phạm Thị Thu" not in html  # figures, never people
    assert page(cast["analyst1"]).get("/indicators/NOPE/").status_code == 404


def test_an_indicator_without_commune_figures_says_so_for_a_commune(page, cast, catalogue):
    response = page(cast["analyst1"]).get("/indicators/GE-03/?place=11953")
    assert response.status_code == 200
    assert "Chỉ số này không có số liệu theo lựa chọn này" in response.content.decode()


def test_an_indicator_page_shows_its_breakdowns_of_the_year(page, cast, catalogue):
    for _ in range(5):
        open_case(cast["worker1"])
    response = page(cast["analyst1"]).get(f"/indicators/GBV-01/?year={YEAR}")
    breakdowns = dict(response.context["breakdowns"])
    assert set(breakdowns) == {"Giới tính", "Nhóm tuổi", "Loại bạo lực"}
    by_sex = {label: v.numerator for label, v in breakdowns["Giới tính"]}
    assert by_sex["Nữ"] == 5 and by_sex["Nam"] == 0


def test_a_download_keeps_the_filters_neutralises_formulas_and_is_audited(page, cast, catalogue):
    from antoan.places.models import Place

    Place.objects.filter(code="12452").update(name='=HYPERLINK("http://x")')
    from antoan.indicators.selectors.places import forget

    forget()
    response = page(cast["analyst1"]).get(f"/indicators/export.csv?year={YEAR}&period=q1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã chỉ số", "Chỉ số", "Kỳ"]
    assert {row[2] for row in rows[1:]} == {f"{YEAR}Q1"}
    names = {row[5] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in names
    event = AuditEvent.objects.filter(action="export", object_type="indicator_table").get()
    assert event.extra["filters"] == {"year": str(YEAR), "period": "q1"}
    assert event.extra["format"] == "csv"
    xlsx = page(cast["analyst1"]).get("/indicators/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_estimate_is_entered_from_the_page_and_a_stale_one_keeps_what_was_typed(
    page, cast, catalogue
):
    client = page(cast["analyst1"])
    form = {"indicator": "GBV-01", "year": YEAR, "place": "33", "value": 900, "source": "Điều tra"}
    assert client.post("/indicators/estimates/", form).status_code == 302
    # Someone else revises it meanwhile; this user's save names version 1 and is refused.
    from antoan.indicators import services

    services.estimate_save(
        actor=cast["coordinator1"],
        data=services.EstimateInput("GBV-01", YEAR, "33", 950, "Điều tra, bổ sung", version=1),
    )
    stale = client.post("/indicators/estimates/", {**form, "value": 1000, "version": 1})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert 'data-testid="conflict"' in html and 'value="1000"' in html
    assert client.post("/indicators/estimates/", {**form, "value": 0}).status_code == 400


def test_managers_read_estimates_but_may_not_enter_them(page, cast, catalogue):
    client = page(cast["manager1"])
    response = client.get("/indicators/estimates/")
    assert response.status_code == 200
    assert 'data-testid="save-estimate"' not in response.content.decode()
    form = {"indicator": "GBV-01", "year": YEAR, "place": "33", "value": 900, "source": "x"}
    assert client.post("/indicators/estimates/", form).status_code == 403
    assert AuditEvent.objects.filter(action="permission_denied", user=cast["manager1"]).exists()


def test_a_supervisor_sees_their_agency_in_full(page, cast, catalogue):
    open_case(cast["worker1"])
    open_case(cast["worker1"])
    response = page(cast["supervisor1"]).get("/indicators/agency/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="open-cases">2<' in html  # two: small, and shown to those who see them
    assert "Nguyễn Thị Lan" in html  # worker1's caseload, by name


def test_a_hotline_supervisor_sees_calls_by_hour(page, cast, catalogue):
    from antoan.accounts.demo import demo_user
    from antoan.accounts.models import Agency
    from antoan.hotline import services as hotline

    supervisor = demo_user(
        "hotlinesup1", "Phan Thị Ngọc", Agency.objects.get(code="ctxh-tinh"), "case_supervisor",
        password="x-very-long-password-1",
    )  # fmt: skip
    hotline.call_log(
        actor=cast["hotline1"],
        data=hotline.CallInput(
            received_at=timezone.now(), channel="phone", caller_type="survivor",
            category="dv", summary="", immediate_danger=False,
        ),
    )  # fmt: skip
    html = page(supervisor).get("/indicators/hotline/").content.decode()
    assert 'data-testid="calls-total">1<' in html


def test_a_province_of_many_communes_shows_their_table_folded_until_sorted(
    page, cast, catalogue, plan64, mini_places
):
    from antoan.places.models import Place

    for n in range(12):
        Place.objects.create(
            code=f"9{n:04d}",
            name=f"Xã Thử {n}",
            level="commune",
            parent=mini_places["province"],
            valid_from=mini_places["province"].valid_from,
        )
    client = page(cast["manager1"])
    html = client.get("/indicators/").content.decode()
    assert "Bảng số liệu theo xã, phường</summary>" in html
    assert '<details class="commune-table-details" data-testid="commune-table-details">' in html
    # Asking for an order opens it: the user wants to read the rows.
    html = client.get("/indicators/?indicator=GBV-02&sort=-value").content.decode()
    assert 'data-testid="commune-table-details" open>' in html


def test_a_few_communes_show_their_table_open(page, cast, catalogue, plan64):
    html = page(cast["manager1"]).get("/indicators/").content.decode()
    assert 'data-testid="commune-table-details" open>' in html
