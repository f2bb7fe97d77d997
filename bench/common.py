"""What every benchmark module shares: the result row and its keys."""

from __future__ import annotations

import os

KEYS = ("name", "scale", "median_ms", "floor_ms", "ratio", "queries", "peak_mb", "p95_ms")


def row(
    name, scale, ours=None, floor=None, queries=None, note=None, *, peak_mb=None, p95_ms=None
) -> dict:
    """One result: ``ours`` and ``floor`` in seconds (stored as ms), the rest as measured."""
    out = dict.fromkeys(KEYS)
    out.update(name=name, scale=scale, queries=queries, peak_mb=peak_mb, p95_ms=p95_ms)
    if ours is not None:
        out["median_ms"] = round(ours * 1e3, 3)
    if floor is not None:
        out["floor_ms"] = round(floor * 1e3, 3)
    if ours is not None and floor:
        out["ratio"] = round(ours / floor, 2)
    return out


def full() -> bool:
    """``BENCH_FULL=1``: the province run also does the slow measures in full (the export of
    100,000 rows, the load test for 2 minutes, more operations per round), as the national
    run always does. Without it ``make bench`` stays an everyday command (under 5 minutes)."""
    return os.environ.get("BENCH_FULL") == "1"
