"""What every part of the generator shares: scales, the clock, seeded draws and bulk writing."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields import AutoFieldMixin

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

START = dt.date(2021, 1, 1)
NEW_ERA = dt.date(
    2025, 7, 1
)  # today's communes exist from this day; districts ended the day before
DEPARTMENT_MERGER = dt.date(2025, 3, 1)
# Cases are generated and written in chunks of this many, each chunk in one transaction, so
# memory stays bounded at any scale (a chunk is about 35 model instances a case).
CHUNK_CASES = 2_000
BATCH_SIZE = 1_000


@dataclass(frozen=True)
class Scale:
    name: str
    cases: int
    activities: int
    nationwide: bool  # every province's communes, not only Hưng Yên's
    # Processes writing the cases' months at once (PostgreSQL only; SQLite writes alone).
    workers: int = 1


SCALES = {
    "demo": Scale("demo", cases=900, activities=150, nationwide=False),
    "province": Scale("province", cases=20_000, activities=5_000, nationwide=False),
    # Activities stay bounded: 34 provinces × 5,000 would be 170,000, the design's 200,000 cap.
    "national": Scale("national", cases=1_000_000, activities=170_000, nationwide=True, workers=2),
}


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class Clock:
    """History runs from 2021-01-01 up to the start of today (local time).

    Today itself is left to the people using the system, and a run at any time of the same day
    writes the same records: nothing depends on the minute the command started.
    """

    def __init__(self, today: dt.date):
        self.today = today
        self.cutoff = dt.datetime.combine(today, dt.time(0), tzinfo=tz())

    def at(self, day: dt.date, seconds: float) -> dt.datetime:
        """The moment ``seconds`` after local midnight of ``day``."""
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz())
        return midnight + dt.timedelta(seconds=int(seconds))

    @staticmethod
    def local_day(moment: dt.datetime) -> dt.date:
        return moment.astimezone(tz()).date()

    def past(self, moment: dt.datetime | None) -> bool:
        """Did ``moment`` happen before the cutoff (is it part of the history written)?"""
        return moment is not None and moment < self.cutoff


def ceil_minute(moment: dt.datetime) -> dt.datetime:
    """The next whole minute (forms give minutes: a start is never before its decision)."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(minutes=1)


