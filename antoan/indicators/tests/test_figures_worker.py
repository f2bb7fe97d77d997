"""Dashboard figures computed by the task worker (antoan/indicators/tasks.py): the page says they
are being computed and asks again until they are there; older figures are shown while the worker
computes them again; a worker that does not answer is not waited for (docs/indicators.md,
"Cached figures"). The real database backend and django-tasks-db's own worker run the tasks."""

from __future__ import annotations

import datetime as dt
import re
import types
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from antoan.cases import services
from antoan.cases.choices import ConsentPurpose
from antoan.core.models import AuditEvent
from antoan.indicators import figure_cache, tasks
from antoan.indicators.models import Indicator
from antoan.indicators.selectors.dashboards import dashboard_figures
from antoan.indicators.selectors.values import parse_query, user_province
from antoan.indicators.tests.test_counting_rules import open_case
from antoan.indicators.tests.test_figure_cache import gbv02, other_province_analyst
from antoan.indicators.tests.test_national import ministry  # noqa: F401 (a fixture)
from antoan.jobs.worker import run_pending

PENDING = 'data-testid="figures-pending"'


@pytest.fixture(autouse=True)
def worker_computes(settings):
    settings.ANTOAN_DASHBOARD_BACKGROUND = True


@pytest.fixture
def manager(client, cast, catalogue, plan64):
    client.force_login(cast["manager1"])
    return client


def asked() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(queue_name="figures", status="READY"))


def poll(client, url: str = "/indicators/"):
    """What the page's htmx poll sends."""
    return client.get(url, headers={"HX-Request": "true"})


def card_line(response, code: str = "GBV-02") -> str:
    """What the page shows under a card's figure: its numerator and denominator."""
    html = response.content.decode()
    card = html[html.index(f'data-testid="card-{code}"') :]
    text = unescape(re.sub(r"<[^>]+>", " ", card[: card.index("</article>")]))
    denominator = Indicator.objects.get(code=code).denominator_label
    found = re.search(rf"{re.escape(str(denominator))}: (\d+)", text)
    assert found, text
    return found.group(1)


def later(monkeypatch, minutes: float) -> None:
    """The figure cache's clock, ``minutes`` on."""
    real = timezone.now
    monkeypatch.setattr(
        figure_cache,
        "timezone",
        types.SimpleNamespace(now=lambda: real() + dt.timedelta(minutes=minutes)),
    )


def test_the_first_view_asks_the_worker_once_and_shows_the_figures_when_computed(manager, cast):
    for _ in range(6):
        open_case(cast["worker1"])
    first = manager.get("/indicators/")
    assert first.status_code == 200
    html = first.content.decode()
    assert PENDING in html
    assert first.context["board"] is None
    assert 'data-testid="card-GBV-02"' not in html
    assert 'data-testid="filters"' in html  # the question can still be changed
    assert "Đang tính số liệu từ hồ sơ" in html
    assert '<meta http-equiv="refresh" content="2">' in html  # inside <noscript>
    # Asked once, however many look meanwhile; the polls answer "not yet".
    assert manager.get("/indicators/").context["board"] is None
    assert poll(manager).status_code == 204
    assert len(asked()) == 1
    assert run_pending() == 1
    ready = poll(manager)
    assert ready.status_code == 200
    assert ready["HX-Refresh"] == "true"
    page = manager.get("/indicators/")
    assert gbv02(page) == (0, 6)
    assert PENDING not in page.content.decode()
    assert asked() == []


