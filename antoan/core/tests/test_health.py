"""/healthz and /readyz: what a load balancer and an orchestrator see, and nothing more."""

from __future__ import annotations

import pytest
from django.db import connection

from antoan.core import health
from antoan.core.crypto import reset_key_cache

ALL_OK = {"database": "ok", "migrations": "ok", "field_keys": "ok", "queue": "ok"}


@pytest.fixture(autouse=True)
def _forget_migrations_seen():
    health._migrations_seen_applied = False
    yield
    health._migrations_seen_applied = False


def test_healthz_says_only_that_the_process_answers_and_touches_no_database(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Set-Cookie" not in response


def test_readyz_is_ready_without_login_and_names_only_its_checks(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": ALL_OK}
    assert "Set-Cookie" not in response


def test_readyz_reads_the_migration_graph_once_it_saw_everything_applied(
    client, db, django_assert_max_num_queries
):
    client.get("/readyz")
    # Database, queue: one query each; the migration table is not read again.
    with django_assert_max_num_queries(2):
        assert client.get("/readyz").status_code == 200


def test_readyz_fails_while_a_migration_is_not_applied(client, db):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE id = (SELECT MAX(id) FROM django_migrations)"
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {**ALL_OK, "migrations": "failed"},
    }


def test_readyz_fails_when_the_field_keys_do_not_work(client, db, settings):
    settings.ANTOAN_FIELD_KEYS = ["v1:not-a-key"]
    reset_key_cache()
    try:
        response = client.get("/readyz")
    finally:
        settings.ANTOAN_FIELD_KEYS = list(settings.ANTOAN_FIELD_KEYS)
    reset_key_cache()
    assert response.status_code == 503
    assert response.json()["checks"]["field_keys"] == "failed"


def test_readyz_fails_while_the_database_is_down_and_recovers_after(client, database_outage):
    with database_outage():
        down = client.get("/readyz")
        alive = client.get("/healthz")
    assert down.status_code == 503
    assert down.json() == {
        "status": "unavailable",
        "checks": {
            "database": "failed",
            "migrations": "skipped",
            "field_keys": "ok",
            "queue": "skipped",
        },
    }
    assert alive.status_code == 200
    assert client.get("/readyz").status_code == 200
