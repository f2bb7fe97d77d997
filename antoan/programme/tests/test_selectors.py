"""Who sees which activities, and the figures of the plan page and the budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from antoan.accounts.models import Membership
from antoan.core.permissions import forget_memberships
from antoan.programme import selectors, services
from antoan.programme.selectors import ActivityFilter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

NO_ACTIVITIES = ["analyst1", "manager1", "worker1", "supervisor1", "auditor1", "admin1"]


@pytest.fixture
def two_communes(record, reporter2, mini_places):
    """One activity of each demo commune."""
    mine = record(title="Phố Hiến")
    theirs = record(
        reporter2,
        title="Trần Hưng Đạo",
        agency="ubnd-tran-hung-dao",
        place=mini_places["commune_b"],
    )
    return mine, theirs


# --- Scoping -----------------------------------------------------------------------------------


def test_a_reporter_sees_their_agencys_activities_only(cast, two_communes, reporter2):
    mine, theirs = two_communes
    assert list(selectors.activity_list(cast["reporter1"])) == [mine]
    assert list(selectors.activity_list(reporter2)) == [theirs]


def test_the_coordinator_sees_every_activity(cast, two_communes):
    assert set(selectors.activity_list(cast["coordinator1"])) == set(two_communes)


@pytest.mark.parametrize("username", NO_ACTIVITIES)
def test_others_see_no_activity(cast, two_communes, username):
    assert list(selectors.activity_list(cast[username])) == []
    with pytest.raises(Http404):
        selectors.activity_get_for_user(cast[username], two_communes[0].pk)


def test_one_activity_is_found_for_those_who_may_see_it(cast, two_communes, reporter2):
    mine, theirs = two_communes
    assert selectors.activity_get_for_user(cast["reporter1"], str(mine.pk)) == mine
    assert selectors.activity_get_for_user(cast["coordinator1"], theirs.pk) == theirs
    # Another agency's id answers like a missing one.
    with pytest.raises(Http404):
        selectors.activity_get_for_user(cast["reporter1"], theirs.pk)
    with pytest.raises(Http404):
        selectors.activity_get_for_user(reporter2, mine.pk)


@pytest.mark.parametrize("garbage", ["abc", "", None, "1.5", "1; DROP TABLE", -1, "9" * 30, [1]])
def test_garbage_ids_answer_404(cast, two_communes, garbage):
    with pytest.raises(Http404):
        selectors.activity_get_for_user(cast["coordinator1"], garbage)


def test_a_reporter_whose_membership_ended_sees_nothing(cast, two_communes):
    reporter = cast["reporter1"]
    Membership.objects.filter(user=reporter).update(valid_to=dt.date(2025, 12, 31))
    forget_memberships(reporter)
    assert list(selectors.activity_list(reporter)) == []


def test_a_reporter_for_two_agencies_sees_both(cast, two_communes, agencies):
    Membership.objects.create(
        user=cast["reporter1"],
        agency=agencies["ubnd-tran-hung-dao"],
        role="programme_reporter",
        valid_from=dt.date(2025, 7, 1),
    )
    forget_memberships(cast["reporter1"])
    assert set(selectors.activity_list(cast["reporter1"])) == set(two_communes)


def test_the_plan_is_for_programme_users_only(cast, plan64):
    for username in ("reporter1", "coordinator1", "analyst1", "manager1"):
        assert selectors.plan_get_for_user(cast[username], plan64.pk) == plan64
        assert selectors.plan_current(cast[username], on=dt.date(2025, 11, 10)) == plan64
    for username in ("worker1", "auditor1", "admin1"):
        assert list(selectors.plan_list(cast[username])) == []
        with pytest.raises(Http404):
            selectors.plan_get_for_user(cast[username], plan64.pk)
        with pytest.raises(Http404):
            selectors.plan_task_rows(cast[username], plan64)
        with pytest.raises(Http404):
            selectors.budget_rows(cast[username], plan64)
    with pytest.raises(Http404):
        selectors.plan_get_for_user(cast["analyst1"], "x")
    # Plan 64 ended in 2025; with no plan in force it is still the latest.
    assert selectors.plan_current(cast["analyst1"], on=dt.date(2027, 1, 1)) == plan64


# --- Filters -----------------------------------------------------------------------------------


def test_filters_narrow_the_scoped_list(cast, record, tasks, mini_places, plan64):
    training = record(
        kind="training",
        tasks=["II.3.a-4"],
        details={"topic": "service_providers"},
        title="Tập huấn cho người cung cấp dịch vụ",
    )
    flagged = record(tasks=["IV.5"], title="Truyền thông về phòng chống mua bán người")
    old = record(
        tasks=["II.2.a"],
        place=mini_places["old_province"],
        start_date=dt.date(2024, 6, 1),
        end_date=dt.date(2024, 6, 1),
        title="Năm 2024",
    )
    qs = selectors.activity_list(cast["coordinator1"])

    def pks(**kw):
        return {a.pk for a in selectors.activity_filter(qs, ActivityFilter(**kw))}

    assert pks(task=tasks["II.3"]) == {training.pk}
    assert pks(task=tasks["II"]) == {training.pk, old.pk}
    assert pks(kind="training") == {training.pk}
    assert pks(year=2024) == {old.pk}
    assert pks(flagged=True) == {flagged.pk}
    assert pks(q="mua bán") == {flagged.pk}
    assert pks(place_code="11953") == {training.pk, flagged.pk}
    assert pks(plan=plan64) == {training.pk, flagged.pk, old.pk}
    assert {a.pk for a in selectors.task_activities(cast["reporter1"], tasks["II.3.a"])} == {
        training.pk
    }
    assert list(selectors.task_activities(cast["analyst1"], tasks["II.3.a"])) == []


def test_a_task_subtree_holds_the_task_and_everything_under_it(tasks):
    assert selectors.task_subtree_ids(tasks["II.3.a"]) == {
        tasks[c].pk for c in ["II.3.a", "II.3.a-1", "II.3.a-2", "II.3.a-3", "II.3.a-4", "II.3.a-5"]
    }
    assert selectors.task_subtree_ids(tasks["IV.5"]) == {tasks["IV.5"].pk}


# --- The plan page figures ---------------------------------------------------------------------


@pytest.fixture
def rows(cast, plan64):
    def rows_(user="analyst1", **kw):
        return {r.task.code: r for r in selectors.plan_task_rows(cast[user], plan64, **kw)}

    return rows_


def figures(row):
    return (row.activities, row.people, row.female, row.spent)


def test_an_activity_under_two_bullets_counts_once_above_them(record, rows, reporter2, mini_places):
    record(
        kind="training",
        tasks=["II.3.a-1", "II.3.a-2"],
        details={"topic": "general"},
        participants_total=30,
        participants_female=18,
        participants_male=12,
        spending={"commune_budget": 3_000_000, "donor": 1_000_000},
    )
    record(
        reporter2,
        agency="ubnd-tran-hung-dao",
        place=mini_places["commune_b"],
        tasks=["II.2.a"],
        participants_total=10,
        participants_female=4,
        participants_male=6,
        spending={"commune_budget": 500_000},
    )
    r = rows()
    assert figures(r["II.3.a-1"]) == (1, 30, 18, 4_000_000)
    assert figures(r["II.3.a-2"]) == (1, 30, 18, 4_000_000)
    assert figures(r["II.3.a"]) == (1, 30, 18, 4_000_000)
    assert figures(r["II.3"]) == (1, 30, 18, 4_000_000)
    assert figures(r["II.2"]) == (1, 10, 4, 500_000)
    assert figures(r["II"]) == (2, 40, 22, 4_500_000)
    assert figures(r["II.3.a-3"]) == (0, 0, 0, 0)
    assert figures(r["IV"]) == (0, 0, 0, 0)


def test_the_plan_page_lists_every_task_in_plan_order(rows, cast, plan64):
    codes = [r.task.code for r in selectors.plan_task_rows(cast["manager1"], plan64)]
    assert codes == list(plan64.tasks.order_by("order").values_list("code", flat=True))
    assert len(codes) == 63
    assert [a.name for a in rows()["IV.2"].responsible] == [
        "Sở Y tế tỉnh Hưng Yên",
        "các cơ sở khám bệnh, chữa bệnh",
    ]


def test_the_year_filter_counts_that_years_activities(record, rows, mini_places):
    record(participants_total=40)
    record(
        place=mini_places["old_province"],
        start_date=dt.date(2024, 11, 25),
        end_date=dt.date(2024, 11, 25),
        participants_total=100,
        participants_female=60,
        participants_male=40,
        spending={"provincial_budget": 7_000_000},
    )
    assert figures(rows()["II.2.a"]) == (2, 140, 85, 7_000_000)
    assert figures(rows(year=2025)["II.2.a"]) == (1, 40, 25, 0)
    assert figures(rows(year=2024)["II.2.a"]) == (1, 100, 60, 7_000_000)
    assert figures(rows(year=2023)["II.2.a"]) == (0, 0, 0, 0)


def test_an_update_moves_the_figures(cast, record, rows, activity_input):
    activity = record(tasks=["II.2.a"])
    services.activity_update(
        actor=cast["reporter1"],
        activity=activity,
        version=1,
        data=activity_input(tasks=["II.2.b"], participants_total=50, participants_female=35),
    )
    r = rows()
    assert figures(r["II.2.a"]) == (0, 0, 0, 0)
    assert figures(r["II.2.b"]) == (1, 50, 35, 0)
    assert figures(r["II.2"]) == (1, 50, 35, 0)


# --- Budget ------------------------------------------------------------------------------------


def test_spending_without_a_budget_line_still_shows(cast, plan64, record, reporter2, mini_places):
    record(spending={"donor": 2_000_000})
    record(
        reporter2,
        agency="ubnd-tran-hung-dao",
        place=mini_places["commune_b"],
        spending={"commune_budget": 800_000},
    )
    services.budget_line_save(
        actor=cast["coordinator1"],
        plan=plan64,
        agency=reporter2.memberships.get().agency,
        year=2025,
        source="commune_budget",
        planned=1_000_000,
        allocated=1_000_000,
    )
    rows = selectors.budget_rows(cast["manager1"], plan64, year=2025)
    assert [(r.agency.code, r.source, r.allocated, r.spent, r.execution_rate) for r in rows] == [
        ("ubnd-pho-hien", "donor", 0, 2_000_000, None),
        ("ubnd-tran-hung-dao", "commune_budget", 1_000_000, 800_000, 80.0),
    ]
    pho_hien = selectors.budget_rows(cast["manager1"], plan64, agency_id=rows[0].agency.pk)
    assert [(r.source, r.spent) for r in pho_hien] == [("donor", 2_000_000)]
    assert selectors.budget_rows(cast["manager1"], plan64, year=2024) == []


def test_a_budget_line_without_spending_shows_zero_spent(cast, plan64, agencies):
    services.budget_line_save(
        actor=cast["coordinator1"],
        plan=plan64,
        agency=agencies["so-y-te"],
        year=2024,
        source="provincial_budget",
        planned=50_000_000,
        allocated=40_000_000,
    )
    [row] = selectors.budget_rows(cast["analyst1"], plan64)
    assert (row.planned, row.allocated, row.spent, row.execution_rate) == (
        50_000_000,
        40_000_000,
        0,
        0.0,
    )


# --- Models and influencers --------------------------------------------------------------------


def test_the_models_registry_is_for_programme_users(cast, agencies, mini_places, record):
    model = services.community_model_save(
        actor=cast["reporter1"],
        data=services.ModelInput(
            kind="men_pioneers",
            name="Câu lạc bộ nam giới tiên phong",
            place=mini_places["commune_a"],
            agency=agencies["ubnd-pho-hien"],
        ),
    )
    record(kind="model_activity", tasks=["II.4.b"], details={"community_model": model})
    for username in ("reporter1", "coordinator1", "analyst1", "manager1"):
        [listed] = selectors.community_model_list(cast[username])
        assert (listed, listed.activity_count) == (model, 1)
    assert list(selectors.community_model_list(cast["worker1"])) == []
    with pytest.raises(Http404):
        selectors.community_model_get_for_user(cast["worker1"], model.pk)
    with pytest.raises(Http404):
        selectors.community_model_get_for_user(cast["analyst1"], "nope")


def test_named_influencers_for_reporters_and_coordinator_counts_for_others(
    cast, agencies, mini_places, reporter2
):
    def add(actor, agency, place, name):
        return services.influencer_save(
            actor=actor, name=name, group="religious_leader", place=place, agency=agency
        )

    mine = add(cast["reporter1"], agencies["ubnd-pho-hien"], mini_places["commune_a"], "Ông A")
    theirs = add(reporter2, agencies["ubnd-tran-hung-dao"], mini_places["commune_b"], "Bà B")
    assert list(selectors.influencer_list(cast["reporter1"])) == [mine]
    assert set(selectors.influencer_list(cast["coordinator1"])) == {mine, theirs}
    assert list(selectors.influencer_list(cast["analyst1"])) == []
    counts = selectors.influencer_counts(cast["analyst1"])
    assert {(c["place__code"], c["group"], c["count"]) for c in counts} == {
        ("11953", "religious_leader", 1),
        ("12452", "religious_leader", 1),
    }
    assert "name" not in counts[0]
    assert selectors.influencer_counts(cast["worker1"]) == []


def test_who_is_assigned_a_task(agencies, tasks):
    commune = agencies["ubnd-pho-hien"]
    assert selectors.agency_assigned(commune, [tasks["II.3.a"]])
    assert selectors.agency_assigned(commune, [tasks["II.3.a-1"]])
    assert not selectors.agency_assigned(commune, [tasks["IV.5"]])
    assert selectors.agency_assigned(commune, [tasks["IV.5"], tasks["IV.12-1"]])
    assert selectors.agency_assigned(agencies["so-noi-vu"], [tasks["IV.1.đ"]])
    assert not selectors.agency_assigned(agencies["so-noi-vu"], [tasks["IV.5"]])
    assert selectors.agency_assigned(agencies["bv-da-khoa-tinh"], [tasks["IV.2"]])
    assert not selectors.agency_assigned(agencies["thong-ke-tinh"], [tasks["IV.2"]])
