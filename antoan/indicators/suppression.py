"""Small-cell suppression: which counts may leave case scope.

A count from 1 to ``threshold - 1`` could point at a person (one woman of 61+ raped in a
commune): it is hidden (*primary* suppression). Hiding it is not enough when the rest of the
table gives it away (a row total minus the other cells of the row), so more entries are hidden
(*complementary* suppression) until no hidden entry can be worked out from what is shown.

The tables are two-dimensional with their margins: rows (communes, plus a row of the province's
totals) by columns (a breakdown such as sex, or the quarters of a year, plus a column of the
rows' totals). Every entry, margins included, is an edge of a bipartite graph between row
nodes and column nodes; the table's equations say that around every node the entries add up.
Subtracting published entries leaves equations between hidden ones, and a hidden entry can be
worked out from them exactly when its edge is a *bridge* of the graph of hidden entries (it lies
on no cycle): along a cycle, adding and subtracting the same amount keeps every sum. So a table
is safe when every hidden entry lies on a cycle of hidden entries. See docs/indicators.md.

Tables that share entries (a commune's yearly total is in the quarter table and in the table by
sex) are protected one after the other: the shared entries are protected first, on their own,
and then *fixed*, so that every table's pattern depends only on its own cells and the fixed
entries. The same entry is therefore hidden in every answer or in none, whatever was asked.

Pure functions of their inputs (no database), memoised: the figures are computed live, and
protecting the same table twice costs a dictionary lookup.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Mapping
from functools import lru_cache
from typing import Any

TOTAL = "*"  # the margin's row or column key; no code or category is "*"

Entry = tuple[Any, Any]

# Complements are chosen by cost: small positive counts first (the least information lost);
# zeros only when nothing else will do, because a hidden zero on a cycle can let bounds
# (counts are never negative) narrow the hidden entry; margins cost more than cells.
_ZERO_COST = 10**9
_MARGIN_FACTOR = 1000
_GRAND_TOTAL_COST = 10**12


def is_primary(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def protect_line(
    values: Mapping[Any, int], *, threshold: int, fixed: Mapping[Any, bool] | None = None
) -> frozenset[Any]:
    """A one-dimensional table: parts adding up to a total (``TOTAL``, given or not in
    ``values``, its fate in ``fixed``). The hidden keys.

    One equation: a hidden entry can be worked out exactly when it is the only one hidden, so
    a lone hidden entry gets a companion, the cheapest part that may be hidden.
    """
    fixed = dict(fixed or {})
    total = values.get(TOTAL, sum(v for k, v in values.items() if k != TOTAL))
    entries = {**{k: v for k, v in values.items() if k != TOTAL}, TOTAL: total}
    hidden = {k for k, h in fixed.items() if h and k in entries}
    hidden |= {k for k, v in entries.items() if k not in fixed and is_primary(v, threshold)}
    if len(hidden) == 1:
        free = [k for k in entries if k not in hidden and k not in fixed and k != TOTAL]
        if not free and TOTAL not in hidden and TOTAL not in fixed:
            free = [TOTAL]
        if free:
            hidden.add(
                min(free, key=lambda k: (entries[k] if entries[k] > 0 else _ZERO_COST, str(k)))
            )
    return frozenset(hidden)


def protect_table(
    cells: Mapping[Any, int],
    *,
    threshold: int,
    fixed: Mapping[Any, bool] | None = None,
) -> frozenset[Entry]:
    """The hidden entries of a table given as ``{(row, col): count}``.

    ``cells`` holds every entry, margins included (row ``TOTAL``, column ``TOTAL``); a table
    without a margin row (a single line) has only ``(TOTAL, col)`` entries. ``fixed`` says which
    entries were already decided by another table (True: hidden, False: shown); they are never
    changed here.
    """
    key = (
        tuple(sorted(cells.items(), key=_entry_order)),
        threshold,
        tuple(sorted((fixed or {}).items(), key=_entry_order)),
    )
    return _protect(key)


def _entry_order(item: tuple[Entry, object]) -> tuple[str, str]:
    (row, col), _value = item
    return (str(row), str(col))


@lru_cache(maxsize=4096)
def _protect(
    key: tuple[tuple[tuple[Entry, int], ...], int, tuple[tuple[Entry, bool], ...]],
) -> frozenset[Entry]:
    items, threshold, fixed_items = key
    cells = dict(items)
    fixed = dict(fixed_items)
    hidden: set[Entry] = {e for e, is_hidden in fixed.items() if is_hidden and e in cells}
    hidden |= {e for e, v in cells.items() if e not in fixed and is_primary(v, threshold)}
    hideable = [e for e in cells if e not in fixed]
    while True:
        bridges = _bridges(hidden)
        if not bridges:
            return frozenset(hidden)
        bridge = min(bridges, key=lambda e: (str(e[0]), str(e[1])))
        path = _cheapest_cycle(bridge, cells, hidden, fixed)
        if path is None:
            break  # no cycle can be closed with what may still be hidden (tiny tables)
        hidden |= path
    # Every entry that may be hidden is. An entry still on no cycle is one that the fixed,
    # shown entries already give away (a table of one column equals its total column); it
    # says nothing the other table did not.
    hidden |= set(hideable)
    return frozenset(hidden)


def _node_r(row: Hashable) -> tuple[str, Hashable]:
    return ("r", row)


def _node_c(col: Hashable) -> tuple[str, Hashable]:
    return ("c", col)


def _bridges(hidden: Iterable[Entry]) -> set[Entry]:
    """Hidden entries that lie on no cycle of hidden entries (Tarjan, iteratively)."""
    adjacency: dict[tuple[str, Hashable], list[tuple[tuple[str, Hashable], Entry]]] = {}
    for entry in hidden:
        a, b = _node_r(entry[0]), _node_c(entry[1])
        adjacency.setdefault(a, []).append((b, entry))
        adjacency.setdefault(b, []).append((a, entry))
    order: dict[tuple[str, Hashable], int] = {}
    low: dict[tuple[str, Hashable], int] = {}
    bridges: set[Entry] = set()
    counter = 0
    for start in sorted(adjacency, key=str):
        if start in order:
            continue
        order[start] = low[start] = counter
        counter += 1
        stack: list[tuple[Any, Entry | None, Any]] = [(start, None, iter(adjacency[start]))]
        while stack:
            node, via, edges = stack[-1]
            advanced = False
            for neighbour, entry in edges:
                if entry == via:
                    continue
                if neighbour not in order:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, entry, iter(adjacency[neighbour])))
                    advanced = True
                    break
                low[node] = min(low[node], order[neighbour])
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    bridges.add(via)  # type: ignore[arg-type]
    return bridges


def _cost(entry: Entry, value: int) -> int:
    row, col = entry
    if row == TOTAL and col == TOTAL:
        return _GRAND_TOTAL_COST
    base = value if value > 0 else _ZERO_COST
    return base * _MARGIN_FACTOR if TOTAL in (row, col) else base


def _cheapest_cycle(
    bridge: Entry,
    cells: Mapping[Entry, int],
    hidden: set[Entry],
    fixed: Mapping[Entry, bool],
) -> set[Entry] | None:
    """The entries to hide so that ``bridge`` lies on a cycle: the cheapest path from its row
    to its column that does not use it, through hidden entries (free) or entries that may be
    hidden (at their cost). None when there is no such path."""
    adjacency: dict[tuple[str, Hashable], list[tuple[tuple[str, Hashable], Entry, int]]] = {}
    for entry, value in cells.items():
        if entry == bridge:
            continue
        if entry in hidden:
            cost = 0
        elif fixed.get(entry) is False:
            continue  # shown by another table: may not be hidden here
        else:
            cost = _cost(entry, value)
        a, b = _node_r(entry[0]), _node_c(entry[1])
        adjacency.setdefault(a, []).append((b, entry, cost))
        adjacency.setdefault(b, []).append((a, entry, cost))
    source, target = _node_r(bridge[0]), _node_c(bridge[1])
    best: dict[tuple[str, Hashable], int] = {source: 0}
    back: dict[tuple[str, Hashable], tuple[tuple[str, Hashable], Entry]] = {}
    queue: list[tuple[int, str, tuple[str, Hashable]]] = [(0, str(source), source)]
    while queue:
        cost, _, node = heapq.heappop(queue)
        if node == target:
            break
        if cost > best.get(node, cost):
            continue
        for neighbour, entry, step in adjacency.get(node, []):
            candidate = cost + step
            if candidate < best.get(neighbour, candidate + 1):
                best[neighbour] = candidate
                back[neighbour] = (node, entry)
                heapq.heappush(queue, (candidate, str(neighbour), neighbour))
    if target not in best:
        return None
    path: set[Entry] = set()
    node = target
    while node != source:
        node, entry = back[node]
        path.add(entry)
    return path


# --- Sums over a non-tree hierarchy (the province's months, quarters, years, reporting years) ---

_PRIME = 2**61 - 1


def protect_sums(
    parts: Mapping[Any, int],
    entries: Mapping[Any, frozenset[Any]],
    *,
    threshold: int,
    fixed: Mapping[Any, bool] | None = None,
    lines: Iterable[tuple[Any, Iterable[Any]]] = (),
) -> frozenset[Any]:
    """The hidden keys among ``entries``, each the sum of a set of ``parts`` (months).

    For figures whose sums overlap in ways a table cannot draw (a reporting year from December
    to November next to calendar years and quarters): hidden entries are checked against the
    span of the shown ones, exactly, and complements are added until none can be worked out.
    The arithmetic is modulo a large prime: a dependence over the rationals is one modulo the
    prime too, so an error can only make it hide more, never less.

    ``lines`` (an entry and the entries that add up to it: a year and its quarters) guide the
    choice of complements: a line with one hidden entry gets a second one, as in a table.
    """
    key = (
        tuple(sorted(parts.items(), key=lambda kv: str(kv[0]))),
        tuple(sorted(((k, tuple(sorted(v, key=str))) for k, v in entries.items()), key=str)),
        threshold,
        tuple(sorted((fixed or {}).items(), key=lambda kv: str(kv[0]))),
        tuple((parent, tuple(children)) for parent, children in lines),
    )
    return _protect_sums(key)


@lru_cache(maxsize=1024)
def _protect_sums(key: tuple) -> frozenset[Hashable]:
    parts_items, entry_items, threshold, fixed_items, line_items = key
    parts = dict(parts_items)
    entries = {k: frozenset(v) for k, v in entry_items}
    fixed = dict(fixed_items)
    index = {part: i for i, part in enumerate(sorted(parts, key=str))}
    values = {k: sum(parts[p] for p in members) for k, members in entries.items()}
    vectors = {k: {index[p]: 1 for p in members} for k, members in entries.items()}
    hidden = {k for k, h in fixed.items() if h and k in entries}
    hidden |= {k for k, v in values.items() if k not in fixed and is_primary(v, threshold)}
    order = sorted(entries, key=str)

    def cost(k: Hashable) -> tuple:
        return (values[k] if values[k] > 0 else _ZERO_COST, len(entries[k]), str(k))

    def exposed_by(shown: list[Hashable]) -> list[Hashable]:
        basis = _basis(vectors[k] for k in shown)
        return [k for k in order if k in hidden and _in_span(vectors[k], basis)]

    _cover_lines(hidden, line_items, fixed, cost)
    while True:
        shown = [k for k in order if k not in hidden]
        exposed = exposed_by(shown)
        if not exposed:
            return frozenset(hidden)
        target = exposed[0]
        members = entries[target]
        # Siblings first (the other months of its quarter, the other quarters of its year):
        # hiding one of them is what usually covers a hidden entry, at the least loss.
        parents = [entries[k] for k in order if members < entries[k]]
        siblings = {
            k
            for k in shown
            if k not in fixed
            and len(entries[k]) == len(members)
            and not entries[k] & members
            and any(entries[k] <= parent for parent in parents)
        }
        others = [k for k in shown if k not in fixed and k not in siblings]
        chosen = None
        for candidate in sorted(siblings, key=cost) + sorted(others, key=cost):
            basis = _basis(vectors[k] for k in shown if k != candidate)
            if not _in_span(vectors[target], basis):
                chosen = candidate
                break
        if chosen is None:
            return frozenset(hidden | {k for k in order if k not in fixed})
        hidden.add(chosen)
        _cover_lines(hidden, line_items, fixed, cost)


def _cover_lines(hidden: set, lines: tuple, fixed: Mapping, cost: Callable) -> None:
    """Until every line has no hidden entry or at least two: hide its cheapest child."""
    changed = True
    while changed:
        changed = False
        for parent, children in lines:
            members = [parent, *children]
            if sum(1 for k in members if k in hidden) != 1:
                continue
            free = [k for k in children if k not in hidden and k not in fixed]
            if not free and parent not in hidden and parent not in fixed:
                free = [parent]
            if free:
                hidden.add(min(free, key=cost))
                changed = True


def _basis(vectors: Iterable[dict[int, int]]) -> dict[int, dict[int, int]]:
    """Rows in echelon form modulo the prime, keyed by pivot (the lowest column)."""
    basis: dict[int, dict[int, int]] = {}
    for vector in vectors:
        row = _reduce(dict(vector), basis)
        if row:
            pivot = min(row)
            inverse = pow(row[pivot], _PRIME - 2, _PRIME)
            basis[pivot] = {c: v * inverse % _PRIME for c, v in row.items()}
    return basis


def _reduce(row: dict[int, int], basis: dict[int, dict[int, int]]) -> dict[int, int]:
    while row:
        pivot = min(row)
        base = basis.get(pivot)
        if base is None:
            # Not a pivot: move past it by reducing the remaining columns only.
            rest = _reduce({c: v for c, v in row.items() if c != pivot}, basis)
            return {pivot: row[pivot], **rest} if rest or row[pivot] else rest
        factor = row[pivot]
        for c, v in base.items():
            row[c] = (row.get(c, 0) - factor * v) % _PRIME
            if row[c] == 0:
                del row[c]
    return row


def _in_span(vector: dict[int, int], basis: dict[int, dict[int, int]]) -> bool:
    return not _reduce(dict(vector), basis)
