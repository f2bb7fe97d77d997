"""The tables' protection on its own: no hidden cell is alone in a line that adds up."""

from __future__ import annotations

import itertools

from antoan.indicators.suppression import TOTAL
from antoan.reports.exports.tables import Table, protect

SEX = ["f", "m"]
AGE = ["young", "old", "unknown"]


def table(cells: dict[tuple[str, str], int], rows: list[str], *, additive: bool) -> Table:
    t = Table(
        "T",
        "t",
        "người",
        [(r, r) for r in rows],
        [(TOTAL, "Tổng"), *[(c, c) for c in SEX + AGE]],
        [SEX, AGE],
        additive,
        "",
    )
    t.cells = cells
    t.hidden = protect(t, 5)
    return t


def lines(t: Table):
    """Every set of entries that adds up: each row's partitions, and for an additive table each
    column down the rows."""
    for row, _l in t.rows:
        for part in t.partitions:
            yield [(row, TOTAL), *[(row, c) for c in part]]
    if t.additive:
        first = t.rows[0][0]
        for col, _l in t.columns:
            yield [(first, col), *[(r, col) for r, _l in t.rows[1:]]]


def fill(rows: list[str], units: list[tuple[str, str, str]]) -> dict[tuple[str, str], int]:
    cells = {(r, c): 0 for r in rows for c in [TOTAL, *SEX, *AGE]}
    for row, sex, age in units:
        for r in ("all", row):
            for c in (TOTAL, sex, age):
                cells[(r, c)] += 1
    return cells


def test_no_line_has_exactly_one_hidden_cell_and_no_small_number_shows():
    rows = ["all", "a", "b", "c"]
    combos = list(itertools.product(["a", "b", "c"], SEX, AGE))
    for seed in range(40):
        units = [combos[(seed * 7 + i * (seed % 5 + 1)) % len(combos)] for i in range(seed % 23)]
        for additive in (True, False):
            t = table(fill(rows, units), rows, additive=additive)
            for line in lines(t):
                assert sum(1 for e in line if e in t.hidden) != 1, (seed, additive, line)
            for entry, value in t.cells.items():
                if 0 < value < 5:
                    assert entry in t.hidden
