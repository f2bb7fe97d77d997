"""Fixtures of the indicator tests: the catalogue loaded from data/indicators.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[3] / "data" / "indicators.yaml"


@pytest.fixture
def catalogue(db):
    from antoan.indicators.loader import load_indicators
    from antoan.indicators.selectors.places import forget

    forget()  # the map of places is kept per process; each test builds its own places
    load_indicators(CATALOGUE)
    yield
    forget()
