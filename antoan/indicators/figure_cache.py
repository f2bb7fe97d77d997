"""Computed dashboard figures kept in Django's cache (docs/indicators.md, "Cached figures").

A province dashboard costs about a second of database and Python work; its figures are a
year's aggregates, so they are computed once and served from the cache for
``ANTOAN_DASHBOARD_CACHE_SECONDS`` (default 300 s). The page says when they were computed and
offers to compute them again.

Keys carry the *scope* the figures belong to (``province:<code>`` of the user's own
membership, or ``national``), never anything from the URL alone, so one province's figures can
never be served to another province's user. They also carry the question (the checked filters),
the language (labels such as "no commune known" are translated when computed) and two
*generations*: one for everything and one for the scope. ``forget`` replaces a generation with a
new random token, which orphans every entry computed before it (they expire with their
timeout). A generation that the cache dropped (eviction, restart) comes back as a new token,
never as an old one, so an eviction can only cost a recomputation, never serve stale figures.

What bumps a generation: withdrawing statistics consent, erasing a case, a new or changed
estimate (everything); "compute again" on the page (the user's scope). Ordinary work (a call,
a case, a referral) is left to the timeout: at a hotline's pace the figures would otherwise be
recomputed on almost every view.

One computation at a time per entry: when several people open the same dashboard before its
figures are kept (the leaders at 8:00, or the first views after a restart), the first computes
and the others wait for its result (``ANTOAN_DASHBOARD_WAIT_SECONDS``, default 30) instead of
each running the same aggregates: on the million cases a province's first view costs 4 s of
database work, and five at once queued everything else behind them. Should the first fail or
take longer than the wait, the others compute for themselves, so nobody waits for good.

With a task worker (``ANTOAN_DASHBOARD_BACKGROUND``, on outside the test profile) no web
request computes figures: a dashboard whose figures are not kept asks the worker for them
(``antoan.indicators.tasks.compute_figures``, once per entry) and the page says they are being
computed until they are there; figures older than the timeout are shown with their time for
``ANTOAN_DASHBOARD_STALE_SECONDS`` more while the worker computes them again. A worker that has
not answered within ``ANTOAN_DASHBOARD_WAIT_SECONDS`` is not waited for: the next view computes
the figures itself, as without a worker.

With more than one app server process the cache must be shared (``REDIS_URL``,
docs/deployment.md): with the local-memory cache each process keeps its own figures and
generations, so a bump reaches only the process that made it and the others catch up within
the timeout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from antoan.core import cache_tokens
from antoan.core.routers import replica_reads

PREFIX = "antoan:indicators:figures"
EVERYTHING = "*"
T = TypeVar("T")


def timeout() -> int:
    return int(getattr(settings, "ANTOAN_DASHBOARD_CACHE_SECONDS", 300))


def wait_seconds() -> float:
    return float(getattr(settings, "ANTOAN_DASHBOARD_WAIT_SECONDS", 30))


# How often a waiting request looks for the figures another one is computing.
POLL_SECONDS = 0.05


def province_scope(code: str) -> str:
    return f"province:{code}"


NATIONAL = "national"


def _generation(scope: str) -> str:
    return cache_tokens.token(f"{PREFIX}:generation:{scope}")


def generations(scope: str) -> str:
    """What ``forget`` changes for ``scope``: figures computed under other generations are old."""
    return f"{_generation(EVERYTHING)}:{_generation(scope)}"


def forget(scope: str = EVERYTHING) -> None:
    """Figures of ``scope`` (every scope by default) computed so far are not served again."""
    cache_tokens.replace(f"{PREFIX}:generation:{scope}")


def key_for(scope: str, question: dict[str, Any]) -> str:
    asked = json.dumps(question, sort_keys=True, default=str)
    digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
    return ":".join(
        [
            PREFIX,
            "v1",
            scope,
            generations(scope),
            translation.get_language() or "",
            digest,
        ]
    )


@dataclass(frozen=True)
class Figures:
    """What a dashboard can show now: its figures and when they were computed, or nothing yet
    (``pending``: the task worker is computing them)."""

    value: Any
    computed_at: dt.datetime | None
    refreshing: bool = False  # older than the timeout, shown while computed again

    @property
    def pending(self) -> bool:
        return self.computed_at is None


def figures(
    scope: str,
    question: dict[str, Any],
    compute: Callable[[], Any],
    *,
    recipe: dict[str, Any],
    fresh: bool = False,
) -> Figures:
    """The figures of ``scope`` and ``question``: kept ones, else (with a task worker) asked of
    the worker, else computed now by ``compute``. ``recipe`` is what the worker needs to
    compute the same figures (``antoan.indicators.tasks``): JSON, from the same request."""
    if not background() or timeout() <= 0:
        return Figures(*cached(scope, question, compute, fresh=fresh))
    if fresh:
        forget(scope)
    key = key_for(scope, question)
    found = cache.get(key)
    if found is not None:
        if _young(found[1]):
            return Figures(*found)
        _ask(key, recipe)
        return Figures(found[0], found[1], refreshing=True)
    asked_at = _ask(key, recipe)
    found = cache.get(key)  # computed meanwhile
    if found is not None:
        return Figures(*found)
    if timezone.now() - asked_at < dt.timedelta(seconds=wait_seconds()):
        return Figures(None, None)
    # The worker has not answered (stopped, or busy with long jobs): nobody waits for good.
    return Figures(*cached(scope, question, compute))


def background() -> bool:
    return bool(getattr(settings, "ANTOAN_DASHBOARD_BACKGROUND", False))


def stale_seconds() -> int:
    return int(getattr(settings, "ANTOAN_DASHBOARD_STALE_SECONDS", 0))


def kept_for() -> int:
    """Seconds an entry stays in the cache: the timeout, and with a worker the time older
    figures are shown while computed again."""
    return timeout() + (stale_seconds() if background() else 0)


def _young(computed_at: dt.datetime) -> bool:
    return timezone.now() - computed_at < dt.timedelta(seconds=timeout())


def _ask(key: str, recipe: dict[str, Any]) -> dt.datetime:
    """Ask the task worker for the figures of ``key``, unless already asked; when they were
    asked for."""
    from antoan.indicators.tasks import compute_figures

    now = timezone.now()
    marker = f"{key}:asked"
    # Kept past the wait, so that a worker that never answers is not asked again and again.
    if cache.add(marker, now.timestamp(), int(2 * wait_seconds()) + 1):
        compute_figures.enqueue(key=key, recipe=recipe)
        return now
    stamp = cache.get(marker)
    return now if stamp is None else dt.datetime.fromtimestamp(stamp, tz=dt.UTC)


def keep(key: str, value: Any, computed_at: dt.datetime) -> None:
    """Keep figures computed at ``computed_at`` (by the worker) under ``key``."""
    cache.set(key, (value, computed_at), kept_for())
    cache.delete(f"{key}:asked")


def cached(
    scope: str, question: dict[str, Any], compute: Callable[[], T], *, fresh: bool = False
) -> tuple[T, dt.datetime]:
    """``compute()``'s result for ``scope`` and ``question`` and when it was computed: from the
    cache when it holds one computed within the timeout (unless ``fresh``), else computed now
    and kept."""
    if fresh:
        forget(scope)
    key = key_for(scope, question)
    if not fresh:
        found = cache.get(key)
        if found is not None and _young(found[1]):
            return found
    seconds = timeout()
    if seconds <= 0:
        return computed(compute)
    lock, token = f"{key}:computing", uuid.uuid4().hex
    if not cache.add(lock, token, int(wait_seconds()) + 1):
        found = _wait_for(key, lock)
        if found is not None:
            return found
    try:
        value = computed(compute)
        cache.set(key, value, kept_for())
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)
    return value


def computed(compute: Callable[[], T]) -> tuple[T, dt.datetime]:
    """``compute()``'s result and when it was computed (from a replica, if any)."""
    with replica_reads():  # figures a second old are as good: docs/operations/scaling.md
        return compute(), timezone.now()


