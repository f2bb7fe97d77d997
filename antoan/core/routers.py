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


def read_alias() -> str:
    """Where a read goes now: the replica inside ``replica_reads()`` (outside a transaction,
    when one is configured), else the primary. For raw SQL too (``connections[read_alias()]``),
    which Django's router never sees."""
    if not _wanted.get() or not replica_configured():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = read_alias()
        return None if alias == DEFAULT_DB_ALIAS else alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
