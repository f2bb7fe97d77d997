"""Benchmarks that run against a database filled by ``generate_data``.

``make bench`` runs them at province scale, in the scratch database ``bench/indicators.py``
fills with ``generate_data --scale province`` (20,000 cases with their incidents, referrals,
calls, timelines and activities). ``BENCH_SCALE=national`` runs them, and nothing else, against
the database ``DATABASE_URL`` names as it is (filled beforehand by
``manage.py generate_data --scale national``): nothing is built or dropped there.

A measure is a function ``(scale, median_per_op) -> list of result rows`` (see
``common.row``), registered with :func:`register`. It must find its subjects in the data (the
busiest provider, the case with the longest timeline, a common name...), never assume ids, and
leave the data as it found it (write inside a transaction it rolls back, or into tables of its
own that it drops).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

Measure = Callable[[str, Callable], list[dict]]
MEASURES: list[Measure] = []


def register(fn: Measure) -> Measure:
    MEASURES.append(fn)
    return fn


def measure_all(scale: str, median_per_op, rows: list[dict] | None = None, saved=None):
    """Every registered measure, appended to ``rows``; ``saved(rows)`` after each one (the
    national run writes its results file as it goes, so a run cut short keeps what it did)."""
    rows = [] if rows is None else rows
    skip = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
    for fn in MEASURES:
        if fn.__name__ in skip:
            print(f"  {scale}: {fn.__name__} skipped (BENCH_SKIP)", flush=True)
            continue
        print(f"  {scale}: {fn.__module__}.{fn.__name__}", flush=True)
        began = time.perf_counter()
        rows.extend(fn(scale, median_per_op))
        print(f"  {scale}: {fn.__name__} took {time.perf_counter() - began:.0f} s", flush=True)
        if saved is not None:
            saved(rows)
    return rows


# The modules that register measures (one import each).
import dashboard  # noqa: E402, F401  (bench/dashboard.py: dashboards, consolidated report)
import load  # noqa: E402, F401  (bench/load.py: 50 users through gunicorn)
import national_pages  # noqa: E402, F401  (bench/national_pages.py: export, case page, inbox)