def _wait_for(key: str, lock: str) -> Any:
    """The figures another request is computing, once kept; None if it gave up (failed, or
    took longer than the wait)."""
    deadline = time.monotonic() + wait_seconds()
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = cache.get(key)
        if found is not None and _young(found[1]):
            return found
        if cache.get(lock) is None:
            return cache.get(key)
    return None


# The cohorts' grouped rows read inside ``rows_kept`` (the task worker's dashboards), by what
# was asked, for a short while: the next dashboard of the same scope (another year, another
# table) reads them from here instead of the database. Outside the block, always the database.
_keeping: ContextVar[tuple[str, int] | None] = ContextVar("antoan_rows_kept", default=None)
_ROWS: dict[tuple, tuple[dt.datetime, list[tuple]]] = {}


@contextmanager
def rows_kept(scope: str, seconds: int) -> Iterator[None]:
    """Inside the block, rows read for ``scope`` within the last ``seconds`` (and since its
    figures were last forgotten: "Tính lại ngay", a withdrawn consent) are read again from
    this process's memory (``kept_rows``)."""
    token = _keeping.set((generations(scope), seconds))
    try:
        yield
    finally:
        _keeping.reset(token)


def kept_rows(asked: tuple, read: Callable[[], list[tuple]]) -> list[tuple]:
    """``read()``, or the rows it gave for the same ``asked`` inside ``rows_kept``."""
    keeping = _keeping.get()
    if keeping is None or keeping[1] <= 0:
        return read()
    tag, seconds = keeping
    now = timezone.now()
    for old in [k for k, (at, _rows) in _ROWS.items() if (now - at).total_seconds() >= seconds]:
        del _ROWS[old]
    key = (tag, *asked)
    found = _ROWS.get(key)
    if found is not None:
        return found[1]
    fresh = read()
    _ROWS[key] = (now, fresh)
    return fresh
