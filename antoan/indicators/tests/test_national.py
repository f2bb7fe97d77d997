"""The national dashboard: every province at once, counted set-wise, suppressed, for the
ministry's agencies only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Role
from antoan.core.models import AuditEvent
from antoan.indicators.selectors.dashboards import province_dashboard
from antoan.indicators.selectors.places import forget
from antoan.indicators.selectors.values import (
    Calculator,
    national_query,
    national_viewer,
    parse_query,
    user_province,
)
from antoan.indicators.suppression import TOTAL
from antoan.indicators.tests.test_counting_rules import open_case
from antoan.places.models import Place

MINISTRY = "bo-vhttdl"


def add_province(code: str, name: str, commune: str) -> Place:
    province = Place.objects.create(code=code, name=name, level="province")
    Place.objects.create(code=commune, name=f"Phường {code}", level="commune", parent=province)
    forget()
    return province


@pytest.fixture
def ministry(cast, catalogue, plan64, settings):
    """An analyst of the ministry (its agency listed in ANTOAN_NATIONAL_AGENCIES), and a
    second province, Hà Nội, where the ministry sits."""
    hanoi = add_province("01", "Thành phố Hà Nội", "00004")
    agency = Agency.objects.create(
        code=MINISTRY, name="Bộ Văn hóa, Thể thao và Du lịch", kind=Agency.Kind.OTHER, place=hanoi
    )
    user = User.objects.create_user(username="analyst-bo", password="x-unused-password-1")
    Membership.objects.create(user=user, agency=agency, role=Role.ANALYST)
    settings.ANTOAN_NATIONAL_AGENCIES = [MINISTRY]
    return user


def gbv02_rows(board) -> dict:
    return {v.place_code: (v.numerator, v.denominator, v.suppressed) for v in board.rows}


def test_nobody_sees_the_country_by_default_and_refusals_are_audited(client, cast, catalogue):
    for name in ("manager1", "analyst1", "coordinator1", "worker1"):
        client.force_login(cast[name])
        assert client.get("/indicators/national/").status_code == 403
        assert client.post("/indicators/national/").status_code == 403
        assert not national_viewer(cast[name])
    refused = AuditEvent.objects.filter(
        action="permission_denied", extra__permission="indicators.national"
    )
    assert refused.count() == 8


def test_only_the_listed_agencys_indicator_roles_see_it(client, cast, ministry):
    assert national_viewer(ministry)
    assert not national_viewer(cast["manager1"])  # a province's leadership: their province only
    commune_leader = Membership.objects.create(
        user=User.objects.create_user(username="leader-bo", password="x-unused-password-1"),
        agency=Agency.objects.get(code=MINISTRY),
        role=Role.COMMUNE_LEADER,
    )
    assert not national_viewer(commune_leader.user)  # in the agency, without indicators.view
    client.force_login(commune_leader.user)
    assert client.get("/indicators/national/").status_code == 403


def test_the_country_counts_every_province_and_hides_what_could_point_at_someone(
    client, cast, ministry
):
    for _ in range(6):
        open_case(cast["worker1"])  # Phố Hiến, Hưng Yên
    for _ in range(2):
        open_case(cast["worker1"], commune="00004")  # recorded in a Hà Nội ward
    client.force_login(ministry)
    response = client.get("/indicators/national/")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.table_indicator.code == "GBV-02"
    rows = gbv02_rows(board)
    assert set(rows) == {"01", "33", None}
    # Hà Nội's 2 are hidden; Hưng Yên's 6 with them, or the country's 8 would give them away.
    assert rows["01"][2] and rows["33"][2]
    card = next(c for c in board.cards if c.value.indicator.code == "GBV-02")
    assert (card.value.numerator, card.value.denominator) == (0, 8)
    html = response.content.decode()
    assert 'data-testid="province-table"' in html
    assert "Phạm Thị Thu" not in html
    # Unsuppressed, the national rows are each province's own totals.
    national = Calculator(national_query({}), suppress=False, places_for=["GBV-02"])
    province = user_province(cast["manager1"])
    own = Calculator(parse_query(province, {}), suppress=False)
    for ind in national.indicators:
        if not national.supports(ind, "commune"):
            continue
        mine = own.value(ind, TOTAL)
        theirs = national.value(ind, "33")
        assert (theirs.numerator, theirs.denominator) == (mine.numerator, mine.denominator), ind


def test_the_country_is_counted_in_the_same_queries_whatever_the_provinces(cast, ministry):
    open_case(cast["worker1"])

    def board_queries() -> int:
        forget()
        calc = Calculator(national_query({}), places_for=["GBV-02"])
        calc.scope.rollup  # noqa: B018 - the map of places is read once a day, not counted
        with CaptureQueriesContext(connection) as counted:
            Calculator(national_query({}), places_for=["GBV-02"])
            board = province_dashboard(
                Calculator(national_query({}), places_for=["GBV-02"]), table_code="GBV-02"
            )
        assert board.rows
        return len(counted)

    two = board_queries()
    for n, code in enumerate(("02", "04", "06")):
        add_province(code, f"Tỉnh {code}", f"0{n}100")
        open_case(cast["worker1"], commune=f"0{n}100")
    assert board_queries() == two


def test_the_national_page_is_cached_for_the_country_only(client, cast, ministry):
    for _ in range(6):
        open_case(cast["worker1"])
    client.force_login(ministry)
    first = client.get("/indicators/national/")
    with CaptureQueriesContext(connection) as served:
        again = client.get("/indicators/national/")
    assert again.context["computed_at"] == first.context["computed_at"]
    assert len(served) < 25
    # The province's own dashboard is its own entry, computed for its own scope.
    client.force_login(cast["manager1"])
    own = client.get("/indicators/")
    assert {v.place_code for v in own.context["board"].rows} == {"11953", "12452", None}


def test_a_place_is_not_asked_of_the_country(client, ministry):
    client.force_login(ministry)
    response = client.get("/indicators/national/?year=1999")
    assert response.status_code == 400
    with pytest.raises(Exception, match="place"):
        national_query({"place": "33"})


def test_records_older_than_the_trend_still_count_on_postgresql(cast, ministry):
    """A case opened before the trend's first year widens the years (PostgreSQL's EXTRACT gives
    a Decimal year, which once broke the range of years of the national dashboard)."""
    from antoan.cases.models import Case

    case = open_case(cast["worker1"])
    calc = Calculator(national_query({}), places_for=["GBV-02"])
    first = calc.scope.first_year
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at.replace(year=first - 2))
    forget()
    board = province_dashboard(
        Calculator(national_query({}), places_for=["GBV-02"]), table_code="GBV-02"
    )
    assert board.rows
    card = next(c for c in board.cards if c.value.indicator.code == "GBV-02")
    assert card.trend[0].period.year == first
