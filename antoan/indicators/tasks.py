"""Dashboard figures computed by the task worker, not in a web request (docs/indicators.md,
"Cached figures"): a province's first view on the million cases costs seconds of database work,
the country's tens of seconds, and a web worker held that long makes everyone else wait.

The view asks for an entry of the figure cache (``figure_cache.figures``) with a *recipe*: what
it would have computed, as JSON. The worker computes the same figures and keeps them under the
key the view asked for, so the scope in the key and the scope computed come from the same
request (the user's membership), never from anything else."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django_tasks import task

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


@task(queue_name=QUEUE, priority=50)
def compute_figures(key: str, recipe: dict[str, Any]) -> str:
    with translation.override(recipe["language"] or None):
        value, computed_at = figure_cache.computed(
            lambda: dashboard_figures(query_of(recipe), recipe["table"], recipe["sort"])
        )
    figure_cache.keep(key, value, computed_at)
    return "kept"
