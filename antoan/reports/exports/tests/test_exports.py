"""The four statistical exports, as an analyst and the receiving systems see them."""

from __future__ import annotations

import datetime as dt
import io
import re
from unittest import mock

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from antoan.cases import services
from antoan.core.models import AuditEvent
from antoan.indicators.tests.test_counting_rules import open_case
from antoan.places.models import Place

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UID = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")
NAME = "Hoàng Thị Bích Ngọc"
PHONE = "0912345678"
ADDRESS = "Số 17 ngõ Hoa Sữa"


@pytest.fixture
def api(client):
    def as_(user):
        client.force_login(user)
        return client

    return as_


@pytest.fixture
def later():
    """Call after signing in: the login-security clock moves past the step-up window."""
    patches = []

    def move(minutes: int = 10):
        patch = mock.patch(
            "antoan.accounts.services.now",
            return_value=timezone.now() + dt.timedelta(minutes=minutes),
        )
        patch.start()
        patches.append(patch)

    yield move
    for patch in patches:
        patch.stop()


def known_case(user, *, reporting=True, commune="11953", birth_year=1958):
    """A case whose survivor's name, phone and address must never leave in an export."""
    occurred = timezone.localdate() - dt.timedelta(days=3)
    return services.case_open(
        actor=user,
        source="hotline",
        survivor=services.SurvivorInput(
            full_name=NAME,
            sex="female",
            birth_year=birth_year,
            phone=PHONE,
            address=ADDRESS,
            commune=commune,
        ),
        consent=services.ConsentInput(
            services=True,
            reporting=reporting,
            **({"given_by": "guardian", "child_agreed": True} if YEAR - birth_year < 18 else {}),
        ),
        incident=services.IncidentInput(
            occurred_on=occurred,
            first_reported_on=occurred,
            gbv_type="physical_assault",
            dv_forms=["physical", "psychological"],
            contexts=["intimate_partner"],
            commune=commune,
            perpetrators=[
                services.PerpetratorInput(sex="male", age_group="61+", relationship="husband")
            ],
        ),
        needs=["health"],
    ).case


