"""Reproducible synthetic history (2021 → yesterday) so that indicator dashboards show
something true of the data: ``generate("demo" | "province" | "national", seed)``.

The same seed and scale on the same starting database write the same records (the same clear
values and the same decrypted names; ciphertexts differ, their nonces are random). Cases are
generated and written in chunks, each chunk in one transaction with bulk inserts, so memory
stays bounded at the national scale. See docs/synthetic-data.md.

A run is recorded in the audit log (object type ``synthetic_data``): a "create" event when it
starts and an "update" event when it has finished. Generated cases are ``synthetic`` and carry
no ``client_uuid`` (the demo's three cases carry one), which is how a second run knows.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from antoan.cases import facts, search_index
from antoan.cases.models import Case
from antoan.core.audit import audit_record
from antoan.core.models import AuditEvent
from antoan.indicators.synthetic import bulk, estimates, geography, programme, world
from antoan.indicators.synthetic.audit import AuditWriter
from antoan.indicators.synthetic.cases import ORDER, Context, first_numbers, write_cases
from antoan.indicators.synthetic.common import (
    CHUNK_CASES,
    SCALES,
    Clock,
    Rng,
    historical_timestamps,
)

RUN = "synthetic_data"  # the audit log's object type for runs of the generator


class Refused(Exception):
    """The database is not one synthetic data may be written to; nothing was written."""


@dataclass
class Summary:
    scale: str
    seed: int
    cases: int
    created: bool
    message: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def previous_run() -> str | None:
    """What an earlier run left, in words; None when there was none."""
    started = AuditEvent.objects.filter(object_type=RUN, action="create").order_by("id").first()
    finished = AuditEvent.objects.filter(object_type=RUN, action="update").exists()
    generated = Case.objects.filter(synthetic=True, client_uuid__isnull=True).count()
    if started is None and not generated:
        return None
    what = f"{generated:,} generated case(s)"
    if started is not None:
        extra = started.extra or {}
        when = timezone.localtime(started.occurred_at).strftime("%d/%m/%Y %H:%M")
        what += (
            f" from generate_data --scale {extra.get('scale')} --seed {extra.get('seed')} at {when}"
        )
    if started is not None and not finished:
        return f"{what}; that run stopped before it finished. Start from a fresh database"
    return what


def check(scale: str) -> None:
    """Refuse a database that holds real cases or no places (raises ``Refused``)."""
    if scale not in SCALES:
        raise Refused(f"Unknown scale {scale!r}: use one of {', '.join(SCALES)}.")
    real = Case.objects.filter(synthetic=False).count()
    if real:
        raise Refused(
            f"The database holds {real:,} case(s) that are not synthetic: synthetic data is "
            "never mixed with real records. Use an empty database."
        )
    if not geography.places_loaded():
        raise Refused("Load places first: manage.py load_places")


def generate(
    scale: str,
    seed: int = 1,
    cases: int | None = None,
    stdout: Any = None,
    *,
    chunk: int = CHUNK_CASES,
    on_progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Summary:
    """Write the synthetic history of ``scale`` (or ``cases`` cases) from ``seed``."""
    check(scale)
    spec = SCALES[scale]
    if workers is None:
        workers = spec.workers
    total = spec.cases if cases is None else cases
    say: Callable[[str], None] = (lambda text: stdout.write(text)) if stdout else (lambda _: None)
    restored = bulk.restore()  # what a run killed while writing its cases had set aside
    if restored:
        say(f"Built again what a stopped run had set aside: {len(restored)} tables' indexes.")
    found = previous_run()
    if found is not None:
        return Summary(
            scale, seed, total, created=False, message=f"Synthetic data exists: {found}."
        )

    began = time.monotonic()
    clock = Clock(timezone.localdate())
    counts: Counter[str] = Counter()
    audit_record(
        action="create",
        username="generate_data",
        object_type=RUN,
        object_id=f"{scale}-{seed}",
        extra={"scale": scale, "seed": seed, "cases": total},
    )
    with historical_timestamps():
        geo = geography.load(spec, Rng(seed, "places"))
        with transaction.atomic():
            built = world.build(geo, Rng(seed, "world"), today=clock.today)
        counts.update(built.created)
        say(f"World ready: {len(geo.communes):,} communes, {sum(built.created.values()):,} rows.")
        ctx = Context(
            rng=Rng(seed, "cases"),  # each month draws from its own (cases.month_context)
            clock=clock,
            geo=geo,
            world=built,
            prefix=settings.ANTOAN_CASE_PREFIX,
            numbers=first_numbers(settings.ANTOAN_CASE_PREFIX),
            audit=AuditWriter(Rng(seed, "audit"), clock),
        )
        done = 0

        def progress(count: int) -> None:
            nonlocal done
            done += count
            say(f"  {done:,}/{total:,} cases ({time.monotonic() - began:.0f} s)")
            if on_progress is not None:
                on_progress(done, total)

        # Written without their secondary indexes and foreign keys, built again after (bulk.py).
        with bulk.set_aside([*ORDER, AuditEvent]):
            write_cases(ctx, seed, total, chunk=chunk, progress=progress, workers=workers)
        # The case search's own index, from what was just written (antoan/cases/search_index).
        search_index.fill_missing()
        # The cases' facts the dashboards count by (antoan/cases/facts), likewise.
        facts.fill_missing()
        counts.update(ctx.counts)
        activities = max(10, round(spec.activities * total / spec.cases)) if total else 0
        trained = programme.generate(Rng(seed, "programme"), clock, geo, activities, counts)
        if trained is None:
            say("Plan 64/KH-UBND is not loaded (manage.py load_plan): no programme data.")
        if not estimates.generate(
            Rng(seed, "estimates"),
            clock,
            geo,
            built.analyst,
            ctx.consenting,
            trained or Counter(),
            counts,
        ):
            say("Indicators GBV-01/DV-04 are not loaded (manage.py load_indicators): no estimates.")
    seconds = time.monotonic() - began
    audit_record(
        action="update",
        username="generate_data",
        object_type=RUN,
        object_id=f"{scale}-{seed}",
        extra={"scale": scale, "seed": seed, "cases": total, "seconds": round(seconds, 1)},
    )
    return Summary(scale, seed, total, created=True, counts=dict(counts), seconds=seconds)
