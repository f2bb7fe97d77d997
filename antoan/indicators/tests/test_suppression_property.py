"""Small-cell suppression as a property: whatever the data, nothing hidden can be worked out.

For random small datasets, every answer the values API gives for one year (the province, each
commune, each breakdown and filter, the quarters, the months and the reporting year) is a sum
of cells of the data cube commune × sex × age band × type × month. A hidden answer could be
recovered exactly if its row were a linear combination of the shown answers' rows: this test
checks, with exact fractions, that it never is, that every count from 1 to 4 is hidden, and
that every shown count is true. The numbers it compares against are counted here, from the
dataset, never by the code under test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antoan.indicators.selectors.values import Calculator, parse_query
from antoan.indicators.tests.exact import in_span

COMMUNES = ["11953", "12452", None]  # None: no commune known (the unknown row)
SEXES = ["female", "male"]
AGES = ["12-17", "26-40", "61+"]
TYPES = ["physical_assault", "rape", "psychological_abuse"]
MONTHS = [1, 2, 4, 11]  # the months records fall in; the cube has all twelve
AGE_OF = {"12-17": 15, "26-40": 30, "61+": 70}

Cell = tuple[str | None, str, str, str, int]  # commune, sex, age band, type, month

records = st.lists(
    st.tuples(
        st.sampled_from(COMMUNES),
        st.sampled_from(SEXES),
        st.sampled_from(AGES),
        st.sampled_from(TYPES),
        st.sampled_from(MONTHS),
    ),
    min_size=1,
    max_size=45,
)


@dataclass
class Answer:
    members: set[Cell]  # the cells the answer adds up (of all possible cells)
    shown: int | None  # None when hidden
    true: int


def _write(dataset: list[Cell], year: int, cast) -> None:
    """Cases straight into the tables (the services are tested elsewhere): one survivor, case
    and consented incident per record, opened on the 10th of the record's month."""
    from antoan.accounts.models import Agency
    from antoan.cases.models import Case, Incident, Survivor
    from antoan.places.models import Place

    agency = Agency.objects.get(code="ubnd-pho-hien")
    agency_at_province = Agency.objects.get(code="so-noi-vu")
    places = {p.code: p for p in Place.objects.filter(code__in=["11953", "12452"])}
    worker = cast["worker1"]
    for i, (commune, sex, age, gbv_type, month) in enumerate(dataset):
        opened = dt.datetime(year, month, 10, 9, 0, tzinfo=timezone.get_current_timezone())
        survivor = Survivor.objects.create(
            full_name=f"Người {i}",
            name_index=f"x{i}",
            sex=sex,
            age_at_intake=AGE_OF[age],
            commune=places[commune] if commune else None,
        )
        case = Case.objects.create(
            number=f"T-{year}-{i:06d}",
            survivor=survivor,
            agency=agency if commune else agency_at_province,
            source="self",
            opened_at=opened,
            created_by=worker,
        )
        Incident.objects.create(
            case=case,
            gbv_type=gbv_type,
            occurred_on=opened.date(),
            first_reported_on=opened.date(),
            commune=places[commune] if commune else None,
            consent_statistics=True,
            created_by=worker,
        )


ALL_CELLS: list[Cell] = list(itertools.product(COMMUNES, SEXES, AGES, TYPES, range(1, 13)))


def _cells(commune="*", sex="*", age="*", gbv_type="*", months=None) -> set[Cell]:
    return {
        cell
        for cell in ALL_CELLS
        if (commune == "*" or cell[0] == commune)
        and (sex == "*" or cell[1] == sex)
        and (age == "*" or cell[2] == age)
        and (gbv_type == "*" or cell[3] == gbv_type)
        and (months is None or cell[4] in months)
    }


def _answers(province, dataset: list[Cell], year: int) -> list[Answer]:
    """Every answer the API gives about the year for GBV-01's numerator."""
    counts: dict[Cell, int] = {}
    for record in dataset:
        counts[record] = counts.get(record, 0) + 1
    out: list[Answer] = []

    def ask(params: dict[str, str], members_of) -> None:
        query = parse_query(province, {"year": str(year), "code": "GBV-01", **params})
        for value in Calculator(query).values():
            members = members_of(value)
            true = sum(counts.get(cell, 0) for cell in members)
            shown = None if value.suppressed else value.numerator
            out.append(Answer(members, shown, true))

    dims = {"sex": "sex", "age_band": "age", "gbv_type": "gbv_type"}
    ask({}, lambda v: _cells())
    ask({"by": "commune"}, lambda v: _cells(commune=v.place_code))
    for dim, arg in dims.items():
        ask({"by": dim}, lambda v, arg=arg: _cells(**{arg: v.category}))
        for commune in ["11953", "12452"]:
            ask(
                {"by": dim, "place": commune},
                lambda v, arg=arg, commune=commune: _cells(commune=commune, **{arg: v.category}),
            )
        values = {"sex": SEXES, "age": AGES, "gbv_type": TYPES}[arg]
        for category in values:
            ask(
                {dim: category, "by": "commune"},
                lambda v, arg=arg, category=category: _cells(
                    commune=v.place_code, **{arg: category}
                ),
            )
            ask({dim: category}, lambda v, arg=arg, category=category: _cells(**{arg: category}))
    for q in range(1, 5):
        months = {m for m in range(1, 13) if (m - 1) // 3 + 1 == q}
        ask({"period": f"q{q}"}, lambda v, months=months: _cells(months=months))
        ask(
            {"period": f"q{q}", "by": "commune"},
            lambda v, months=months: _cells(commune=v.place_code, months=months),
        )
    for m in range(1, 13):
        ask({"period": f"m{m}"}, lambda v, m=m: _cells(months={m}))
    # The reporting year: December of the year before (empty here) to November.
    ask({"period": "reporting"}, lambda v: _cells(months=set(range(1, 12))))
    return out


@pytest.mark.django_db(transaction=False)
@settings(
    # More with ANTOAN_PROPERTY_EXAMPLES=500 (a few minutes); 25 keep make test quick.
    max_examples=int(os.environ.get("ANTOAN_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dataset=records)
def test_no_hidden_count_can_be_worked_out_from_a_years_answers(cast, catalogue, dataset):
    from antoan.indicators.selectors.places import forget
    from antoan.indicators.selectors.values import user_province

    year = timezone.localdate().year - 1
    forget()
    with transaction.atomic():
        _write(dataset, year, cast)
        province = user_province(cast["manager1"])
        answers = _answers(province, dataset, year)
        transaction.set_rollback(True)

    for a in answers:
        if 0 < a.true < 5:
            assert a.shown is None, "a count from 1 to 4 was shown"
        if a.shown is not None:
            assert a.shown == a.true, "a shown count is not the true count"
    shown = [a for a in answers if a.shown is not None]
    # Cells inside an answer shown as 0 are known to be empty: not unknowns any more.
    known_empty = set().union(*(a.members for a in shown if a.shown == 0))
    unknown = [cell for cell in ALL_CELLS if cell not in known_empty]
    hidden = [a for a in answers if a.shown is None]
    for answer in hidden:
        assert not in_span(answer.members, [a.members for a in shown], unknown), (
            f"a hidden count ({answer.true}) can be worked out from the shown answers"
        )