def body(response) -> bytes:
    """The file sent, whether whole or streamed (the incident workbook is a FileResponse)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def cells(content: bytes) -> list[tuple[str, list[list]]]:
    book = load_workbook(io.BytesIO(content))
    return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in book]


# --- DHIS2 -----------------------------------------------------------------------------------


def test_dhis2_is_a_data_value_set_of_the_year(api, cast, catalogue):
    for _ in range(6):
        open_case(cast["worker1"])
    response = api(cast["analyst1"]).get(f"/api/v1/exports/dhis2?year={YEAR}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"dataSet", "period", "orgUnit", "completeDate", "dataValues"}
    assert UID.match(body["dataSet"])
    assert re.fullmatch(r"\d{4}", body["period"]) and body["period"] == str(YEAR)
    assert body["orgUnit"] == "33"
    dt.date.fromisoformat(body["completeDate"])
    places = set(Place.objects.values_list("code", flat=True))
    assert body["dataValues"]
    for value in body["dataValues"]:
        assert set(value) == {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"}
        assert all(isinstance(v, str) for v in value.values())
        assert UID.match(value["dataElement"]) and UID.match(value["categoryOptionCombo"])
        assert re.fullmatch(r"\d{4}", value["period"])
        assert value["orgUnit"] in places
        assert re.fullmatch(r"-?\d+(\.\d+)?", value["value"])
    assert AuditEvent.objects.filter(
        action="export", object_type="statistics_export", object_id="dhis2"
    ).exists()


def test_dhis2_values_equal_the_indicators_api_and_hidden_ones_are_left_out(api, cast, catalogue):
    for _ in range(6):
        open_case(cast["worker1"], commune="11953")
    open_case(cast["worker2"], commune="12452")  # one in B: hidden, and A with it
    client = api(cast["analyst1"])
    body = client.get(f"/api/v1/exports/dhis2?year={YEAR}").json()
    gbv01 = {
        v["orgUnit"]: v["value"] for v in body["dataValues"] if v["dataElement"] == "ATgbv01Numr"
    }
    rows = client.get(f"/api/v1/indicators/values?year={YEAR}&code=GBV-01&by=commune").json()[
        "results"
    ]
    by_place = {r["place"]: r for r in rows}
    assert by_place["12452"]["suppressed"] and by_place["11953"]["suppressed"]
    assert "12452" not in gbv01 and "11953" not in gbv01  # omitted, not zero
    province = client.get(f"/api/v1/indicators/values?year={YEAR}&code=GBV-01").json()
    assert gbv01["33"] == str(int(province["results"][0]["numerator"])) == "7"


# --- Circular 07 -----------------------------------------------------------------------------


def test_circular07_has_the_tables_and_no_small_number(api, cast, catalogue):
    for _ in range(6):
        open_case(cast["worker1"])
    known_case(cast["worker1"])  # one woman of 60+: a cell of one
    response = api(cast["analyst1"]).get(f"/api/v1/exports/circular07?year={YEAR}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX
    sheets = dict(cells(response.content))
    assert {"B1", "B2", "B3", "B4", "B5", "Ghi chú"} <= set(sheets)
    b2 = sheets["B2"]
    header = b2[3]
    assert header[:2] == ["Chỉ tiêu", "Tổng số"]
    assert "Dưới 16 tuổi" in header and "Từ 60 tuổi trở lên" in header and "Nữ" in header
    total = b2[4]
    assert total[1] == 7  # seven DV victims, shown
    sixty = header.index("Từ 60 tuổi trở lên")
    assert total[sixty] == "ẩn"
    for name in ("B1", "B2", "B3", "B4", "B5"):
        for row in sheets[name][4:]:
            for value in row[1:]:
                assert value == "ẩn" or (isinstance(value, int) and (value == 0 or value >= 5)), (
                    name,
                    row,
                )


def test_a_hidden_cell_cannot_be_worked_out_from_its_total(api, cast, catalogue):
    for _ in range(6):
        open_case(cast["worker1"])  # women born 1991
    known_case(cast["worker1"])  # born 1958
    sheets = dict(
        cells(api(cast["analyst1"]).get(f"/api/v1/exports/circular07?year={YEAR}").content)
    )
    header, total = sheets["B2"][3], sheets["B2"][4]
    ages = [
        header.index(x)
        for x in ("Dưới 16 tuổi", "Từ 16 đến 59 tuổi", "Từ 60 tuổi trở lên", "Không rõ tuổi")
    ]
    hidden = [i for i in ages if total[i] == "ẩn"]
    assert len(hidden) != 1  # with the total shown, one hidden cell alone would be 7 - the rest
    assert len(hidden) >= 2


def test_the_tables_cannot_be_subtracted_from_the_indicators_breakdowns(api, cast, catalogue):
    for _ in range(8):
        known_case(cast["worker1"], birth_year=YEAR - 10)  # aged 10: band 0-11
    known_case(cast["worker1"], birth_year=YEAR - 14)  # aged 14: band 12-17, and under 16
    for _ in range(5):
        known_case(cast["worker1"], birth_year=YEAR - 30)  # the engine's cheaper complement
    client = api(cast["analyst1"])
    rows = client.get(f"/api/v1/indicators/values?year={YEAR}&code=DV-01&by=age_band").json()[
        "results"
    ]
    engine = {r["category"]: r["denominator"] for r in rows}
    assert engine["0-11"] == 8 and engine["12-17"] is None  # the API shows 8 children of 0-11
    sheets = dict(cells(client.get(f"/api/v1/exports/circular07?year={YEAR}").content))
    header, total = sheets["B2"][3], sheets["B2"][4]
    ours = dict(zip(header, total, strict=True))
    assert ours["Tổng số"] == 14
    # Showing 9 under 16 beside the API's 8 aged 0-11 would give away the child aged 14.
    assert ours["Dưới 16 tuổi"] == "ẩn"
    # Sex columns are the engine's, hidden where it hides them.
    rows = client.get(f"/api/v1/indicators/values?year={YEAR}&code=DV-01&by=sex").json()
    for row in rows["results"]:
        label = {"female": "Nữ", "male": "Nam", "other": "Khác", "unknown": "Không rõ"}
        assert (ours[label[row["category"]]] == "ẩn") == row["suppressed"]


def test_non_consented_incidents_are_not_counted(api, cast, catalogue):
    for _ in range(5):
        known_case(cast["worker1"], reporting=False)
    sheets = dict(
        cells(api(cast["analyst1"]).get(f"/api/v1/exports/circular07?year={YEAR}").content)
    )
    assert sheets["B2"][4][1] == 0 and sheets["B1"][4][1] == 0


# --- GBVIMS ----------------------------------------------------------------------------------


def test_gbvims_has_codes_only_and_no_survivor_identity(api, cast, catalogue):
    case = known_case(cast["worker1"])
    known_case(cast["worker1"], reporting=False)  # not consented: not in the workbook
    response = api(cast["analyst1"]).get(f"/api/v1/exports/gbvims?year={YEAR}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX
    sheets = dict(cells(body(response)))
    rows = sheets["Incidents"]
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    # A keyed digest, not the id or the case number.
    assert re.fullmatch(r"IR-[0-9A-F]{12}", row["incident_code"])
    incident = case.incidents.get()
    assert row["incident_code"] not in (f"IR-{incident.pk}", f"IR-{case.pk}", case.number)
    assert re.fullmatch(r"\d{4}-\d{2}", row["incident_month"])
    assert row["survivor_age_band"] == "61+" and row["commune_code"] == "11953"
    assert row["gbv_type"] == "physical_assault" and row["perpetrator_relationship"] == "husband"
    everything = " ".join(str(v) for _t, sheet in sheets.items() for r in sheet for v in r)
    for secret in (NAME, "Ngọc", PHONE, ADDRESS, case.number):
        assert secret not in everything
    assert 1958 not in data[0] and "1958" not in data[0]  # an age band, not a birth year
    event = AuditEvent.objects.get(action="export", object_id="gbvims")
    assert event.extra["rows"] == 1 and event.place_code == "33"


def test_gbvims_asks_for_the_password_again(api, cast, catalogue, later):
    client = api(cast["analyst1"])
    later()
    assert client.get(f"/api/v1/exports/circular07?year={YEAR}").status_code == 200  # counts
    response = client.get(f"/api/v1/exports/gbvims?year={YEAR}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reauth_required"
    assert not AuditEvent.objects.filter(action="export", object_id="gbvims").exists()
    assert AuditEvent.objects.filter(
        action="permission_denied", extra__reason="reauth_required"
    ).exists()


def test_gbvims_is_for_analysts_only(api, cast, catalogue):
    for username in ("coordinator1", "manager1"):  # they read the aggregates, not rows
        response = api(cast[username]).get(f"/api/v1/exports/gbvims?year={YEAR}")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert AuditEvent.objects.filter(action="permission_denied").count() >= 2


def test_gbvims_streams_the_same_rows_in_the_same_order_chunk_by_chunk(api, cast, catalogue):
    from antoan.indicators.selectors.values import user_province
    from antoan.reports.exports import gbvims

    for age in (68, 36, 21, 51, 30):
        known_case(cast["worker1"], birth_year=YEAR - age)
    province = user_province(cast["analyst1"])
    whole = gbvims.rows(province, YEAR)
    assert len(whole) == 5
    # Read two incidents at a time (three chunks), the rows and their order do not change.
    assert list(gbvims.iter_rows(province, YEAR, chunk=2)) == whole
    response = api(cast["analyst1"]).get(f"/api/v1/exports/gbvims?year={YEAR}")
    assert response.status_code == 200 and response.streaming
    assert 'filename="gbvims-ir-33-' in response["Content-Disposition"]
    content = body(response)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Incidents", "Ghi chú"]
    sheet = book["Incidents"]
    header = [cell.value for cell in sheet[1]]
    assert header == [key for key, _label in gbvims.COLUMNS]
    assert all(cell.font.bold for cell in sheet[1])
    data = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    expected = [[r[key] if r[key] != "" else None for key in header] for r in whole]
    assert data == expected
    bands = sorted(r["survivor_age_band"] for r in whole)
    assert bands == ["18-25", "26-40", "26-40", "41-60", "61+"]
    notes = [list(r) for r in book["Ghi chú"].iter_rows(values_only=True)]
    assert notes[3:] == [[key, label] for key, label in gbvims.COLUMNS]
    assert book["Ghi chú"].column_dimensions["B"].width == 60
    # The page and the function a job calls write the same workbook.
    assert cells(gbvims.gbvims_xlsx(province, YEAR).content) == cells(content)
    assert AuditEvent.objects.get(action="export", object_id="gbvims").extra["rows"] == 5


# --- Decree 110 ------------------------------------------------------------------------------


def test_decree110_has_sixteen_groups_of_suppressed_counts(api, cast, catalogue):
    for _ in range(6):
        open_case(cast["worker1"])
    known_case(cast["worker1"])
    response = api(cast["analyst1"]).get(f"/api/v1/exports/decree110?year={YEAR}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["groups"]) == 16
    assert len({g["code"] for g in body["groups"]}) == 16
    assert {g["held"] for g in body["groups"]} <= {"yes", "partly", "no"}
    victims = next(g for g in body["groups"] if g["code"] == "02_nguoi_bi_bao_luc")
    counts = {c["category"]: c for c in victims["counts"]}
    assert counts["total"]["value"] == 7
    assert counts["60plus"]["value"] is None and counts["60plus"]["suppressed"]
    for group in body["groups"]:
        for count in group["counts"] or []:
            assert count["value"] is None or count["value"] == 0 or count["value"] >= 5
    assert NAME not in response.content.decode()


# --- Who, and bad input ----------------------------------------------------------------------

PATHS = ["dhis2", "circular07", "gbvims", "decree110"]


@pytest.mark.parametrize("kind", PATHS)
def test_those_without_indicators_get_403_and_it_is_audited(api, cast, catalogue, kind):
    response = api(cast["worker1"]).get(f"/api/v1/exports/{kind}?year={YEAR}")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="permission_denied", username="worker1").exists()
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("kind", PATHS)
@pytest.mark.parametrize("year", ["", "abc", "1999", str(YEAR + 1)])
def test_a_bad_year_is_a_400_on_year(api, cast, catalogue, kind, year):
    response = api(cast["analyst1"]).get(f"/api/v1/exports/{kind}?year={year}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and "year" in error["fields"]
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_functions_serve_a_page_too(cast, catalogue):
    from antoan.indicators.selectors.values import user_province
    from antoan.reports import exports

    province = user_province(cast["analyst1"])
    for build in (exports.dhis2_json, exports.decree110_json):
        out = build(province, YEAR)
        assert isinstance(out.content, dict) and out.filename.endswith(".json")
    for build in (exports.circular07_xlsx, exports.gbvims_xlsx):
        out = build(province, YEAR)
        assert out.content[:2] == b"PK" and out.content_type == XLSX


def test_an_api_client_steps_up_by_taking_a_new_token(client, cast, catalogue, later):
    from antoan.accounts.tests.helpers import api_token, bearer

    token = api_token(client, "analyst1").json()["token"]
    client.logout()
    url = f"/api/v1/exports/gbvims?year={YEAR}"
    assert client.get(url, **bearer(token)).status_code == 200  # issued just now
    later()
    refused = client.get(url, **bearer(token))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "reauth_required"