def test_older_figures_are_shown_while_the_worker_computes_them_again(manager, cast, monkeypatch):
    for _ in range(6):
        open_case(cast["worker1"])
    manager.get("/indicators/")
    run_pending()
    kept = manager.get("/indicators/")
    assert gbv02(kept) == (0, 6)
    assert 'data-testid="figures-refreshing"' not in kept.content.decode()
    open_case(cast["worker1"])
    later(monkeypatch, 10)  # past the 5 minutes' timeout, within the hour they are shown
    old = manager.get("/indicators/")
    assert gbv02(old) == (0, 6)
    assert card_line(old) == "6"
    assert old.context["computed_at"] == kept.context["computed_at"]
    assert 'data-testid="figures-refreshing"' in old.content.decode()
    assert poll(manager)["HX-Refresh"] == "true"  # nothing to wait for
    assert len(asked()) == 1
    run_pending()
    new = manager.get("/indicators/")
    assert gbv02(new) == (0, 7)
    # What is read on the page, not only what the view computed: the figures rendered before
    # are not served again under the same key.
    assert card_line(new) == "7"
    assert 'data-testid="figures-refreshing"' not in new.content.decode()


def test_compute_again_asks_the_worker_for_the_users_own_province(client, manager, cast):
    for _ in range(6):
        open_case(cast["worker1"])
    manager.get("/indicators/")
    run_pending()
    theirs = client.__class__()
    theirs.force_login(other_province_analyst())
    theirs.get("/indicators/")
    run_pending()
    assert gbv02(theirs.get("/indicators/")) == (0, 0)
    open_case(cast["worker1"])
    year = timezone.localdate().year
    assert manager.post(f"/indicators/?year={year}").status_code == 302
    assert manager.get(f"/indicators/?year={year}").context["board"] is None
    # Only this province's figures were dropped: the other province's are still served.
    assert theirs.get("/indicators/").context["board"] is not None
    run_pending()
    assert gbv02(manager.get(f"/indicators/?year={year}")) == (0, 7)
    answer = theirs.get("/indicators/")
    assert gbv02(answer) == (0, 0)
    assert {v.place_code for v in answer.context["board"].rows} == {"00004", None}


def test_last_years_figures_asked_after_this_years_read_the_records_once(manager, cast):
    """A leader looks at this year, then at last year: the worker reads the cohorts' records
    for the first and counts the second from the same rows (``figure_cache.rows_kept``), and
    the second shows what counting the records again would show."""
    for _ in range(6):
        open_case(cast["worker1"])
    year = timezone.localdate().year
    manager.get(f"/indicators/?year={year}")
    run_pending()
    manager.get(f"/indicators/?year={year - 1}")
    with CaptureQueriesContext(connection) as second:
        run_pending()
    read = " ".join(q["sql"] for q in second.captured_queries)
    assert "cases_perpetrator" not in read  # the survivors' and perpetrators' cohorts
    assert "hotline_call" not in read
    shown = manager.get(f"/indicators/?year={year - 1}").context["board"]
    province = user_province(cast["manager1"])
    counted, _choices = dashboard_figures(parse_query(province, {"year": str(year - 1)}))

    def figures(board):
        def seen(v):
            return (v.indicator.code, v.period.id, v.place_code, v.value, v.suppressed)

        cards = [(seen(c.value), [seen(t) for t in c.trend]) for c in board.cards]
        return cards, [seen(v) for v in board.operational], [seen(r) for r in board.rows]

    assert figures(shown) == figures(counted)
    assert figures(shown)[2]  # the communes' table of last year
    assert gbv02(manager.get(f"/indicators/?year={year}")) == (0, 6)


def test_rows_kept_for_the_next_dashboard_do_not_count_a_withdrawn_consent(
    manager, cast, django_capture_on_commit_callbacks
):
    cases = [open_case(cast["worker1"]) for _ in range(6)]
    year = timezone.localdate().year
    manager.get(f"/indicators/?year={year}")
    run_pending()
    assert gbv02(manager.get(f"/indicators/?year={year}")) == (0, 6)
    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(
            case=cases[0], actor=cast["worker1"], purpose=ConsentPurpose.REPORTING
        )
    # Within the minute the rows are kept: the withdrawal made them old.
    assert manager.get(f"/indicators/?year={year}").context["board"] is None
    run_pending()
    assert gbv02(manager.get(f"/indicators/?year={year}")) == (0, 5)


