"""Liveness and readiness for load balancers, orchestrators and monitoring.

``/healthz`` says the process answers, and nothing else: it touches no database, so a
load balancer does not take every app server out at once when PostgreSQL blinks.
``/readyz`` says whether this process can do useful work: the database answers, every
migration is applied, the field keys encrypt and decrypt, and the task queue's table answers.
Both are public and cheap, and neither reveals anything but the names of the checks.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger("antoan.health")

# Once every migration is applied in this process it stays so (a new release starts new
# processes), so the migration graph is read from disk until then, not on every probe.
_migrations_seen_applied = False


def database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def migrations() -> None:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("unapplied migrations")
    _migrations_seen_applied = True


def field_keys() -> None:
    from antoan.core.crypto import blind_index, decrypt, encrypt

    row = uuid.uuid4()
    sealed = encrypt("readyz", context="health.readyz", row_key=row)
    if decrypt(sealed, context="health.readyz") != "readyz":
        raise RuntimeError("field keys do not round-trip")
    if not blind_index("readyz", purpose="health"):
        raise RuntimeError("no index key")


def queue() -> None:
    from django_tasks_db.models import DBTaskResult

    # The queue's own table answers (a worker without it would fail every job).
    DBTaskResult.objects.only("pk").first()


CHECKS: dict[str, Callable[[], None]] = {
    "database": database,
    "migrations": migrations,
    "field_keys": field_keys,
    "queue": queue,
}


_NEED_DATABASE = {"migrations", "queue"}


def readiness() -> dict[str, str]:
    """``{check: "ok" | "failed"}``. A failure is logged with its class, never its message."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name in _NEED_DATABASE and results.get("database") == "failed":
            results[name] = "skipped"
            continue
        try:
            check()
        except Exception as exc:  # readiness reports any failure as "not ready"
            logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
            results[name] = "failed"
        else:
            results[name] = "ok"
    return results
