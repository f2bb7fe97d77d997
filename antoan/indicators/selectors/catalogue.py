"""The catalogue as it is read: indicators, their targets, and estimates in force."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from antoan.indicators.models import Estimate, Indicator
from antoan.indicators.selectors.measures import MEASURES
from antoan.indicators.selectors.places import rollup
from antoan.indicators.selectors.specials import MEDIANS, SPECIALS
from antoan.places.models import Place
from antoan.programme.models import Objective

ESTIMATE = "estimate"
KNOWN_MEASURES = {*MEASURES, *SPECIALS, *MEDIANS, ESTIMATE}

# What the specials can be broken down by (cohort measures say it themselves).
_SPECIAL_BREAKDOWNS = {
    "communes": {"commune"},
    "communes_with_model": {"commune"},
    "social_facilities": set(),
    "social_facilities_active": set(),
    "open_cases": {"agency"},
    "case_workers": {"agency"},
    "overdue_work": {"overdue", "agency"},
    "reports_expected": set(),
    "reports_on_time": set(),
    "budget_allocated": {"agency", "source"},
    "budget_spent": {"agency", "source"},
}


def measure_breakdowns(name: str) -> set[str]:
    """The breakdowns a measure can give."""
    if name in MEDIANS:
        return measure_breakdowns(MEDIANS[name][1])
    if name in MEASURES:
        cohort = MEASURES[name].cohort
        return ({"commune"} if cohort.placed else set()) | set(cohort.dims) | set(cohort.splits)
    return _SPECIAL_BREAKDOWNS.get(name, set())


def indicator_list() -> QuerySet[Indicator]:
    """Indicators in force, in catalogue order. Public: definitions hold no data."""
    return Indicator.objects.filter(active=True).prefetch_related("targets")


@dataclass(frozen=True)
class TargetValue:
    value: Decimal
    comparison: str
    year: int
    source: str

    @property
    def symbol(self) -> str:
        return {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}.get(self.comparison, "")

    def met_by(self, value: float) -> bool:
        target = float(self.value)
        return {
            ">=": value >= target,
            ">": value > target,
            "=": value >= target,  # "100 %" is met by 100 %
            "<=": value <= target,
            "<": value < target,
        }[self.comparison]


def _objective_target(o: Objective) -> TargetValue:
    comparison = o.target_comparison if o.target_comparison in (">=", "<=", ">", "<", "=") else ">="
    return TargetValue(
        o.target_value or Decimal(0), comparison, o.target_year or 0, f"{o.plan.number} ({o.code})"
    )


def _sorted(found: list[TargetValue]) -> list[TargetValue]:
    # A plan's own target (local) before a national one of the same year.
    return sorted(found, key=lambda t: (t.year, "/KH-" not in t.source))


def targets_of(indicator: Indicator) -> list[TargetValue]:
    """Targets from the catalogue and from plans' objectives, by year."""
    return targets_by_code([indicator])[indicator.code]


def targets_by_code(indicators: list[Indicator]) -> dict[str, list[TargetValue]]:
    """Every indicator's targets, in two queries whatever their number."""
    found: dict[str, list[TargetValue]] = {
        ind.code: [TargetValue(t.value, t.comparison, t.year, t.source) for t in ind.targets.all()]
        for ind in indicators
    }
    objectives = Objective.objects.filter(
        indicator_code__in=list(found), target_value__isnull=False, target_year__isnull=False
    ).select_related("plan")
    for o in objectives:
        found[o.indicator_code].append(_objective_target(o))
    return {code: _sorted(targets) for code, targets in found.items()}


def target_for(targets: list[TargetValue], year: int) -> TargetValue | None:
    """The target being worked towards in ``year``: the first one due that year or later; once
    every target year has passed, the last one (shown with its year)."""
    if not targets:
        return None
    ahead = [t for t in targets if t.year >= year]
    return ahead[0] if ahead else targets[-1]


def estimates_by_year(indicator: Indicator, places: list[Place]) -> dict[int, dict[str, int]]:
    """Estimates in force of every year, by year and place code."""
    out: dict[int, dict[str, int]] = {}
    rows = Estimate.objects.filter(
        indicator=indicator, place__in=places, superseded_at__isnull=True
    ).values_list("year", "place__code", "value")
    for year, code, value in rows:
        out.setdefault(year, {})[code] = value
    return out


def estimate_list(
    province: Place | None,
    *,
    indicator: str = "",
    year: int | None = None,
    place: str = "",
    history: bool = False,
) -> QuerySet[Estimate]:
    """Estimates of a province and its communes (public figures with their sources); the ones
    in force, or every version with ``history``."""
    if province is None:
        return Estimate.objects.none()
    roll = rollup()
    place_ids = [province.pk] + [p.pk for p in roll.communes_of(province.code)]
    qs = Estimate.objects.filter(place_id__in=place_ids).select_related(
        "indicator", "place", "entered_by"
    )
    if not history:
        qs = qs.filter(superseded_at__isnull=True)
    if indicator:
        qs = qs.filter(indicator__code=indicator.upper())
    if year:
        qs = qs.filter(year=year)
    if place:
        qs = qs.filter(place__code=place)
    return qs.order_by("indicator__order", "-year", "place__code", "-version")
