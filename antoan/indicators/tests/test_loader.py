"""Loading the catalogue: idempotent, complete, and all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from antoan.indicators.loader import CatalogueError, load_indicators
from antoan.indicators.models import Indicator, Target

CATALOGUE = Path(__file__).resolve().parents[3] / "data" / "indicators.yaml"
# The indicators the programme's documents name (DOMAIN's catalogue) and the operational ones.
EXPECTED = {
    "GBV-01", "GBV-02", "GE-01", "GE-02", "GE-03", "DV-01", "DV-02", "DV-03", "DV-04",
    *[f"OP-{n:02d}" for n in range(1, 12)],
}  # fmt: skip


def test_the_catalogue_loads_every_indicator_once(db):
    first = load_indicators(CATALOGUE)
    assert set(first.codes) == EXPECTED
    assert first.created == len(EXPECTED)
    second = load_indicators(CATALOGUE)
    assert (second.created, second.updated, second.targets, second.deactivated) == (0, 0, 0, 0)
    ge01 = Indicator.objects.get(code="GE-01")
    assert [(t.year, int(t.value)) for t in ge01.targets.all()] == [(2025, 80), (2030, 90)]
    assert ge01.name_vi.startswith("Tỷ lệ nạn nhân bạo lực gia đình")
    # GBV-01 and GBV-02 take their targets from plan 64, not from the file.
    assert not Target.objects.filter(indicator__code__in=["GBV-01", "GBV-02"]).exists()


def edited(tmp_path, change) -> Path:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    change(data["indicators"])
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda items: items[0]["numerator"].update(measure="no_such_count"), "does not exist"),
        (lambda items: items[0].update(disaggregations=["colour"]), "unknown breakdown"),
        (lambda items: items[4].update(disaggregations=["sex"]), "cannot be broken down"),
        (lambda items: items[1].pop("denominator"), "needs a denominator"),
        (lambda items: items[2]["targets"][0].pop("source"), "needs its source"),
        (lambda items: items.append(dict(items[0])), "listed twice"),
        (lambda items: items[0].update(unit="furlongs"), "unit must be"),
    ],
)
def test_a_malformed_catalogue_loads_nothing(db, tmp_path, change, message):
    load_indicators(CATALOGUE)
    before = list(Indicator.objects.values_list("code", "numerator", "disaggregations"))
    with pytest.raises(CatalogueError, match=message):
        load_indicators(edited(tmp_path, change))
    assert list(Indicator.objects.values_list("code", "numerator", "disaggregations")) == before


def test_a_changed_target_and_a_dropped_indicator(db, tmp_path):
    load_indicators(CATALOGUE)

    def change(items):
        items[2]["targets"][0]["value"] = 85
        items[:] = [i for i in items if i["code"] != "OP-11"]

    result = load_indicators(edited(tmp_path, change))
    assert result.deactivated == 1
    assert not Indicator.objects.get(code="OP-11").active
    assert Target.objects.get(indicator__code="GE-01", year=2025).value == 85
