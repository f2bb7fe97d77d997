"""The suppression algorithms on tables written by hand, and on random ones checked exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from antoan.indicators.suppression import TOTAL, protect_line, protect_sums, protect_table
from antoan.indicators.tests.exact import in_span


def test_nothing_is_hidden_when_nothing_is_small():
    assert protect_line({"a": 22, "b": 18, "c": 0}, threshold=5) == frozenset()
    cells = {("a", "x"): 10, ("a", "y"): 7, ("b", "x"): 6, ("b", "y"): 9}
    assert protect_table(with_margins(cells), threshold=5) == frozenset()


def test_a_small_part_of_a_line_gets_the_cheapest_companion():
    # 3 is small; with the total shown, hiding it alone would give it away: 7 goes too.
    assert protect_line({"a": 10, "b": 3, "c": 7}, threshold=5) == {"b", "c"}
    # Two small parts cover each other.
    assert protect_line({"a": 10, "b": 3, "c": 2}, threshold=5) == {"b", "c"}
    # A hidden total (decided elsewhere) covers a single small part.
    assert protect_line({"a": 10, "b": 3}, threshold=5, fixed={TOTAL: True}) == {"b", TOTAL}


def test_a_small_cell_of_a_table_hides_a_rectangle_of_cells_not_margins():
    cells = {
        ("a", "x"): 2, ("a", "y"): 9, ("a", "z"): 30,
        ("b", "x"): 8, ("b", "y"): 12, ("b", "z"): 40,
    }  # fmt: skip
    hidden = protect_table(with_margins(cells), threshold=5)
    assert hidden == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}


def test_months_quarters_years_and_the_reporting_year():
    months = [(2024, 12)] + [(2025, m) for m in range(1, 13)]
    parts = dict.fromkeys(months, 0)
    parts.update({(2025, 1): 7, (2025, 4): 1, (2025, 11): 5})
    entries = {f"m{m}": frozenset([(2025, m)]) for m in range(1, 13)}
    entries |= {
        f"q{q}": frozenset((2025, m) for m in range(3 * q - 2, 3 * q + 1)) for q in (1, 2, 3, 4)
    }
    entries["year"] = frozenset((2025, m) for m in range(1, 13))
    entries["reporting"] = frozenset([(2024, 12)] + [(2025, m) for m in range(1, 12)])
    lines = [("year", ["q1", "q2", "q3", "q4"])]
    lines += [(f"q{q}", [f"m{m}" for m in range(3 * q - 2, 3 * q + 1)]) for q in (1, 2, 3, 4)]
    hidden = protect_sums(parts, entries, threshold=5, fixed={"year": False}, lines=lines)
    # April (1) and its quarter; November (5) and its quarter cover them: nothing more.
    assert hidden == {"m4", "q2", "m11", "q4"}


def with_margins(cells: dict) -> dict:
    rows = sorted({r for r, _c in cells})
    cols = sorted({c for _r, c in cells})
    out = dict(cells)
    for r in rows:
        out[(r, TOTAL)] = sum(cells[(r, c)] for c in cols)
    for c in cols:
        out[(TOTAL, c)] = sum(cells[(r, c)] for r in rows)
    out[(TOTAL, TOTAL)] = sum(cells.values())
    return out


def cells_of(entry, rows, cols) -> set:
    """The interior cells an entry adds up (a margin adds up its row or column)."""
    return {
        (r, c)
        for r in (rows if entry[0] == TOTAL else [entry[0]])
        for c in (cols if entry[1] == TOTAL else [entry[1]])
    }


tables = st.integers(1, 4).flatmap(
    lambda n_rows: st.integers(1, 4).flatmap(
        lambda n_cols: st.lists(
            st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 12, 30]),
            min_size=n_rows * n_cols,
            max_size=n_rows * n_cols,
        ).map(
            lambda values, n_rows=n_rows, n_cols=n_cols: {
                (f"r{i // n_cols}", f"c{i % n_cols}"): v for i, v in enumerate(values)
            }
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(cells=tables)
def test_no_hidden_entry_of_a_table_can_be_worked_out(cells):
    table = with_margins(cells)
    hidden = protect_table(table, threshold=5)
    rows = sorted({r for r, _c in cells})
    cols = sorted({c for _r, c in cells})
    shown = [e for e in table if e not in hidden]
    for entry, value in table.items():
        if 0 < value < 5:
            assert entry in hidden
    unknowns = [(r, c) for r in rows for c in cols]
    shown_cells = [cells_of(e, rows, cols) for e in shown]
    for entry in hidden:
        assert not in_span(cells_of(entry, rows, cols), shown_cells, unknowns), (entry, table)


@settings(max_examples=300, deadline=None)
@given(values=st.dictionaries(st.sampled_from("abcdef"), st.sampled_from([0, 1, 3, 6, 20])))
def test_no_hidden_part_of_a_line_can_be_worked_out(values):
    hidden = protect_line(values, threshold=5)
    total = sum(values.values())
    assert all(k in hidden for k, v in values.items() if 0 < v < 5)
    if 0 < total < 5:
        assert TOTAL in hidden
    shown_parts = [k for k in values if k not in hidden]
    hidden_parts = [k for k in values if k in hidden]
    # One equation: a hidden part is known only if it is the only unknown in it.
    if TOTAL not in hidden:
        assert len(hidden_parts) != 1, (values, hidden)
    assert len(shown_parts) + len(hidden_parts) == len(values)
