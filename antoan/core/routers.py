"""Reads that can wait a second go to a PostgreSQL streaming replica, when one is configured.

Only code that asks for it reads from the replica: the dashboards and the big exports, whose
figures do not change if they are a second old, wrap their queries in ``replica_reads()``.
Everything else (case work, referrals, the audit chain) reads from the primary, so a user
always sees what they have just saved. Inside a transaction the primary is used too: the
transaction may have written rows the replica has not got. Writes and migrations go to the
primary only. Without ``ANTOAN_REPLICA_DATABASE_URL`` (or with ``ANTOAN_REPLICA_READS`` off)
the router never answers.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads():
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


def replica_configured() -> bool:
    return settings.ANTOAN_REPLICA_READS and REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _wanted.get() or not replica_configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
