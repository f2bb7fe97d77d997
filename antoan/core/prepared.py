"""A queryset compiled once per shape, then run again with other values.

Building a Django queryset and compiling it to SQL can cost more CPU than the database spends
answering it: the case list's first page at a million cases spent two thirds of its 3 ms of
CPU in ``filter()`` and the compiler, for a query PostgreSQL answers in 0.7 ms
(docs/performance.md, "Case search: the kept page"). A page asked for at every click has
few *shapes* (which filters are set, how many agencies the user works in, how many words were
typed), and the SQL of a shape is always the same text: only the values change.

``run(shape, build, values)`` builds the queryset of a shape once, with stand-in values of
the same types (integers above any id handed out, strings marked with a control character),
compiles it, and keeps the SQL, which parameters are which value, and how Django turns a row
into objects. Each later call sends that SQL with its own values and builds the same objects
Django would (model instances, ``select_related`` objects, converters such as the decryption
of a field, annotations).

Safe because:

- the key is the caller's shape plus which values are given and how long each list is (an
  optional filter, the number of agencies or words: never the caller's to repeat); the shape
  must name whatever else changes the SQL (a caller that forgets something gets the wrong
  query, so in the test profile ``PREPARED_QUERIES_CHECK`` builds every query again with the
  real values and fails on any difference of SQL or parameters: every test of a caller checks
  its shapes);
- a stand-in that the compiler wrote into the SQL text instead of a parameter, or that does
  not come back as a parameter, refuses the shape (``PreparedQueryError``);
- a stand-in is only an ``int`` or a ``str``, which Django sends as given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

from antoan.core.routers import read_alias

# Shapes kept per process: a caller's shapes are few (flags and counts); the bound only guards
# against a caller whose shape grows with its values.
MAX_SHAPES = 512

# Stand-ins: integers inside every integer column's range (Django answers a value outside it
# with "matches nothing", which would change the SQL) but far above any id this system will
# hand out; strings with a control character no value typed or stored here contains.
_INT_BASE = 2_100_000_000
_STR_MARK = "\x1eprepared-"


class PreparedQueryError(Exception):
    """The queryset cannot be kept as SQL with parameters (a programming error)."""


def stand_ins(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[Any, tuple[str, int]]]:
    """A stand-in for every value (for a list, one per item) and where each one stands."""
    given: dict[str, Any] = {}
    where: dict[Any, tuple[str, int]] = {}
    for name, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        made = []
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, int | str):
                raise PreparedQueryError(f"{name}: only int and str values, not {item!r}")
            n = len(where)
            stand = _INT_BASE + n if isinstance(item, int) else f"{_STR_MARK}{n}\x1e"
            where[stand] = (name, index)
            made.append(stand)
        given[name] = made if isinstance(value, list | tuple) else made[0]
    return given, where


@dataclass(frozen=True)
class Prepared:
    """One shape's SQL, where each parameter comes from, and how rows become objects."""

    sql: str | None  # None: the shape matches nothing (Django would send no query)
    slots: tuple[tuple[str, int] | tuple[None, Any], ...]  # (value name, index) or (None, constant)
    model: Any
    init_list: list[str]
    model_slice: slice
    related_populators: list[Any]
    converters: list[tuple[int, list[Callable], Any]]
    annotation_col_map: dict[str, int]

    def params(self, values: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, at in self.slots:
            if name is None:
                out.append(at)
            else:
                value = values[name]
                out.append(value[at] if isinstance(value, list | tuple) else value)
        return out


def _sizes(values: Mapping[str, Any]) -> tuple[tuple[str, int | None], ...]:
    return tuple(
        sorted((k, len(v) if isinstance(v, list | tuple) else None) for k, v in values.items())
    )


def prepare(queryset: QuerySet, where: Mapping[Any, tuple[str, int]]) -> Prepared:
    """Compile ``queryset`` (built with the stand-ins ``where`` names) for keeping."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = None, ()
    slots: list[tuple[str, int] | tuple[None, Any]] = []
    seen = set()
    for param in params:
        if isinstance(param, int | str) and not isinstance(param, bool) and param in where:
            slots.append(where[param])
            seen.add(param)
        else:
            slots.append((None, param))
    if sql is not None:
        for stand in where:
            if str(stand) in sql:
                raise PreparedQueryError(f"a value was written into the SQL: {where[stand]}")
        missing = [where[s] for s in where if s not in seen]
        if missing:
            raise PreparedQueryError(f"values not sent as parameters: {missing}")
    if sql is None:
        return Prepared(None, (), queryset.model, [], slice(0), [], [], {})
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    model_slice = slice(fields[0], fields[-1] + 1)
    converters = [
        (index, convs, expression)
        for index, (convs, expression) in compiler.get_converters(
            [s[0] for s in select[0 : compiler.col_count]]
        ).items()
    ]
    return Prepared(
        sql=sql,
        slots=tuple(slots),
        model=klass_info["model"],
        init_list=[f[0].target.attname for f in select[model_slice]],
        model_slice=model_slice,
        related_populators=get_related_populators(klass_info, select, queryset.db),
        converters=converters,
        annotation_col_map=dict(compiler.annotation_col_map or {}),
    )


_kept: dict[tuple, Prepared] = {}
_lock = threading.Lock()


def run(
    shape: tuple, build: Callable[[Mapping[str, Any]], QuerySet], values: Mapping[str, Any]
) -> list[Any]:
    """The objects ``build(values)`` would list, from the SQL kept for ``shape``.

    ``shape`` starts with the caller's name (two callers never share a shape) and must tell
    apart every two calls whose querysets differ by more than ``values`` (which values are
    given and their lengths are part of the key already); ``build`` must read every value from
    its argument, never from elsewhere, and use each one.
    """
    db = read_alias()
    key = (db, connections[db].vendor, *shape, _sizes(values))
    prepared = _kept.get(key)
    if prepared is None:
        given, where = stand_ins(values)
        prepared = prepare(build(given), where)
        with _lock:
            if len(_kept) >= MAX_SHAPES:
                _kept.clear()
            _kept[key] = prepared
    params = prepared.params(values)
    if settings.PREPARED_QUERIES_CHECK:
        _check(prepared, params, build(values))
    if prepared.sql is None:
        return []
    return _fetch(prepared, prepared.sql, params, db)


def forget() -> None:
    """Drop every kept shape (tests; a new process starts empty anyway)."""
    with _lock:
        _kept.clear()


def _fetch(prepared: Prepared, sql: str, params: list[Any], db: str) -> list[Any]:
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    objects = []
    from_db, init_list, model_slice = (
        prepared.model.from_db,
        prepared.init_list,
        prepared.model_slice,
    )
    for row in rows:
        if prepared.converters:
            row = list(row)
            for index, convs, expression in prepared.converters:
                value = row[index]
                for convert in convs:
                    value = convert(value, expression, connection)
                row[index] = value
        obj = from_db(db, init_list, row[model_slice])
        for populator in prepared.related_populators:
            populator.populate(row, obj)
        for name, index in prepared.annotation_col_map.items():
            setattr(obj, name, row[index])
        objects.append(obj)
    return objects


def _check(prepared: Prepared, params: list[Any], queryset: QuerySet) -> None:
    """The test profile's check: the kept SQL and parameters are the ones Django builds now."""
    try:
        sql, built = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        sql, built = None, ()
    kept = (prepared.sql, params if prepared.sql is not None else [])
    if (sql, list(built)) != kept:
        raise PreparedQueryError(
            f"the kept query differs from the built one:\n{kept}\n{(sql, list(built))}"
        )
