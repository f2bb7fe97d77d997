"""GBV-01 counts the survivors a health facility saw without a case, once each."""

from __future__ import annotations

import datetime as dt

import pytest

from antoan.health.tests.conftest import record
from antoan.indicators.suppression import TOTAL
from antoan.indicators.tests.test_values import YEAR, calc, figures, world  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = dt.date(YEAR, 5, 4)
# The world of indicators/tests/test_values.py: six GBV survivors of cases, against 20.
CASES_ONLY = (6, 20, 30.0)


def test_a_gbv_contact_counts_once_for_gbv_01(cast, world):  # noqa: F811
    record(cast["nurse1"], contact_date=DAY, sex="male", age_band="61+", gbv_type="rape")

    assert figures(calc(cast), "GBV-01") == (7, 20, 35.0)
    # At the station's place (commune A: cases 1, 2, 3 and this contact)...
    assert figures(calc(cast), "GBV-01", "11953")[0] == 4
    # ...and in the year's breakdowns by sex, age band and type.
    gbv01 = next(i for i in calc(cast).indicators if i.code == "GBV-01")
    assert calc(cast, by="sex").value(gbv01, TOTAL, dim="sex", category="male").numerator == 2
    by_age = calc(cast, by="age_band").value(gbv01, TOTAL, dim="age_band", category="61+")
    assert by_age.numerator == 2
    by_type = calc(cast, by="gbv_type").value(gbv01, TOTAL, dim="gbv_type", category="rape")
    assert by_type.numerator == 2


def test_a_contact_with_a_case_is_counted_by_the_case_only(cast, world):  # noqa: F811
    record(cast["nurse1"], contact_date=DAY, case_opened=True)
    assert figures(calc(cast), "GBV-01") == CASES_ONLY


def test_a_non_gbv_contact_is_not_counted(cast, world):  # noqa: F811
    record(cast["nurse1"], contact_date=DAY, gbv_type="non_gbv")
    assert figures(calc(cast), "GBV-01") == CASES_ONLY


def test_other_survivor_indicators_count_cases_only(cast, world):  # noqa: F811
    record(cast["nurse1"], contact_date=DAY)
    assert figures(calc(cast), "GBV-02") == (4, 5, 80.0)
    assert figures(calc(cast), "GE-01") == (5, 7, 71.4)
