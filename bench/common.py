"""What every benchmark module shares: the result row and its keys."""

from __future__ import annotations

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
