"""Sessions kept in the shared cache (production, with REDIS_URL): the same limits, and the
database stays the record.

With a shared cache the settings read sessions from it and write them through to the database
(``cached_db``), one query fewer on every page (docs/performance.md). These tests run the
session rules against a real Redis: a session served from the cache must end exactly as one
read from the database does.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from antoan.accounts.tests.helpers import web_login
from antoan.accounts.tests.test_sessions import at

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
LOGIN = reverse("accounts:login")
REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def shared_cache(settings, cast):
    """Sessions as production keeps them: cached_db over Redis, under this test's own prefix."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({exc}; apt-get install redis-server)")
    prefix = f"test-sessions-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield client
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


def session_reads(client: Client) -> tuple[int, int]:
    """A page's status and how many times it read the session table."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(HOME).status_code
    return status, sum('FROM "django_session"' in q["sql"] for q in queries.captured_queries)


def test_a_page_reads_the_session_from_the_cache_and_survives_losing_it(shared_cache):
    client = Client()
    assert web_login(client, "reporter1").status_code == 302
    assert session_reads(client) == (200, 0)
    shared_cache.flushdb()  # Redis restarted, or evicted the session
    assert session_reads(client) == (200, 1)  # read back from the database: still signed in
    assert session_reads(client) == (200, 0)


def test_logout_everywhere_ends_sessions_served_from_the_cache(shared_cache):
    here, elsewhere = Client(), Client()
    web_login(here, "reporter1")
    web_login(elsewhere, "reporter1")
    assert session_reads(elsewhere) == (200, 0)

    here.post(reverse("accounts:logout_everywhere"))

    assert elsewhere.get(HOME).status_code == 302
    assert here.get(HOME).status_code == 302


def test_logout_ends_the_session_in_the_cache_and_the_database(shared_cache):
    client = Client()
    web_login(client, "reporter1")
    cookie = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))

    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert stolen.get(HOME).status_code == 302


def test_an_idle_session_served_from_the_cache_still_ends(shared_cache):
    start = timezone.now()
    client = Client()
    with at(start):
        web_login(client, "reporter1")
    with at(start + dt.timedelta(minutes=29)):
        assert client.get(HOME).status_code == 200
    with at(start + dt.timedelta(minutes=58)):
        assert client.get(HOME).status_code == 200  # the time seen was written through
    with at(start + dt.timedelta(minutes=89)):
        response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(LOGIN)
