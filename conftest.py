"""Shared test fixtures: a small map and the fixed cast of named users (see accounts/demo.py)."""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

import pytest

os.environ.setdefault("ANTOAN_ENV", "test")

OLD_ERA_END = dt.date(2025, 6, 30)
NEW_ERA = dt.date(2025, 7, 1)


@pytest.fixture
def mini_places(db):
    """Just enough of the map for the cast: old and new Hưng Yên and the two demo communes."""
    return make_mini_places()


def make_mini_places():
    """The places of ``mini_places``, for fixtures of a wider scope than a test."""
    from antoan.places.models import Place

    def make(**kwargs):
        place = Place(**kwargs)
        place.full_clean()
        place.save()
        return place

    old_hy = make(code="33", name="Tỉnh Hưng Yên", level="province", valid_to=OLD_ERA_END)
    new_hy = make(code="33", name="Tỉnh Hưng Yên", level="province", valid_from=NEW_ERA)
    a = make(
        code="11953", name="Phường Phố Hiến", level="commune", parent=new_hy, valid_from=NEW_ERA
    )
    b = make(
        code="12452",
        name="Phường Trần Hưng Đạo",
        level="commune",
        parent=new_hy,
        valid_from=NEW_ERA,
    )
    return {"old_province": old_hy, "province": new_hy, "commune_a": a, "commune_b": b}


@pytest.fixture
def cast(mini_places):
    """The named users of the demo (worker1, supervisor1, ...), keyed by username."""
    from antoan.accounts.demo import DEMO_PASSWORD, build_demo_world

    return build_demo_world(password=DEMO_PASSWORD)


@pytest.fixture
def plan64(cast):
    """Plan 64/KH-UBND loaded from data/plans, with the agencies it names."""
    from antoan.programme.loader import load_plan

    plan, _ = load_plan(Path(__file__).parent / "data" / "plans" / "64-KH-UBND-2021.yaml")
    return plan


@pytest.fixture
def catalogue(db):
    """The indicator catalogue loaded from data/indicators.yaml."""
    from antoan.indicators.loader import load_indicators
    from antoan.indicators.selectors.places import forget

    forget()  # the map of places is kept per process; each test builds its own places
    load_indicators(Path(__file__).parent / "data" / "indicators.yaml")
    yield
    forget()


@pytest.fixture
def client_for(client):
    """Log a named user into the test client: ``client_for(cast["worker1"])``."""

    def login(user):
        client.force_login(user)
        return client

    return login


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def soffice():
    """LibreOffice's ``soffice`` (the PDF of the official documents) and poppler's
    ``pdftoppm`` (to look at the page). Skips without them, unless REQUIRE_LIBREOFFICE=1 (CI),
    where it fails."""
    import shutil

    found = shutil.which("soffice") or shutil.which("libreoffice")
    missing = [
        name
        for name, path in (("soffice", found), ("pdftoppm", shutil.which("pdftoppm")))
        if not path
    ]
    if missing:
        message = (
            f"not installed: {', '.join(missing)} "
            "(apt-get install libreoffice-writer-nogui poppler-utils)"
        )
        if os.environ.get("REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium. Skips without it, unless REQUIRE_BROWSER=1 (CI), where it fails."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the main thread; the ORM must still work.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_page_at(browser):
    """``open_page_at(base_url, ...)``: ``open_page`` for pages of another server than the live
    server (the daphne of tests/browser/test_helpline_chat_websocket.py)."""
    contexts = []

    def open_(base_url: str, width: int = 1280, height: int = 900, locale: str = "en-US"):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        contexts.append(context)
        new_page = context.new_page()
        errors: list[str] = []
        new_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        new_page.on("pageerror", lambda exc: errors.append(str(exc)))
        new_page.errors = errors
        new_page.base_url = base_url
        return new_page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def open_page(live_server, open_page_at):
    """Open pages in fresh browser contexts; console errors and uncaught exceptions are
    collected in ``page.errors``. Pages must come out Vietnamese even for an English browser,
    so that is the default locale."""
    return functools.partial(open_page_at, live_server.url)


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture(autouse=True, scope="session")
def _check_kept_queries():
    """Every query kept as SQL per shape is also built again and compared (antoan/core/
    prepared.py), so each test of a caller checks its shapes. pytest-django has read the
    settings before this file, hence set here rather than through the environment."""
    from django.conf import settings

    settings.PREPARED_QUERIES_CHECK = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counters kept in the cache (duplicate checks per user and hour) start at zero: users'
    ids repeat from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres_only"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...)")


@pytest.fixture
def database_outage(transactional_db):
    """``with database_outage():`` the default database is unreachable (PostgreSQL only).

    The connection is closed and pointed at a port nobody listens on, as when the database
    server stops; leaving the block points it back, and the next query reconnects.
    """
    from contextlib import contextmanager

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    saved = dict(connection.settings_dict)

    @contextmanager
    def outage():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT="9")
        try:
            yield
        finally:
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
            connection.close()

    return outage


# --- The log scan ------------------------------------------------------------------------------
# Every log record of the whole run (all xdist workers) is written as JSON lines to a scratch
# folder; at the end the run fails if a demo survivor's name or phone appears in any line.
SURVIVOR_DATA = [
    "Nguyễn Thị Hòa",
    "nguyen thi hoa",
    "Trần Thị Mai",
    "Lê Thu Trang",
    "0912345678",
    "0912 345 678",
    "Tổ 3, phường Phố Hiến",
]


def pytest_configure(config):
    import tempfile

    if not hasattr(config, "workerinput") and "ANTOAN_TEST_LOG_DIR" not in os.environ:
        os.environ["ANTOAN_TEST_LOG_DIR"] = tempfile.mkdtemp(prefix="antoan-test-logs-")
        config._antoan_log_dir_owner = True


def pytest_sessionstart(session):
    import logging

    from antoan.core.logs import JsonFormatter, RequestContextFilter

    worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
    handler = logging.FileHandler(
        Path(os.environ["ANTOAN_TEST_LOG_DIR"]) / f"{worker}.jsonl", encoding="utf-8"
    )
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logging.getLogger().addHandler(handler)


def pytest_sessionfinish(session, exitstatus):
    import shutil

    if hasattr(session.config, "workerinput"):
        return
    from antoan.core.logs import personal_data_in

    folder = Path(os.environ["ANTOAN_TEST_LOG_DIR"])
    lines = [line for path in folder.glob("*.jsonl") for line in path.open(encoding="utf-8")]
    found = personal_data_in(lines, SURVIVOR_DATA)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write("\n")
    if found:
        if reporter:
            reporter.write_line(f"LOG SCAN FAILED: {len(found)} log line(s) hold survivor data:")
            for line in found[:20]:
                reporter.write_line(f"  {line[:300]}")
        session.exitstatus = 1
    elif reporter:
        reporter.write_line(f"Log scan: {len(lines)} log lines, no survivor name or phone.")
    if getattr(session.config, "_antoan_log_dir_owner", False):
        shutil.rmtree(folder, ignore_errors=True)
