"""The demo programme data of ``make run``: built through the services, twice without change."""

from __future__ import annotations

import pytest

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.programme.demo import build_demo_programme
from antoan.programme.models import Activity, BudgetLine, CommunityModel, Influencer, Plan
from antoan.programme.selectors import plan_task_rows

pytestmark = pytest.mark.django_db


def counts():
    return (
        Activity.objects.count(),
        CommunityModel.objects.count(),
        Influencer.objects.count(),
        BudgetLine.objects.count(),
    )


def test_demo_programme_is_complete_and_idempotent(cast, plan64, client_for):
    assert build_demo_programme(password=DEMO_PASSWORD) == 7
    first = counts()
    # Plan 64's seven activities and four budget lines, and the 2026 demo: Phố Hiến's two
    # activities and two budget lines under its approved local plan.
    assert first == (9, 2, 5, 6)
    assert build_demo_programme(password=DEMO_PASSWORD) == 0
    assert counts() == first
    training = Activity.objects.get(kind="training")
    assert training.trainees.count() == training.participants_total == 12
    assert Activity.objects.get(import_key="demo-ph-school-2025").flags == ["agency_not_assigned"]
    # Before 1/7/2025 the old province is the place.
    old = Activity.objects.get(import_key="demo-thd-loudspeaker-2024")
    assert old.place.code == "33" and old.place.valid_to is not None
    assert plan64.tasks.get(code="II.4.b").status == "at_risk"
    # The next plan is published, with Phố Hiến's local plan approved and counted once.
    nxt = Plan.objects.get(copied_from=plan64, parent__isnull=True)
    assert nxt.status == "published" and nxt.period_start.year == 2026
    assert {(p.number, p.status) for p in nxt.local_plans.all()} == {
        ("15/KH-UBND", "published"),
        ("22/KH-UBND", "draft"),
    }
    rows = {r.task.code: r for r in plan_task_rows(cast["coordinator1"], nxt)}
    assert (rows["II.2.a"].activities, rows["II.2.a"].communes) == (2, 1)
    # The demo pages open.
    client = client_for(cast["coordinator1"])
    for url in (f"/programme/plans/{plan64.pk}/", "/programme/activities/", "/programme/budget/"):
        assert client.get(url).status_code == 200, url


def test_without_the_plan_there_is_no_demo_programme(cast):
    assert build_demo_programme(password=DEMO_PASSWORD) is None
    assert not Activity.objects.exists()
