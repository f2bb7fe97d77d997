"""Who must report follows the register: an agency added after its cycle was made is asked
too (and reminded), and nothing an agency submitted is ever taken off a cycle."""

from __future__ import annotations

import pytest

from antoan.accounts.models import Agency
from antoan.programme.models import Assignment
from antoan.reports.services import ensure_cycles

pytestmark = [pytest.mark.django_db]


def test_a_commune_added_later_is_asked_to_report(cycles, plan64, mini_places):
    assert Assignment.objects.filter(task__plan=plan64, group="commune_committee").exists()
    commune = Agency.objects.create(
        code="ubnd-moi",
        name="Ủy ban nhân dân xã Mới",
        kind=Agency.Kind.COMMUNE_COMMITTEE,
        place=mini_places["commune_a"],
    )
    assert not cycles[2025].agencies.filter(pk=commune.pk).exists()
    assert ensure_cycles(plan64) == 0  # no new cycle
    assert cycles[2025].agencies.filter(pk=commune.pk).exists()


def test_moving_the_period_never_takes_an_agency_off_the_cycle(cast, cycles, draft):
    from antoan.reports.services import CycleInput, cycle_update

    cycle = cycles[2025]
    before = set(cycle.agencies.values_list("pk", flat=True))
    cycle_update(
        actor=cast["coordinator1"],
        cycle=cycle,
        data=CycleInput(
            period_start=cycle.period_start,
            period_end=cycle.period_end.replace(day=29),
            due_date=cycle.due_date,
            sections=cycle.template["sections"],
            version=cycle.version,
        ),
    )
    assert before <= set(cycle.agencies.values_list("pk", flat=True))
    assert cycle.agencies.filter(pk=draft.agency_id).exists()