def test_the_worker_computes_the_question_asked(manager, cast):
    for _ in range(6):
        open_case(cast["worker1"])
    url = "/indicators/?indicator=GBV-01&sort=-value"
    assert manager.get(url).context["board"] is None
    run_pending()
    board = manager.get(url).context["board"]
    assert board.table_indicator.code == "GBV-01"
    # The other question is another entry, asked of the worker in its turn.
    assert manager.get("/indicators/").context["board"] is None


def test_the_worker_computes_in_the_language_of_the_page(manager, cast, settings):
    for _ in range(6):
        open_case(cast["worker1"])
    manager.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert manager.get("/indicators/").context["board"] is None
    run_pending()
    english = manager.get("/indicators/").context["board"]
    assert {v.place_name for v in english.rows if v.place_code is None} == {"Commune not known"}
    # The Vietnamese page is its own entry, in Vietnamese.
    manager.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert manager.get("/indicators/").context["board"] is None
    run_pending()
    vietnamese = manager.get("/indicators/").context["board"]
    assert {v.place_name for v in vietnamese.rows if v.place_code is None} == {
        "Chưa xác định xã, phường"
    }


def test_a_worker_that_does_not_answer_is_not_waited_for(manager, cast, monkeypatch):
    for _ in range(6):
        open_case(cast["worker1"])
    assert manager.get("/indicators/").context["board"] is None
    later(monkeypatch, 1)  # longer than the 30 seconds' wait, and no worker ran
    assert poll(manager)["HX-Refresh"] == "true"
    page = manager.get("/indicators/")
    assert gbv02(page) == (0, 6)  # computed by the view itself
    assert len(asked()) == 1  # still queued for when the worker comes back


def test_the_national_page_is_computed_by_the_worker_for_the_country(client, cast, ministry):  # noqa: F811
    for _ in range(6):
        open_case(cast["worker1"])
    client.force_login(ministry)
    first = client.get("/indicators/national/")
    assert first.status_code == 200
    assert PENDING in first.content.decode()
    assert poll(client, "/indicators/national/").status_code == 204
    run_pending()
    board = client.get("/indicators/national/").context["board"]
    assert {v.place_code for v in board.rows} >= {"33"}
    # The province's own dashboard is its own entry, computed for its own scope.
    client.force_login(cast["manager1"])
    assert client.get("/indicators/").context["board"] is None
    run_pending()
    own = client.get("/indicators/")
    assert {v.place_code for v in own.context["board"].rows} == {"11953", "12452", None}


def test_a_refused_poll_asks_nothing_and_is_audited(client, cast, catalogue, plan64):
    """The page's poll is the page: the same permission, refused and audited alike, and a
    refused user never makes the worker compute anything."""
    client.force_login(cast["worker1"])  # a case worker: no indicators
    assert poll(client).status_code == 403
    client.force_login(cast["manager1"])  # a province's manager: not the country's figures
    assert poll(client, "/indicators/national/").status_code == 403
    assert asked() == []
    refused = AuditEvent.objects.filter(
        action="permission_denied", user__in=[cast["worker1"], cast["manager1"]]
    )
    assert refused.count() == 2


def test_a_bad_question_asks_nothing(manager):
    answer = manager.get("/indicators/?year=1800")
    assert answer.status_code == 400
    assert asked() == []


def settings_now() -> dict[str, str]:
    with connection.cursor() as cursor:
        shown = {}
        for name in tasks.GENTLY:
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    return shown


@pytest.mark.postgres_only
def test_the_workers_aggregates_leave_the_cores_to_the_people_at_work(manager, cast, monkeypatch):
    for _ in range(6):
        open_case(cast["worker1"])
    seen = []
    real = tasks.dashboard_figures

    def watched(*args):
        seen.append(settings_now())
        return real(*args)

    monkeypatch.setattr(tasks, "dashboard_figures", watched)
    before = settings_now()
    assert before != tasks.GENTLY
    manager.get("/indicators/")
    run_pending()
    assert seen == [tasks.GENTLY]  # no parallel workers, no JIT while computing
    assert settings_now() == before  # and the connection left as found
    assert gbv02(manager.get("/indicators/")) == (0, 6)