class Rng(random.Random):
    """A seeded stream of draws; each part of the generator has its own, so adding draws to
    one part does not change what another writes."""

    def __init__(self, seed: int, stream: str):
        # A string seed is hashed (SHA-512) by Random itself: stable across runs and machines.
        super().__init__(f"antoan-synthetic/{seed}/{stream}")

    def chance(self, p: float) -> bool:
        return self.random() < p

    def weighted(self, table: Sequence[tuple[T, float]]) -> T:
        total = sum(w for _, w in table)
        point = self.random() * total
        for item, weight in table:
            point -= weight
            if point < 0:
                return item
        return table[-1][0]

    def hours(self, median: float, sigma: float) -> dt.timedelta:
        """A log-normal duration with the given median (hours): most short, a few long."""
        return dt.timedelta(hours=median * math.exp(self.gauss(0.0, sigma)))

    def days(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(days=self.uniform(low, high))


class Table:
    """Weighted choice over many items with a precomputed cumulative table (bisect)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: Rng) -> Any:
        point = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_right(self.cumulative, point)]

    def __len__(self) -> int:
        return len(self.items)


def split_exactly(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass(frozen=True)
class _Shape:
    """What :func:`new` needs to know of a model, worked out once."""

    # field name -> (field, its column's attname, the attname it copies from the target, and
    # whether it is one-to-one, whose target caches the reverse side too)
    relations: dict[str, tuple[models.Field, str, str, bool]]
    attnames: frozenset[str]
    # (attname, default value, or None and the callable default to call for each row)
    defaults: tuple[tuple[str, Any, Any], ...]


_SHAPES: dict[type[models.Model], _Shape | None] = {}


def _shape(model: type[models.Model]) -> _Shape | None:
    from django.db.models import signals
    from django.db.models.fields.reverse_related import ForeignObjectRel

    if model not in _SHAPES:
        meta = model._meta
        usable = not meta.abstract and not (
            signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
        )
        fields = [f for f in meta.fields if f.column is not None and not f.generated]
        relations = {
            f.name: (f, f.attname, f.target_field.attname, not f.remote_field.multiple)
            for f in fields
            if isinstance(f.remote_field, ForeignObjectRel)
        }
        _SHAPES[model] = (
            _Shape(
                relations=relations,
                attnames=frozenset(f.attname for f in fields),
                defaults=tuple(_default(f) for f in fields),
            )
            if usable
            else None
        )
    return _SHAPES[model]


def _default(field: models.Field) -> tuple[str, Any, Any]:
    """A callable default (``uuid.uuid4``, ``dict``) is called for each row; any other is the
    same object for every row, as ``Field.get_default`` gives it."""
    if field.has_default() and callable(field.default):
        return field.attname, None, field.get_default
    return field.attname, field.get_default(), None


def unsaved(model: type[M], **kwargs: Any) -> M:
    """``model(**kwargs)``, built the way ``Model.__init__`` builds it for keyword arguments
    (defaults for the fields not given, related objects cached and their ids copied, the
    reverse side of a one-to-one cached), without its generality: ``Model.__init__`` was a
    quarter of the cases' building at national scale (docs/performance.md). Falls back to the
    model's own constructor for anything else (a property, a model with init signals)."""
    shape = _SHAPES.get(model) or _shape(model)
    if shape is None:
        return model(**kwargs)
    given: dict[str, Any] = {}
    cached = []
    for key, value in kwargs.items():
        relation = shape.relations.get(key)
        if relation is not None:
            field, attname, target, one_to_one = relation
            given[attname] = None if value is None else getattr(value, target)
            cached.append((field, value, one_to_one))
        elif key in shape.attnames:
            given[key] = value
        else:
            return model(**kwargs)
    obj = model.__new__(model)
    obj._state = ModelState()
    values = obj.__dict__
    for attname, default, make in shape.defaults:
        if attname in given:
            values[attname] = given[attname]
        else:
            values[attname] = default if make is None else make()
    for field, value, one_to_one in cached:
        field.set_cached_value(obj, value)
        if one_to_one and value is not None:
            field.remote_field.set_cached_value(value, obj)
    return obj


def insert_rows(model: type[models.Model], rows: list[models.Model]) -> None:
    """Write unsaved ``rows`` of ``model`` and give them their ids.

    On PostgreSQL with COPY: the ids are drawn from the table's sequence first (one query),
    copied into the foreign keys that point at rows written before (as ``bulk_create`` does),
    and each column's value is what ``bulk_create`` would send (``pre_save`` then
    ``get_db_prep_save``, so encrypted fields are sealed for their row exactly as through the
    ORM). COPY skips building and parsing the long INSERT statements and their RETURNING,
    about half of the write time. Elsewhere (SQLite), ``bulk_create``.
    """
    from django.db import DEFAULT_DB_ALIAS, connections

    # The connection itself, not django.db.connection: that proxy's attribute look-ups were
    # 8 % of a national run (one per column per row).
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
        return
    meta = model._meta
    pk = meta.pk
    fields = meta.concrete_fields
    if isinstance(pk, AutoFieldMixin):
        ids = next_ids(meta.db_table, pk.column, len(rows))
    else:
        ids = [obj.pk for obj in rows]
    relations = [(f.cache_name, f.attname, f.target_field.attname) for f in fields if f.is_relation]
    for obj, pk_value in zip(rows, ids, strict=True):
        obj.pk = pk_value
        values_of = obj.__dict__
        cache = obj._state.fields_cache
        for cache_name, attname, target_attname in relations:
            target = cache.get(cache_name)
            if target is not None and values_of[attname] is None:
                # The id of the row it points at, written before it: the cached object stays
                # (as bulk_create keeps it), so reading it costs no query.
                values_of[attname] = getattr(target, target_attname)
        obj._state.adding = False
        obj._state.db = connection.alias
    spec = [(f, f.attname, _plain_types(f)) for f in fields]

    def values(obj: models.Model) -> list[Any]:
        row = []
        for field, attname, plain in spec:
            if plain is not None:
                value = getattr(obj, attname)
                kind = type(value)
                if value is None or (
                    kind in plain and (kind is not dt.datetime or value.tzinfo is not None)
                ):
                    row.append(value)  # what get_db_prep_save would return: the value itself
                    continue
            row.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
        return row

    copy_rows(meta.db_table, [f.column for f in fields], (values(obj) for obj in rows))


# Field classes (exactly these, not subclasses such as EncryptedTextField) whose
# ``pre_save`` + ``get_db_prep_save`` on PostgreSQL return a value of these types unchanged:
# the COPY writer passes such values through instead of calling both for every column of
# every row (a quarter of a national run's writing).
_PLAIN: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.BooleanField: (bool,),
    models.DateField: (dt.date,),
    models.DateTimeField: (dt.datetime,),  # aware ones only (checked per value)
    models.ForeignKey: (int,),
    models.OneToOneField: (int,),
}


