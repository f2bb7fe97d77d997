"""The monthly report: counts only, every small one hidden, whoever asks."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections import defaultdict

import openpyxl
import pytest
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.accounts.roles import Role
from antoan.core.models import AuditEvent
from antoan.health import selectors
from antoan.health.selectors import facility_key
from antoan.health.tests.conftest import record
from antoan.indicators import suppression
from antoan.indicators.selectors.places import UNKNOWN
from antoan.indicators.suppression import TOTAL

pytestmark = pytest.mark.django_db
REPORT = "/health/report/"
DAY = dt.date(2026, 3, 10)


def other_nurse(cast):
    from antoan.accounts.demo import DEMO_PASSWORD, demo_user

    return demo_user(
        "nurse2",
        "Đào Thị Vân",
        Agency.objects.get(code="tyt-tran-hung-dao"),
        Role.HEALTH_WORKER,
        password=DEMO_PASSWORD,
    )


def cell(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[html.index(">", start) + 1 : html.index("</td>", start)].strip()


def test_a_month_with_two_contacts_shows_hidden_cells_never_the_number(client_for, nurse):
    record(nurse, contact_date=DAY)
    record(nurse, contact_date=DAY, sex="male", age_band="61+")

    html = client_for(nurse).get(REPORT, {"year": 2026, "month": 3}).content.decode()

    assert "Trạm Y tế phường Phố Hiến" in html
    total = html[html.index('data-testid="month-total"') :]
    assert "ẩn" in total[: total.index("</p>")]
    for testid in (
        "month-3",
        "year-total",
        "cell-sex-female",
        "cell-sex-male",
        "cell-age_band-61+",
    ):
        assert "ẩn" in cell(html, testid), testid
    # Zeros are not secrets: April is shown.
    assert cell(html, "month-4") == "0"
    # No figure on the page is a small count.
    shown = re.findall(r'data-testid="(?:cell|month)-[^"]+">\s*(\d+)\s*<', html)
    assert shown and not any(1 <= int(v) <= 4 for v in shown), shown


def test_enough_contacts_are_shown_and_small_cells_still_hidden(client_for, nurse):
    for _ in range(7):
        record(nurse, contact_date=DAY)
    record(nurse, contact_date=DAY, sex="male")
    for _ in range(6):
        record(nurse, contact_date=DAY + dt.timedelta(days=30))

    html = client_for(nurse).get(REPORT, {"year": 2026, "month": 3}).content.decode()

    assert cell(html, "month-3") == "8" and cell(html, "month-4") == "6"
    assert cell(html, "year-total") == "14"
    # One man among eight: hidden, and the women with him (8 - 7 would give him away).
    assert "ẩn" in cell(html, "cell-sex-male") and "ẩn" in cell(html, "cell-sex-female")


def test_a_facility_cannot_be_worked_out_from_its_commune_and_neighbours(client_for, cast, nurse):
    nurse2 = other_nurse(cast)
    for _ in range(2):
        record(nurse, contact_date=DAY)
    for _ in range(9):
        record(nurse2, contact_date=DAY)
    analyst = client_for(cast["analyst1"])
    station = Agency.objects.get(code="tyt-pho-hien")
    province = analyst.get(REPORT, {"year": 2026, "month": 3}).content.decode()
    commune = analyst.get(REPORT, {"year": 2026, "month": 3, "commune": "11953"}).content.decode()
    facility = analyst.get(
        REPORT, {"year": 2026, "month": 3, "facility": station.pk}
    ).content.decode()

    assert "ẩn" in cell(facility, "month-3")
    assert "ẩn" in cell(commune, "month-3")
    # The province's 11 alone, with the other ward's 9 shown, would give away the 2.
    assert "ẩn" in cell(province, "month-3") or "ẩn" in (
        cell(
            analyst.get(REPORT, {"year": 2026, "month": 3, "commune": "12452"}).content.decode(),
            "month-3",
        )
    )


def test_each_reader_sees_their_scope(client_for, cast, nurse):
    other = Agency.objects.get(code="tyt-tran-hung-dao")
    client = client_for(nurse)
    assert client.get(REPORT).status_code == 200
    assert client.get(REPORT, {"year": 2026, "month": 3, "facility": other.pk}).status_code == 400
    assert client.get(REPORT, {"year": 2026, "month": 3, "commune": "12452"}).status_code == 200
    for username in ("analyst1", "manager1"):
        reader = client_for(cast[username])
        ok = reader.get(REPORT, {"year": 2026, "month": 3, "facility": other.pk})
        assert ok.status_code == 200 and "Trạm Y tế phường Trần Hưng Đạo" in ok.content.decode()
    for username in ("worker1", "health1", "coordinator1", "reporter1"):
        assert client_for(cast[username]).get(REPORT).status_code == 403


def test_a_month_that_has_not_started_is_refused(client_for, nurse):
    future = timezone.localdate() + dt.timedelta(days=40)
    response = client_for(nurse).get(REPORT, {"year": future.year, "month": future.month})
    assert response.status_code == 400


def test_the_spreadsheet_holds_the_page_figures_and_is_audited(client_for, nurse):
    record(nurse, contact_date=DAY)
    for _ in range(5):
        record(nurse, contact_date=DAY + dt.timedelta(days=1), sex="female")

    response = client_for(nurse).get("/health/report/export.xlsx", {"year": 2026, "month": 3})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Lượt tiếp nhận"]
    rows = list(sheet.iter_rows(values_only=True))
    march = next(r for r in rows if r[2] == 3 and r[3] == "Tổng số lượt")
    assert march[5] == 6 and march[6] in (None, "")
    men = next(r for r in rows if r[3] == "Giới tính" and r[4] == "Nam")
    assert men[5] in (None, 0)
    assert all(r[5] not in range(1, 5) for r in rows[1:]), rows
    event = AuditEvent.objects.filter(action="export", object_type="health_report").get()
    assert event.username == "nurse1"


def test_protect_tree_hides_a_lone_small_leaf_with_a_sibling():
    leaves = {"f1": {"a": 2, "b": 9}, "f2": {"a": 8, "b": 9}}
    parent = {"f1": "c1", "f2": "c1"}
    hidden = selectors.protect_tree(leaves, parent, ["a", "b"], limit=5)
    assert ("f1", "a") in hidden
    # The row f1 = 11 and column a = 10 are shown: the 2 needs a cycle of hidden cells.
    assert sum(1 for e in hidden if e[0] in ("f1", "f2")) >= 4


def test_the_demo_contacts_are_deterministic_and_in_the_past(cast):
    from antoan.health.demo import build_demo_contacts
    from antoan.health.models import ServiceContact

    created = build_demo_contacts()
    assert created > 20 and build_demo_contacts() == 0
    assert not ServiceContact.objects.filter(contact_date__gt=timezone.localdate()).exists()
    assert ServiceContact.objects.filter(contact_date__year=2025).exists()


def _everything_shown(data: selectors.ProvinceYear) -> tuple[list[dict], list[tuple]]:
    """Every figure any reader may see of a province's year, as a sum of unknowns (one per
    facility, month, breakdown and category), split into shown ones and hidden small ones;
    plus what anyone knows: each breakdown of a contact set adds up to the same total."""
    unknowns: dict[tuple, int] = {}

    def x(*key: object) -> int:
        return unknowns.setdefault(key, len(unknowns))

    sexes = [code for code, _label in selectors.DIMENSIONS["sex"][1]]
    places = [TOTAL, *set(data.commune_of.values()), *data.commune_of]
    equations: list[dict] = []
    small: list[tuple] = []

    def see(figure: selectors.Figure, members: list[str], months: list[int], dim: str, cat: str):
        cats = sexes if dim == "" else [cat]
        vector = {x(f, m, dim or "sex", c): 1 for f in members for m in months for c in cats}
        if not figure.hidden:
            equations.append(vector)
        elif 0 < figure.value < 5:
            small.append(vector)

    for place in places:
        members = data._members(place)
        see(data.year_total(place), members, list(range(1, 13)), "", "")
        for month, figure in data.months(place):
            see(figure, members, [month], "", "")
            for dim in selectors.DIMENSIONS:
                for cat, _label, fig in data.breakdown(place, month, dim):
                    shown_on_page = dim not in (*selectors.SERVICE_DIMENSIONS, "case_opened")
                    if shown_on_page or cat == selectors.YES:
                        see(fig, members, [month], dim, cat)
    for f in data.commune_of:
        for m in range(1, 13):
            for dim, (_label, cats) in selectors.DIMENSIONS.items():
                if dim == "sex":
                    continue
                same_total = {x(f, m, "sex", c): -1 for c in sexes}
                equations.append({**same_total, **{x(f, m, dim, c): 1 for c, _l in cats}})
    return equations, small


@pytest.mark.parametrize("seed", range(6))
def test_no_hidden_small_count_can_be_worked_out_from_everything_shown(seed):
    # Five facilities in two communes and outside any commune, a few months of contacts,
    # every figure of every place, month and breakdown: no hidden 1 to 4 is a combination of
    # shown figures (by subtraction or otherwise).
    rng = random.Random(seed)
    facilities = [facility_key(i) for i in range(1, 6)]
    data = selectors.ProvinceYear(None, 2026, [], limit=5)  # type: ignore[arg-type]
    data.__dict__["commune_of"] = {f: rng.choice(["c1", "c2", UNKNOWN]) for f in facilities}
    counts: dict[str, dict] = {f: defaultdict(int) for f in facilities}
    for f in facilities:
        for month in (3, 4, 7):
            for _ in range(rng.choice([0, 1, 2, 3, 5, 6, 9])):
                counts[f][(month, "", "")] += 1
                for dim, (_label, cats) in selectors.DIMENSIONS.items():
                    counts[f][(month, dim, rng.choice(cats)[0])] += 1
    data.__dict__["counts"] = counts

    equations, small = _everything_shown(data)

    assert small  # the case is worth testing
    basis = suppression._basis(equations)
    assert not [v for v in small if suppression._in_span(v, basis)]
