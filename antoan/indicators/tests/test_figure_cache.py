"""The province dashboard's cached figures (antoan/indicators/figure_cache.py)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Role
from antoan.cases import services
from antoan.cases.choices import ConsentPurpose
from antoan.indicators import figure_cache
from antoan.indicators.selectors.dashboards import province_dashboard
from antoan.indicators.selectors.places import forget
from antoan.indicators.selectors.values import Calculator, parse_query, user_province
from antoan.indicators.tests.test_counting_rules import open_case
from antoan.places.models import Place


def figures(board) -> list:
    """What a board shows, comparable between two boards."""
    cells = [(c.value.indicator.code, c.value.value, c.value.suppressed) for c in board.cards]
    cells += [(v.indicator.code, v.value, v.suppressed) for v in board.operational]
    cells += [(v.place_code, v.numerator, v.denominator, v.suppressed) for v in board.rows]
    cells += [[(t.value, t.suppressed) for t in c.trend] for c in board.cards]
    return cells


def gbv02(response) -> tuple:
    row = next(v for v in response.context["board"].cards if v.value.indicator.code == "GBV-02")
    return row.value.numerator, row.value.denominator


@pytest.fixture
def manager(client, cast, catalogue, plan64):
    client.force_login(cast["manager1"])
    return client


def test_cached_figures_equal_fresh_ones_and_cost_few_queries(manager, cast):
    for _ in range(6):
        open_case(cast["worker1"])
    first = manager.get("/indicators/")
    with CaptureQueriesContext(connection) as served:
        again = manager.get("/indicators/")
    assert again.status_code == 200
    province = user_province(cast["manager1"])
    calc = Calculator(parse_query(province, {}), places_for=["GBV-02"])
    fresh = province_dashboard(calc, table_code="GBV-02")
    assert figures(again.context["board"]) == figures(fresh) == figures(first.context["board"])
    assert again.context["computed_at"] == first.context["computed_at"]
    # Session, membership and the map of places; no figure is counted again.
    assert len(served) < 25, [q["sql"][:80] for q in served.captured_queries]
    html = again.content.decode()
    shown = timezone.localtime(first.context["computed_at"]).strftime("%H:%M %d/%m/%Y")
    assert f"lúc {shown}." in html
    assert 'data-testid="refresh"' in html


def test_a_new_case_shows_within_the_timeout_or_at_once_when_asked(manager, cast):
    for _ in range(6):
        open_case(cast["worker1"])
    assert gbv02(manager.get("/indicators/")) == (0, 6)
    open_case(cast["worker1"])
    assert gbv02(manager.get("/indicators/")) == (0, 6)  # kept for the timeout
    answer = manager.post("/indicators/?year=" + str(timezone.localdate().year))
    assert answer.status_code == 302
    assert answer["Location"] == f"/indicators/?year={timezone.localdate().year}"
    assert gbv02(manager.get(answer["Location"])) == (0, 7)


def test_a_withdrawn_consent_leaves_the_cached_figures_at_once(
    manager, cast, django_capture_on_commit_callbacks
):
    cases = [open_case(cast["worker1"]) for _ in range(6)]
    assert gbv02(manager.get("/indicators/")) == (0, 6)
    with django_capture_on_commit_callbacks(execute=True) as done:
        services.consent_withdraw(
            case=cases[0], actor=cast["worker1"], purpose=ConsentPurpose.REPORTING
        )
    assert figure_cache.forget in done
    assert gbv02(manager.get("/indicators/")) == (0, 5)


def test_no_timeout_means_no_cache(manager, cast, settings):
    settings.ANTOAN_DASHBOARD_CACHE_SECONDS = 0
    for _ in range(6):
        open_case(cast["worker1"])
    assert gbv02(manager.get("/indicators/")) == (0, 6)
    open_case(cast["worker1"])
    assert gbv02(manager.get("/indicators/")) == (0, 7)


def other_province_analyst() -> User:
    """An analyst of Hà Nội: same URL, another scope."""
    province = Place.objects.create(code="01", name="Thành phố Hà Nội", level="province")
    Place.objects.create(code="00004", name="Phường Ba Đình", level="commune", parent=province)
    agency = Agency.objects.create(
        code="so-y-te-ha-noi", name="Sở Y tế Hà Nội", kind=Agency.Kind.DEPARTMENT, place=province
    )
    user = User.objects.create_user(username="analyst-hn", password="x-unused-password-1")
    Membership.objects.create(user=user, agency=agency, role=Role.ANALYST)
    forget()
    return user


def test_another_provinces_user_never_gets_this_provinces_figures(client, manager, cast):
    for _ in range(6):
        open_case(cast["worker1"])
    ours = manager.get("/indicators/")
    assert gbv02(ours) == (0, 6)
    theirs = client.__class__()
    theirs.force_login(other_province_analyst())
    answer = theirs.get("/indicators/")
    assert answer.status_code == 200
    assert answer.context["province"].code == "01"
    assert gbv02(answer) == (0, 0)
    assert {v.place_code for v in answer.context["board"].rows} == {"00004", None}
    # Their "compute again" drops their own figures only.
    theirs.post("/indicators/")
    with CaptureQueriesContext(connection) as served:
        assert gbv02(manager.get("/indicators/")) == (0, 6)
    assert len(served) < 25


def test_keys_carry_the_scope_and_the_question():
    a = figure_cache.key_for(figure_cache.province_scope("33"), {"year": "2025"})
    b = figure_cache.key_for(figure_cache.province_scope("01"), {"year": "2025"})
    c = figure_cache.key_for(figure_cache.province_scope("33"), {"year": "2024"})
    assert len({a, b, c}) == 3
    assert ":province:33:" in a
    figure_cache.forget()
    assert figure_cache.key_for(figure_cache.province_scope("33"), {"year": "2025"}) != a


def _two_at_once(first_compute, second_compute) -> tuple[tuple, tuple]:
    """Two views of one dashboard: the second asks while the first is computing."""
    scope, question = figure_cache.province_scope("33"), {"year": "2026"}
    started, answers = threading.Event(), {}

    def first() -> None:
        try:
            answers["first"] = figure_cache.cached(scope, question, lambda: first_compute(started))
        except RuntimeError as error:
            answers["first"] = error

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(5)
    answers["second"] = figure_cache.cached(scope, question, second_compute)
    thread.join(5)
    return answers["first"], answers["second"]


def test_one_computation_when_two_ask_at_once():
    computed = []

    def slow(started):
        started.set()
        time.sleep(0.3)  # the second view arrives and waits meanwhile
        computed.append("first")
        return "figures"

    def second():
        computed.append("second")
        return "figures computed twice"

    first, second_answer = _two_at_once(slow, second)
    assert computed == ["first"]
    assert first == second_answer
    assert second_answer[0] == "figures"


def test_a_failed_computation_leaves_the_others_to_compute():
    def failing(started):
        started.set()
        time.sleep(0.2)
        raise RuntimeError("database gone")

    first, second = _two_at_once(failing, lambda: "figures")
    assert isinstance(first, RuntimeError)
    assert second[0] == "figures"
    # And the next view is served what the second computed.
    assert (
        figure_cache.cached(figure_cache.province_scope("33"), {"year": "2026"}, lambda: "again")[0]
        == "figures"
    )


def test_a_computation_longer_than_the_wait_does_not_hold_the_others(settings):
    settings.ANTOAN_DASHBOARD_WAIT_SECONDS = 0.2
    release = threading.Event()

    def stuck(started):
        started.set()
        release.wait(5)
        return "late figures"

    try:
        scope, question = figure_cache.province_scope("33"), {"year": "2026"}
        started = threading.Event()
        thread = threading.Thread(
            target=figure_cache.cached, args=(scope, question, lambda: stuck(started))
        )
        thread.start()
        assert started.wait(5)
        # Answered with its own figures while the first is still stuck (not yet released).
        assert figure_cache.cached(scope, question, lambda: "own figures")[0] == "own figures"
        assert thread.is_alive()
    finally:
        release.set()
        thread.join(5)
