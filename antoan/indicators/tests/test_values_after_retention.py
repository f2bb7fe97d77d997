"""Anonymising old cases (``manage.py apply_retention``) leaves every indicator value as it was.

The world is the hand-counted one of ``test_values``; its cases are closed in April of year Y
and the command is run six years later. Every indicator, for the province, every commune and
every breakdown, is compared before and after: the kept fields (sex, birth year and age,
commune, dates, categories) are all the indicators count by.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from antoan.indicators.selectors.breakdowns import BREAKDOWNS
from antoan.indicators.selectors.values import Calculator, parse_query, user_province
from antoan.indicators.tests.test_values import OPENED, TZ, YEAR, world  # noqa: F401

CLOSED = OPENED.replace(month=4, day=20)


def every_figure(cast) -> dict[tuple, tuple]:
    province = user_province(cast["manager1"])
    figures: dict[tuple, tuple] = {}
    for by in ["", "commune", *BREAKDOWNS]:
        try:
            query = parse_query(province, {"year": str(YEAR), "by": by})
        except ValidationError:
            continue
        for v in Calculator(query, suppress=False).values():
            key = (v.indicator.code, v.place_code, v.by, v.category)
            figures[key] = (v.numerator, v.denominator, v.value, v.note)
    return figures


def test_every_indicator_value_is_the_same_after_anonymisation(cast, world):  # noqa: F811
    from antoan.cases.models import Case, Survivor

    Case.objects.update(status="closed", stage="closed", closed_at=CLOSED)
    before = every_figure(cast)
    assert len(before) > 50
    assert any(n for n, _d, _v, _note in before.values())

    out = io.StringIO()
    call_command("apply_retention", "--today", f"{YEAR + 6}-01-01", stdout=out)

    assert f"Anonymised {len(world)} case(s)" in out.getvalue()
    assert not Survivor.objects.exclude(full_name="").exists()
    assert every_figure(cast) == before


@pytest.mark.parametrize("held", [1, 4])
def test_a_held_case_changes_nothing_either(cast, world, held):  # noqa: F811
    from antoan.cases.models import Case

    Case.objects.update(status="closed", stage="closed", closed_at=CLOSED)
    Case.objects.filter(pk=world[held].pk).update(
        legal_hold=True, legal_hold_reason="proceedings", legal_hold_reference="CV 1",
        legal_hold_set_at=dt.datetime(YEAR + 1, 1, 1, tzinfo=TZ),
    )  # fmt: skip
    before = every_figure(cast)
    call_command("apply_retention", "--today", f"{YEAR + 6}-01-01", stdout=io.StringIO())
    assert Case.objects.filter(anonymised_at__isnull=True).count() == 1
    assert every_figure(cast) == before
