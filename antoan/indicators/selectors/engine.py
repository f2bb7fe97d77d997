"""Counting measures in the database and protecting what they show.

For one province, a cohort's measures are counted in a few grouped queries (never row by row):
by raw place, year and quarter over all years; by month for the province; and, for the year
asked about, by place and one breakdown. Places roll up to today's communes here, on the
grouped rows (a few thousand at most), not in SQL, so old and new records meet in one table.

What a measure may show outside case scope (``MeasureFigures``) is decided table by table, in
an order that makes every entry's fate independent of the question asked (suppression.py):
1. the province's yearly totals: hidden only when small;
2. the province's months, quarters and reporting years, around those yearly totals;
3. each year's commune totals (a line adding up to the province's year);
4. each year's commune × quarter table, inside those fixed margins;
5. the asked year's commune × breakdown table (sex, age band, type...), inside the commune
   totals of 3.
Months and reporting years are not broken down by commune, and breakdowns exist for whole
years only: there almost every count is small, and overlapping periods would let one answer be
subtracted from another.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, reduce
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import CharField, F, Q, QuerySet
from django.db.models.functions import Cast, ExtractMonth, ExtractQuarter, ExtractYear
from django.utils import timezone

from antoan.core.routers import read_alias
from antoan.indicators import figure_cache, suppression
from antoan.indicators.periods import PERIOD_CODES, Period, period_for
from antoan.indicators.selectors.measures import MEASURES, Cohort, Measure
from antoan.indicators.selectors.places import UNKNOWN, Rollup
from antoan.indicators.suppression import TOTAL

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Figure:
    value: float | int | None
    hidden: bool = False


class NotAvailable(Exception):
    """This figure is not published at this level (a commune's month, a quarter by sex)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Scope:
    rollup: Rollup
    province_code: str
    year: int
    period: Period
    today: dt.date
    threshold: int
    suppress: bool
    first_year: int
    # The breakdown asked for (by= or a filter), counted for ``year`` only.
    breakdown: str | None = None
    # The whole country: rows are today's provinces instead of communes (``communes`` then
    # holds province codes), and no place filter applies (records with no known place count
    # in the country's total, in the unknown row).
    national: bool = False

    @cached_property
    def place_ids(self) -> list[int]:
        if self.national:
            return list(self.rollup.commune_of)
        return self.rollup.ids_by_province.get(self.province_code, [])

    def places_q(self, field_name: str) -> Q:
        """Rows whose ``field_name`` (a place id) counts in the scope."""
        if self.national:
            return Q()
        return Q(**{f"{field_name}__in": self.place_ids})

    def cohort_places(self, cohort: Cohort) -> Q:
        """The cohort's rows in the scope. With ``Cohort.places`` (``stat_place`` is a COALESCE
        no index serves), the rows meeting one of its conditions on the cohort's own columns,
        each of which an index answers (PostgreSQL ORs their bitmaps): the province's rows
        are found through indexes, where filtering on the COALESCE worked it out for every
        row of the country first."""
        if self.national:
            return Q()
        if cohort.places is None:
            return self.places_q("stat_place")
        return reduce(operator.or_, cohort.places(self.place_ids))

    @cached_property
    def communes(self) -> list[str]:
        """The rows' codes: today's communes of the province, or today's provinces."""
        if self.national:
            return sorted(self.rollup.provinces)
        return [p.code for p in self.rollup.communes_of(self.province_code)]

    @property
    def ids_by_row(self) -> dict[str, list[int]]:
        return self.rollup.ids_by_province if self.national else self.rollup.ids_by_commune

    def row_of(self, place_id: int) -> str:
        """The row a raw place counts in (UNKNOWN when none)."""
        if self.national:
            return self.rollup.province_of.get(place_id) or UNKNOWN
        return self.rollup.commune_of.get(place_id, UNKNOWN)

    def row_place(self, code: str) -> Any:
        """Today's place of a row's code (a commune, or a province nationally)."""
        return (self.rollup.provinces if self.national else self.rollup.communes).get(code)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def in_period(qs: QuerySet, field_name: str, start: dt.date, end: dt.date, *, dated: bool):
    """Rows of ``qs`` whose ``field_name`` falls in [start, end] (local dates)."""
    if dated:
        return qs.filter(**{f"{field_name}__gte": _aware(start)}).filter(
            **{f"{field_name}__lt": _aware(end + dt.timedelta(days=1))}
        )
    return qs.filter(**{f"{field_name}__gte": start, f"{field_name}__lte": end})


def _condition(when: tuple[tuple[str, ...], ...]) -> str:
    """SQL over the per-row flag columns of ``r`` for a measure's condition."""
    if not when:
        return "1 = 1"
    clauses = [
        " AND ".join(f'NOT r."{f[1:]}"' if f.startswith("!") else f'r."{f}"' for f in clause)
        for clause in when
    ]
    return " OR ".join(f"({clause})" for clause in clauses)


@dataclass
class CohortData:
    """One cohort's grouped counts for a province, for every measure asked of it, read in one
    pass over the rows: the finest grouping once, then regrouped in the database into the
    province's months (all years) and, when communes are needed, commune × year (all years),
    commune × quarter (the asked year) and, when a breakdown is asked, commune × year ×
    category. Communes are read only when something asks for them (``ensure_places``)."""

    cohort: Cohort
    measures: list[Measure]
    scope: Scope
    year_totals: dict[str, dict[Key, int]] = field(default_factory=dict)
    months: dict[str, dict[Key, int]] = field(default_factory=dict)
    quarters: dict[str, dict[Key, int]] = field(default_factory=dict)
    breakdown: dict[str, dict[Key, int]] = field(default_factory=dict)
    years: set[int] = field(default_factory=set)
    places_loaded: bool = False

    def ensure_places(self) -> None:
        if not self.places_loaded:
            self.load(with_places=True)

    def _columns(self) -> list[str]:
        """The summed columns: one per measure, or one per measure and category of a split."""
        split = self.cohort.splits.get(self.scope.breakdown or "")
        if split:
            return [f"{m.name}__{cat}" for m in self.measures for cat in split]
        return [m.name for m in self.measures]

    def load(self, *, with_places: bool = True) -> None:
        scope, cohort = self.scope, self.cohort
        dim = (scope.breakdown or "") if with_places else ""
        flags = sorted({flag for m in self.measures for flag in m.flags})
        keys = ["stat_place", "y", "q", "mo"] if with_places else ["y", "mo"]
        if dim in cohort.dims:
            keys.append("cat")
        split = cohort.splits.get(dim)
        summed = sorted({m.total for m in self.measures if m.total} | set((split or {}).values()))
        # One row per unit with its keys and flags (each flag worked out once per row), then
        # every grouping in the database. Column names come from the code, values are
        # parameters: no user input reaches the text of this query.
        selects: list[str] = []
        params: list[Any] = []
        columns = [*keys, *flags, *summed]
        for part in cohort.parts or (cohort,):
            limit = timezone.now() if part.dated else scope.today
            base = part.with_flags(*flags, breakdowns=dim in part.dims).filter(
                scope.cohort_places(part), stat_date__lte=limit
            )
            rows = base.annotate(y=ExtractYear("stat_date"), mo=ExtractMonth("stat_date"))
            if with_places:
                rows = rows.annotate(q=ExtractQuarter("stat_date"))
            if dim in cohort.dims:
                rows = rows.annotate(cat=Cast(F(part.dims[dim]), CharField()))
            part_sql, part_params = rows.values(*columns).query.sql_with_params()
            selects.append(part_sql)
            params += part_params
        if len(selects) == 1:
            sql = selects[0]
        else:
            # The parts' rows under one set of names, whatever order each query selects in.
            sql = " UNION ALL ".join(
                f"SELECT {', '.join(f'p{i}.{c}' for c in columns)} FROM ({part}) p{i}"  # noqa: S608
                for i, part in enumerate(selects)
            )
        sums = []
        for m in self.measures:
            condition = _condition(m.when)
            if split:
                sums += [
                    f'SUM(CASE WHEN {condition} THEN r."{column}" ELSE 0 END) AS "{m.name}__{cat}"'
                    for cat, column in split.items()
                ]
            else:
                what = f'r."{m.total}"' if m.total else "1"
                sums.append(f'SUM(CASE WHEN {condition} THEN {what} ELSE 0 END) AS "{m.name}"')
        group = ", ".join(f"r.{k}" for k in keys)
        fine = (
            f"SELECT {', '.join(f'r.{k}' for k in keys)}, {', '.join(sums)} FROM r GROUP BY {group}"  # noqa: S608
        )
        columns = self._columns()
        total = ", ".join(f'SUM(t."{c}")' for c in columns)
        n_int, n_text = "CAST(NULL AS integer)", "CAST(NULL AS varchar(60))"

        def grouping(n: int, place: str, sub: str, cat: str, tail: str) -> str:
            return f"SELECT {n}, {place}, t.y, {sub}, {cat}, {total} FROM t {tail}"  # noqa: S608

        parts = [grouping(2, n_int, "t.mo", n_text, "GROUP BY t.y, t.mo")]
        if with_places:
            parts += [
                grouping(1, "t.stat_place", n_int, n_text, "GROUP BY t.stat_place, t.y"),
                # Every year's, not only the asked one's: the rows then answer a dashboard of
                # any year, and the worker reuses them (``figure_cache.rows_kept``).
                grouping(3, "t.stat_place", "t.q", n_text, "GROUP BY t.stat_place, t.y, t.q"),
            ]
        if dim in cohort.dims:
            parts.append(
                grouping(4, "t.stat_place", n_int, "t.cat", "GROUP BY t.stat_place, t.y, t.cat")
            )
        elif split:
            parts.append(grouping(4, "t.stat_place", n_int, n_text, "GROUP BY t.stat_place, t.y"))
        # ``r`` is read once, so PostgreSQL inlines it into ``t``'s grouping: no copy of every
        # row is written (MATERIALIZED, when flags were subqueries worked out once per row,
        # wrote 95 MB for the country's survivors and took a third of the query). Flags are
        # therefore columns or plain conditions on the rows (the cases' facts), never subqueries.
        query = f"WITH r AS ({sql}), t AS ({fine}) " + " UNION ALL ".join(parts)
        self.places_loaded = with_places
        self.years = set()
        for store in (self.year_totals, self.months, self.quarters, self.breakdown):
            for m in self.measures:
                store[m.name] = defaultdict(int)

        def key_of(place_id: int | None) -> str:
            if not cohort.placed or place_id is None:
                return UNKNOWN
            return scope.row_of(place_id)

        alias = read_alias()

        def read() -> list[tuple]:
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                if scope.national and connections[alias].vendor == "postgresql":
                    # The country's rows: hashes (of the flags' EXISTS over a whole table, and
                    # of the groupings) beat a probe per row, and need more than the default
                    # 4 MB. Not for a province: given the memory, PostgreSQL hashes whole
                    # tables for its flags too, where probing the province's rows through the
                    # indexes is three times faster (docs/performance.md, "Dashboards at
                    # national scale").
                    cursor.execute("SET LOCAL work_mem = %s", [settings.ANTOAN_INDICATOR_WORK_MEM])
                cursor.execute(query, params)
                return cursor.fetchall()

        asked = (
            alias,
            cohort.name,
            tuple(m.name for m in self.measures),
            with_places,
            dim,
            scope.province_code,
            scope.national,
            scope.today,
        )
        for grouping, place_id, year, sub, cat, *values in figure_cache.kept_rows(asked, read):
            # PostgreSQL's EXTRACT is numeric: a Decimal year would break the years' range.
            # (Never NULL: rows without a date are filtered out by ``stat_date__lte``.)
            year = int(year)
            if grouping == 1:
                key: Key = (key_of(place_id), year)
                target = self.year_totals
            elif grouping == 2:
                self.years.add(year)
                key, target = (year, sub), self.months
            elif grouping == 3:
                if year != scope.year:
                    continue  # quarters by commune are shown for the asked year only
                key, target = (key_of(place_id), sub), self.quarters
            else:
                target = self.breakdown
                key = (key_of(place_id), year, cat)
            if grouping == 4 and split:
                for i, m in enumerate(self.measures):
                    for j, category in enumerate(split):
                        value = values[i * len(split) + j] or 0
                        target[m.name][(key_of(place_id), year, category)] += int(value)
                continue
            if split:  # the columns are per category; a measure's total is their sum
                width = len(split)
                values = [
                    sum(v or 0 for v in values[i * width : (i + 1) * width])
                    for i in range(len(self.measures))
                ]
            for m, value in zip(self.measures, values, strict=True):
                target[m.name][key] += int(value or 0)


def lru_method(fn: Any) -> Any:
    """Cache a method's results per instance and arguments."""
    name = f"_cache_{fn.__name__}"

    def wrapper(self: Any, *args: Any) -> Any:
        cache = self.__dict__.setdefault(name, {})
        if args not in cache:
            cache[args] = fn(self, *args)
        return cache[args]

    return wrapper


class MeasureFigures:
    """What one counted measure may show for the scope's province."""

    def __init__(self, measure: Measure, data: CohortData) -> None:
        self.measure = measure
        self.scope = data.scope
        self.cohort = data.cohort
        self.data = data
        self._months = data.months[measure.name]
        first = min([self.scope.first_year, *data.years])
        self.years = list(range(first, self.scope.today.year + 1))
        self.protected = self.scope.suppress and measure.personal

    # Commune-level counts, read on first use.
    @property
    def _year_totals(self) -> dict[Key, int]:
        self.data.ensure_places()
        return self.data.year_totals[self.measure.name]

    @property
    def _quarters(self) -> dict[Key, int]:
        """Of the asked year."""
        self.data.ensure_places()
        return self.data.quarters[self.measure.name]

    @property
    def _breakdown(self) -> dict[Key, int]:
        self.data.ensure_places()
        return self.data.breakdown[self.measure.name]

    # -- the cells ---------------------------------------------------------------------------

    @cached_property
    def rows(self) -> list[str]:
        if not self.cohort.placed:
            return [UNKNOWN]
        return [*self.scope.communes, UNKNOWN]

    @cached_property
    def _by_year(self) -> dict[Any, dict[Any, int]]:
        out: dict[Any, dict[Any, int]] = {}
        for (commune, y), v in self._year_totals.items():
            row = out.setdefault(y, {})
            row[commune] = row.get(commune, 0) + v
        return out

    def _commune_year(self, year: int) -> dict[str, int]:
        return {**dict.fromkeys(self.rows, 0), **self._by_year.get(year, {})}

    def _province_year(self, year: int) -> int:
        return sum(self._months.get((year, m), 0) for m in range(1, 13))

    def _province_month(self, year: int, month: int) -> int:
        return self._months.get((year, month), 0)

    # -- protection, in the order of the module docstring ------------------------------------

    def _year_hidden(self, year: int) -> bool:
        return self.protected and suppression.is_primary(
            self._province_year(year), self.scope.threshold
        )

    @cached_property
    def _series_hidden(self) -> frozenset:
        parts = {}
        first = self.years[0]
        parts[(first - 1, 12)] = self._province_month(first - 1, 12)
        for y in self.years:
            for m in range(1, 13):
                parts[(y, m)] = self._province_month(y, m)
        entries: dict[Hashable, frozenset] = {}
        for y in self.years:
            for code in PERIOD_CODES:
                period = period_for(y, code)
                members = frozenset(ym for ym in period.months if ym in parts)
                entries[period.id] = members
        fixed = {str(y): self._year_hidden(y) for y in self.years}
        lines: list[tuple[str, list[str]]] = []
        for y in self.years:
            quarters = [period_for(y, f"q{q}") for q in range(1, 5)]
            lines.append((str(y), [q.id for q in quarters]))
            lines += [(q.id, [period_for(y, f"m{m}").id for _y, m in q.months]) for q in quarters]
            reporting = period_for(y, "reporting")
            months = [period_for(yy, f"m{m}").id for yy, m in reporting.months if yy >= first]
            lines.append((reporting.id, months))
        return suppression.protect_sums(
            parts, entries, threshold=self.scope.threshold, fixed=fixed, lines=lines
        )

    @lru_method
    def _margin(self, year: int) -> frozenset:
        values = self._commune_year(year)
        return suppression.protect_line(
            values,
            threshold=self.scope.threshold,
            fixed={TOTAL: self._year_hidden(year)},
        )

    @lru_method
    def _quarter_table(self, year: int) -> tuple[dict, frozenset]:
        if year != self.scope.year:
            raise NotAvailable("breakdown")  # quarters by commune are read for the asked year
        cells: dict[tuple, int] = {}
        for commune in self.rows:
            for q in range(1, 5):
                cells[(commune, q)] = self._quarters.get((commune, q), 0)
        for commune, v in self._commune_year(year).items():
            cells[(commune, TOTAL)] = v
        for q in range(1, 5):
            cells[(TOTAL, q)] = sum(cells[(r, q)] for r in self.rows)
        cells[(TOTAL, TOTAL)] = self._province_year(year)
        margin = self._margin(year)
        fixed: dict[tuple, bool] = {(r, TOTAL): r in margin for r in self.rows}
        fixed[(TOTAL, TOTAL)] = self._year_hidden(year)
        if not self.protected:
            return cells, frozenset()
        for q in range(1, 5):
            fixed[(TOTAL, q)] = f"{year}Q{q}" in self._series_hidden
        return cells, suppression.protect_table(cells, threshold=self.scope.threshold, fixed=fixed)

    @lru_method
    def _breakdown_table(self, year: int) -> tuple[dict, frozenset]:
        categories = self.categories(self.scope.breakdown or "")
        cells: dict[tuple, int] = {}
        for commune in self.rows:
            for cat in categories:
                cells[(commune, cat)] = self._breakdown.get((commune, year, cat), 0)
        totals = self._commune_year(year)
        for commune in self.rows:
            cells[(commune, TOTAL)] = totals.get(commune, 0)
        for cat in categories:
            cells[(TOTAL, cat)] = sum(cells[(r, cat)] for r in self.rows)
        cells[(TOTAL, TOTAL)] = self._province_year(year)
        if not self.protected:
            return cells, frozenset()
        margin = self._margin(year)
        fixed: dict[tuple, bool] = {(r, TOTAL): r in margin for r in self.rows}
        fixed[(TOTAL, TOTAL)] = self._year_hidden(year)
        return cells, suppression.protect_table(cells, threshold=self.scope.threshold, fixed=fixed)

    # -- what callers read -------------------------------------------------------------------

    def categories(self, dim: str) -> list[str]:
        from antoan.indicators.selectors.breakdowns import categories

        found = sorted({str(cat) for (_c, _y, cat) in self._breakdown})
        return categories(dim, found)

    def at(self, place: str, period: Period) -> Figure:
        """The figure of a commune (its code) or of the province (``TOTAL``) in ``period``."""
        year = period.year
        if place == TOTAL:
            if period.code == "year":
                return Figure(self._province_year(year), self._year_hidden(year))
            value = sum(self._province_month(y, m) for y, m in period.months)
            hidden = self.protected and period.id in self._series_hidden
            return Figure(value, hidden)
        if not self.cohort.placed:
            raise NotAvailable("not_by_commune")
        if period.code == "year":
            value = self._commune_year(year).get(place, 0)
            return Figure(value, self.protected and place in self._margin(year))
        if period.kind == "quarter":
            q = int(period.code[1])
            cells, hidden = self._quarter_table(year)
            return Figure(cells.get((place, q), 0), self.protected and (place, q) in hidden)
        raise NotAvailable("province_only_period")

    def by(self, place: str, dim: str, year: int | None = None) -> dict[str, Figure]:
        """A year's figures of ``place`` broken down by ``dim`` (the asked year by default)."""
        if dim != self.scope.breakdown:
            raise NotAvailable("breakdown")
        if place != TOTAL and not self.cohort.placed:
            raise NotAvailable("not_by_commune")
        cells, hidden = self._breakdown_table(year or self.scope.year)
        return {
            cat: Figure(cells.get((place, cat), 0), self.protected and (place, cat) in hidden)
            for cat in self.categories(dim)
        }

    def trend(self, place: str) -> dict[int, Figure]:
        return {y: self.at(place, period_for(y)) for y in self.years}


class PartsData:
    """A cohort of parts (help seekers: survivors of cases and of health contacts), its
    measures counted inside each part's own query and added up cell by cell: the survivors'
    rows are then read once for every survivors' measure, not a second time for the union.
    Counts add, so the sums equal those of one query over the parts' rows; suppression is
    applied to the sums (``MeasureFigures``), never to a part."""

    def __init__(self, cohort: Cohort, measures: list[Measure], scope: Scope) -> None:
        self.cohort = cohort
        self.measures = measures
        self.scope = scope
        self.parts: list[CohortData] = []
        self.year_totals: dict[str, dict[Key, int]] = {}
        self.months: dict[str, dict[Key, int]] = {}
        self.quarters: dict[str, dict[Key, int]] = {}
        self.breakdown: dict[str, dict[Key, int]] = {}
        self.years: set[int] = set()
        self.places_loaded = False

    def ensure_places(self) -> None:
        if not self.places_loaded:
            for part in self.parts:
                part.ensure_places()
            self.add_up()

    def add_up(self) -> None:
        self.places_loaded = all(part.places_loaded for part in self.parts)
        self.years = set().union(*(part.years for part in self.parts))
        for name in ("year_totals", "months", "quarters", "breakdown"):
            store = getattr(self, name)
            for m in self.measures:
                total: dict[Key, int] = defaultdict(int)
                for part in self.parts:
                    for key, value in getattr(part, name)[m.name].items():
                        total[key] += value
                store[m.name] = total


def count_measures(
    names: Iterable[str], scope: Scope, *, with_places: Iterable[str] = ()
) -> dict[str, MeasureFigures]:
    """The counted measures named, for a province (or the country): one query per cohort,
    with communes (provinces) when one of its measures is in ``with_places`` (otherwise on
    first use). A cohort of parts is counted in its parts' queries (``PartsData``)."""
    by_cohort: dict[str, list[Measure]] = defaultdict(list)
    cohorts: dict[str, Cohort] = {}
    placed = set(with_places)
    of_parts: dict[str, PartsData] = {}
    for name in dict.fromkeys(names):
        measure = MEASURES[name]
        cohort = measure.cohort
        if cohort.parts:
            if cohort.name not in of_parts:
                of_parts[cohort.name] = PartsData(cohort, [], scope)
            of_parts[cohort.name].measures.append(measure)
            for part in cohort.parts:
                by_cohort[part.name].append(replace(measure, cohort=part))
                cohorts[part.name] = part
            continue
        by_cohort[cohort.name].append(measure)
        cohorts[cohort.name] = cohort
    out: dict[str, MeasureFigures] = {}
    loaded: dict[str, CohortData] = {}
    for cohort_name, measures in by_cohort.items():
        data = CohortData(cohorts[cohort_name], measures, scope)
        data.load(with_places=any(m.name in placed for m in measures))
        loaded[cohort_name] = data
        for m in measures:
            if MEASURES[m.name].cohort.name == cohort_name:  # not a part's share of a sum
                out[m.name] = MeasureFigures(m, data)
    for parts in of_parts.values():
        parts.parts = [loaded[part.name] for part in parts.cohort.parts]
        parts.add_up()
        for m in parts.measures:
            out[m.name] = MeasureFigures(m, parts)  # type: ignore[arg-type]
    return out
