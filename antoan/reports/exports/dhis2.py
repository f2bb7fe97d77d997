"""A DHIS2 ``dataValueSets`` payload of a province's calendar year, from the indicators engine.

The figures are those of the indicators API for the same year and place (``Calculator`` with
suppression on), mapped to data elements by ``data/dhis2/mapping.yaml``. The province and each
of today's communes are org units, written as statistics-office codes (import with
``orgUnitIdScheme=CODE``). A hidden figure is left out: DHIS2 has no "suppressed" mark, and a
zero would be a false figure. Records with no known commune count in the province's figure
only (DHIS2 has no org unit for them).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils import timezone

from antoan.indicators.selectors.values import Calculator, Value, parse_query
from antoan.indicators.suppression import TOTAL
from antoan.places.models import Place
from antoan.reports.exports.common import JSON, Export

MAPPING = Path(settings.BASE_DIR) / "data" / "dhis2" / "mapping.yaml"
FIGURES = ("numerator", "denominator", "value")


@lru_cache(maxsize=4)
def _load(path: str, stamp: float) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    for item in data["dataValues"]:
        if item["figure"] not in FIGURES:
            raise ValueError(f"{path}: figure {item['figure']!r} is not one of {FIGURES}")
    return data


def mapping(path: Path = MAPPING) -> dict[str, Any]:
    """The mapping file, read again when it changes."""
    return _load(str(path), path.stat().st_mtime)


def _figure(value: Value, figure: str) -> float | None:
    if value.suppressed:
        return None
    return getattr(value, figure)


def _text(number: float) -> str:
    """DHIS2 takes values as text: whole numbers without a decimal point."""
    return str(int(number)) if float(number).is_integer() else str(number)


def data_values(province: Place, year: int) -> dict[str, Any]:
    spec = mapping()
    codes = sorted({item["indicator"] for item in spec["dataValues"]})
    query = parse_query(province, {"year": str(year), "code": ",".join(codes)})
    calc = Calculator(query, places_for=codes)
    indicators = {ind.code: ind for ind in calc.indicators}
    period = query.period.id  # "YYYY"
    out: list[dict[str, str]] = []
    for item in spec["dataValues"]:
        indicator = indicators.get(item["indicator"])
        if indicator is None:
            continue
        places = [TOTAL]
        if calc.supports(indicator, "commune"):
            places += [p.code for p in calc.scope.rollup.communes_of(province.code)]
        for place in places:
            value = calc.value(indicator, place)
            number = _figure(value, item["figure"])
            if number is None:
                continue
            out.append(
                {
                    "dataElement": item["dataElement"],
                    "period": period,
                    "orgUnit": value.place_code or province.code,
                    "categoryOptionCombo": item.get(
                        "categoryOptionCombo", spec["defaultCategoryOptionCombo"]
                    ),
                    "value": _text(number),
                }
            )
    return {
        "dataSet": spec["dataSet"],
        "period": period,
        "orgUnit": province.code,
        "completeDate": timezone.localdate().isoformat(),
        "dataValues": out,
    }


def dhis2_json(province: Place, year: int) -> Export:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return Export(data_values(province, year), f"dhis2-{province.code}-{year}-{stamp}.json", JSON)
