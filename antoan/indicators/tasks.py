"""Dashboard figures computed by the task worker, not in a web request (docs/indicators.md,
"Cached figures"): a province's first view on the million cases costs seconds of database work,
the country's tens of seconds, and a web worker held that long makes everyone else wait.

The view asks for an entry of the figure cache (``figure_cache.figures``) with a *recipe*: what
it would have computed, as JSON. The worker computes the same figures and keeps them under the
key the view asked for, so the scope in the key and the scope computed come from the same
request (the user's membership), never from anything else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.utils import translation
from django_tasks import task

from antoan.core.routers import read_alias
from antoan.indicators import figure_cache
from antoan.indicators.selectors.dashboards import dashboard_figures
from antoan.indicators.selectors.places import rollup
from antoan.indicators.selectors.values import Query, national_query, parse_query

# A queue of its own, so a worker may be given to it alone (docs/deployment.md), and ahead of
# the jobs in a worker that takes every queue: someone is looking at the page.
QUEUE = "figures"


def recipe(
    *, view: str, params: dict[str, str], table: str, sort: str, province: str = ""
) -> dict[str, Any]:
    """What the worker needs to compute a dashboard's figures: the view ("province" with the
    user's province code, or "national"), the checked filters, the table's indicator and order,
    and the language of the labels."""
    return {
        "view": view,
        "province": province,
        "params": params,
        "table": table,
        "sort": sort,
        "language": translation.get_language() or "",
    }


def query_of(recipe: dict[str, Any]) -> Query:
    if recipe["view"] == "national":
        return national_query(recipe["params"])
    # Today's province of that code, as the view found it (``user_province``).
    province = rollup().provinces[recipe["province"]]
    return parse_query(province, recipe["params"])


# How long the worker keeps the cohorts' grouped rows of a dashboard for the next one of the
# same province (``figure_cache.rows_kept``): a leader's "this year" and "last year", asked
# together, read the records once. The second's figures may be that much older than it says.
ROWS_KEPT_SECONDS = 60


@task(queue_name=QUEUE, priority=50)
def compute_figures(key: str, recipe: dict[str, Any]) -> str:
    national = recipe["view"] == "national"
    scope = figure_cache.NATIONAL if national else figure_cache.province_scope(recipe["province"])

    def compute() -> Any:
        with gently(), figure_cache.rows_kept(scope, ROWS_KEPT_SECONDS):
            return dashboard_figures(query_of(recipe), recipe["table"], recipe["sort"])

    with translation.override(recipe["language"] or None):
        value, computed_at = figure_cache.computed(compute)
    figure_cache.keep(key, value, computed_at)
    return "kept"


# PostgreSQL settings of the worker's aggregates (docs/performance.md, fifth pass).
GENTLY = {"max_parallel_workers_per_gather": "0", "jit": "off", "random_page_cost": "1.1"}


@contextmanager
def gently() -> Iterator[None]:
    """The worker's aggregates leave the cores to the people at work: on PostgreSQL, no
    parallel workers (one core, not all of them), no JIT compilation (a third of the CPU of a
    province's dashboard on the million cases) and the random page cost of an SSD (1.1, not
    the spinning disk's 4 of PostgreSQL's default), so the planner reads a province's rows by
    its indexes more often: half the CPU in all (docs/performance.md). The connection is left
    as it was found."""
    connection = connections[read_alias()]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        for name, value in GENTLY.items():
            cursor.execute(f"SET {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in GENTLY:
                cursor.execute(f"RESET {name}")
