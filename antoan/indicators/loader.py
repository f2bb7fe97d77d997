"""Load the indicator catalogue from ``data/indicators.yaml`` (format in docs/indicators.md).

Idempotent: loading the same file twice changes nothing. Every measure named must exist in
``selectors``; every breakdown must be one the measures can give; a malformed file loads
nothing. An indicator the file no longer lists is kept (estimates refer to it) but set
inactive, so it disappears from dashboards and the API.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from antoan.indicators.models import Indicator, Kind, Target, Unit
from antoan.indicators.selectors.breakdowns import BREAKDOWNS
from antoan.indicators.selectors.catalogue import KNOWN_MEASURES, measure_breakdowns

COMPARISONS = (">=", ">", "=", "<=", "<")


class CatalogueError(Exception):
    """The catalogue file is malformed; the message says where."""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    targets: int = 0
    codes: list[str] = field(default_factory=list)


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value).strip()) if value is not None else ""


def _pair(item: dict, key: str, where: str, *, required: bool = True) -> tuple[str, str]:
    value = item.get(key) or {}
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: {key} must have vi and en")
    vi, en = _nfc(value.get("vi")), _nfc(value.get("en"))
    if required and not (vi and en):
        raise CatalogueError(f"{where}: {key} needs both vi and en")
    return vi, en


def _parse(item: Any, order: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not isinstance(item, dict) or not item.get("code"):
        raise CatalogueError(f"indicator #{order + 1}: no code")
    code = _nfc(item["code"])
    where = f"indicator {code}"
    kind, unit = item.get("kind"), item.get("unit")
    if kind not in Kind.values:
        raise CatalogueError(f"{where}: kind must be one of {', '.join(Kind.values)}")
    if unit not in Unit.values:
        raise CatalogueError(f"{where}: unit must be one of {', '.join(Unit.values)}")
    name_vi, name_en = _pair(item, "name", where)
    definition_vi, definition_en = _pair(item, "definition", where)
    numerator = item.get("numerator") or {}
    denominator = item.get("denominator") or {}
    num_measure = _nfc(numerator.get("measure"))
    den_measure = _nfc(denominator.get("measure")) if denominator else ""
    for label, measure in (("numerator", num_measure), ("denominator", den_measure)):
        if (measure or label == "numerator") and measure not in KNOWN_MEASURES:
            raise CatalogueError(f"{where}: {label} measure {measure!r} does not exist")
    if unit in (Unit.PERCENT, Unit.RATIO) and not den_measure:
        raise CatalogueError(f"{where}: a {unit} needs a denominator")
    num_vi, num_en = _pair(item, "numerator", where)
    den_vi, den_en = _pair(item, "denominator", where, required=bool(den_measure))
    dims = list(item.get("disaggregations") or [])
    possible = measure_breakdowns(num_measure)
    for dim in dims:
        if dim != "commune" and dim not in BREAKDOWNS:
            raise CatalogueError(f"{where}: unknown breakdown {dim!r}")
        if dim not in possible:
            raise CatalogueError(f"{where}: measure {num_measure} cannot be broken down by {dim}")
    estimate = item.get("estimate") or {}
    if den_measure == "estimate" and not estimate:
        raise CatalogueError(f"{where}: an estimated denominator needs its bounds (estimate:)")
    values = {
        "name_vi": name_vi,
        "name_en": name_en,
        "definition_vi": definition_vi,
        "definition_en": definition_en,
        "kind": kind,
        "unit": unit,
        "numerator": num_measure,
        "denominator": den_measure,
        "numerator_vi": num_vi,
        "numerator_en": num_en,
        "denominator_vi": den_vi,
        "denominator_en": den_en,
        "disaggregations": dims,
        "year_only": item.get("periods") == "year",
        "estimate_max_province": estimate.get("max_province"),
        "estimate_max_commune": estimate.get("max_commune"),
        "source": _nfc(item.get("source")),
        "higher_is_better": bool(item.get("higher_is_better", True)),
        "order": order,
        "active": True,
    }
    targets = []
    for t in item.get("targets") or []:
        try:
            year, value = int(t["year"]), Decimal(str(t["value"]))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise CatalogueError(f"{where}: a target needs a year and a value") from None
        comparison = t.get("comparison", ">=")
        if comparison not in COMPARISONS:
            raise CatalogueError(f"{where}: comparison must be one of {', '.join(COMPARISONS)}")
        if not _nfc(t.get("source")):
            raise CatalogueError(f"{where}: the {year} target needs its source")
        targets.append(
            {"year": year, "value": value, "comparison": comparison, "source": _nfc(t["source"])}
        )
    return {"code": code, **values}, targets


@transaction.atomic
def load_indicators(path: Path) -> LoadResult:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"not valid YAML: {exc}") from None
    items = (data or {}).get("indicators") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise CatalogueError("the file lists no indicators")
    parsed = [_parse(item, order) for order, item in enumerate(items)]
    codes = [values["code"] for values, _targets in parsed]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise CatalogueError(f"indicator codes listed twice: {', '.join(duplicates)}")
    result = LoadResult(codes=codes)
    for values, targets in parsed:
        code = values.pop("code")
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            indicator = Indicator.objects.create(code=code, **values)
            result.created += 1
        else:
            changed = [k for k, v in values.items() if getattr(indicator, k) != v]
            if changed:
                for k in changed:
                    setattr(indicator, k, values[k])
                indicator.save(update_fields=changed)
                result.updated += 1
        wanted = {(t["year"], t["source"]): t for t in targets}
        for target in indicator.targets.all():
            spec = wanted.pop((target.year, target.source), None)
            if spec is None:
                target.delete()
                result.updated += 1
            elif (target.value, target.comparison) != (spec["value"], spec["comparison"]):
                target.value, target.comparison = spec["value"], spec["comparison"]
                target.save(update_fields=["value", "comparison"])
                result.updated += 1
        for spec in wanted.values():
            Target.objects.create(indicator=indicator, **spec)
            result.targets += 1
    result.deactivated = (
        Indicator.objects.filter(active=True).exclude(code__in=codes).update(active=False)
    )
    return result