def _plain_types(field: models.Field) -> tuple[type, ...] | None:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return None  # pre_save sets the time
    if isinstance(field, models.ForeignKey) and type(field.target_field) not in _PLAIN:
        return None
    return _PLAIN.get(type(field))


def next_ids(table: str, column: str, count: int) -> list[int]:
    """``count`` fresh ids from the sequence of ``table``'s ``column`` (PostgreSQL)."""
    from django.db import DEFAULT_DB_ALIAS, connections

    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: Sequence[str], values: Iterable[Sequence[Any]]) -> None:
    """COPY ``values`` (one sequence per row, in ``columns`` order) into ``table`` (PostgreSQL),
    in the current transaction."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    connection.ensure_connection()
    with connection.connection.cursor() as raw, raw.copy(sql) as copy:
        for row in values:
            copy.write_row(row)


class Batch:
    """Unsaved rows of one chunk, written in foreign-key order (``insert_rows``).

    A row may point at another row of the same batch by object: the rows written first get
    their primary keys, and their ids are copied into the foreign keys of the rows written
    after.
    """

    def __init__(self, order: Sequence[type[models.Model]]):
        self.order = list(order)
        self.rows: dict[type[models.Model], list[models.Model]] = defaultdict(list)

    def add(self, row: models.Model) -> None:
        self.rows[type(row)].append(row)

    def flush(self, counts: Counter[str]) -> dict[type[models.Model], list[models.Model]]:
        """Write the rows; returns them by model (with their ids) and empties the batch."""
        unknown = set(self.rows) - set(self.order)
        if unknown:
            raise RuntimeError(f"no write order for {sorted(m.__name__ for m in unknown)}")
        written = {}
        for model in self.order:
            rows = self.rows.pop(model, [])
            if rows:
                insert_rows(model, rows)
                counts[model._meta.label] += len(rows)
                written[model] = rows
        return written


# Fields Django fills with the current time on insert; synthetic history gives them the
# historical moment instead (a survivor recorded in 2022 was created in 2022).
def _timestamp_fields() -> list[models.DateTimeField]:
    from antoan.cases.models import Case, FollowUp, Incident, Survivor
    from antoan.hotline.models import Call, CallNotification
    from antoan.programme.models import Activity, CommunityModel, Recommendation

    pairs = [
        (Survivor, "created_at"),
        (Case, "updated_at"),
        (Incident, "created_at"),
        (FollowUp, "created_at"),
        (Call, "created_at"),
        (Call, "updated_at"),
        (CallNotification, "created_at"),
        (Activity, "created_at"),
        (Activity, "updated_at"),
        (Recommendation, "updated_at"),
        (CommunityModel, "updated_at"),
    ]
    return [model._meta.get_field(name) for model, name in pairs]  # type: ignore[misc]


@contextmanager
def historical_timestamps() -> Iterator[None]:
    """Let the generator set auto_now/auto_now_add fields itself, for the time of the run.

    The flags are switched back in ``finally``; the command runs alone in its process.
    """
    fields = _timestamp_fields()
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
