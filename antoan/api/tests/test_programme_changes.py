# ruff: noqa: F811 - pytest fixtures imported from the helpers are redefined as parameters
"""Reading and changing activities: who sees which, versions, the submitted year."""

from __future__ import annotations

import pytest
from django.db import connection

from antoan.api.tests.test_cases_helpers import fields_of, send
from antoan.api.tests.test_programme_helpers import (
    ACTIVITIES,
    agency_id,
    post_activity,
    reporter2,  # noqa: F401 - fixture
    task_row,
)
from antoan.programme.models import Activity
from antoan.reports.tests.helpers import submit_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(cast, client_for, plan64, reporter2):
    """One activity of each commune: reporter1's training, reporter2's communication."""
    mine = post_activity(client_for(cast["reporter1"]))
    assert mine.status_code == 201, mine.json()
    theirs = post_activity(
        client_for(reporter2),
        kind="communication",
        title="Phát thanh về bình đẳng giới",
        topic="",
        channel="loudspeaker",
        tasks=["II.2.a"],
        agency=agency_id("ubnd-tran-hung-dao"),
        place="12452",
        start_date="2025-09-01",
        end_date="2025-09-01",
        participants={"total": 200, "female": 120, "male": 70, "other": 10},
        spent=[],
    )
    assert theirs.status_code == 201, theirs.json()
    return {"mine": mine.json(), "theirs": theirs.json()}


def url(activity: dict) -> str:
    return f"{ACTIVITIES}/{activity['id']}"


# --- Who sees what ---------------------------------------------------------------------------


def test_a_reporter_sees_their_agencys_activities_only(cast, client_for, recorded):
    client = client_for(cast["reporter1"])
    listed = client.get(ACTIVITIES).json()
    assert set(listed) == {"results", "next"}
    assert [a["id"] for a in listed["results"]] == [recorded["mine"]["id"]]
    assert client.get(url(recorded["mine"])).status_code == 200
    other = client.get(url(recorded["theirs"]))
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"


def test_the_coordinator_sees_every_activity_newest_first(cast, client_for, recorded):
    client = client_for(cast["coordinator1"])
    listed = client.get(ACTIVITIES).json()["results"]
    assert [a["id"] for a in listed] == [recorded["mine"]["id"], recorded["theirs"]["id"]]
    detail = client.get(url(recorded["theirs"])).json()
    assert detail["agency_name"] == "Ủy ban nhân dân phường Trần Hưng Đạo"
    assert detail["editable"] is False


@pytest.mark.parametrize("username", ["analyst1", "manager1"])
def test_analysts_and_managers_see_totals_but_no_activity(cast, client_for, recorded, username):
    client = client_for(cast[username])
    assert client.get(ACTIVITIES).status_code == 403
    assert client.get(url(recorded["mine"])).status_code == 404
    # The totals include both communes' activities.
    plan = recorded["mine"]["plan"]
    rows = client.get(f"/api/v1/programme/plans/{plan}/tasks").json()["results"]
    section_two = next(r for r in rows if r["code"] == "II")
    assert section_two["activities"] == 2
    assert section_two["people"] == 230


@pytest.mark.parametrize("username", ["worker1", "supervisor1", "hotline1", "auditor1", "admin1"])
def test_other_roles_get_403_on_lists_and_404_on_ids(cast, client_for, recorded, username):
    client = client_for(cast[username])
    assert client.get(ACTIVITIES).status_code == 403
    assert client.get("/api/v1/programme/plans").status_code == 403
    assert client.get(url(recorded["mine"])).status_code == 404
    patched = send(client, "patch", url(recorded["mine"]), {"version": 1, "title": "x"})
    assert patched.status_code == 404


def test_list_filters(cast, client_for, recorded, plan64):
    client = client_for(cast["coordinator1"])

    def ids(query: str) -> list[int]:
        response = client.get(f"{ACTIVITIES}?{query}")
        assert response.status_code == 200, response.json()
        return [a["id"] for a in response.json()["results"]]

    mine, theirs = recorded["mine"]["id"], recorded["theirs"]["id"]
    assert ids("kind=communication") == [theirs]
    assert ids(f"agency={agency_id('ubnd-pho-hien')}") == [mine]
    assert ids("place=12452") == [theirs]
    assert ids("place=33") == [mine, theirs]  # the province takes its communes
    assert ids("task=II.2") == [theirs]  # a section takes its items
    assert ids(f"plan={plan64.pk}&task=II.3.a") == [mine]
    assert ids("year=2025") == [mine, theirs]
    assert ids("year=2024") == []
    assert ids("q=tập huấn") == [mine]
    assert ids("q=") == [mine, theirs]  # an empty text parameter filters nothing


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=picnic", "kind"),
        ("year=soon", "year"),
        ("task=IX.9", "task"),
        ("plan=999999", "plan"),
        ("flagged=maybe", "flagged"),
    ],
)
def test_bad_list_filters_are_a_400(cast, client_for, recorded, query, field):
    response = client_for(cast["coordinator1"]).get(f"{ACTIVITIES}?{query}")
    assert response.status_code == 400
    assert field in fields_of(response)


def test_the_list_pages_with_a_cursor(cast, client_for, recorded):
    client = client_for(cast["coordinator1"])
    first = client.get(f"{ACTIVITIES}?limit=1").json()
    assert len(first["results"]) == 1 and first["next"]
    second = client.get(first["next"]).json()
    assert [a["id"] for a in first["results"] + second["results"]] == [
        recorded["mine"]["id"],
        recorded["theirs"]["id"],
    ]
    assert second["next"] is None


def queries_of(call) -> int:
    """Queries run by ``call`` (counted at the driver, whatever Django's query log holds)."""
    seen: list[str] = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    return len(seen)


def test_the_list_costs_the_same_queries_for_1_and_5_activities(cast, client_for, plan64):
    client = client_for(cast["reporter1"])
    assert post_activity(client).status_code == 201
    client.get(ACTIVITIES)  # warm caches (sessions, content types) so both counts are alike
    one = queries_of(lambda: client.get(ACTIVITIES))
    for _ in range(4):
        assert post_activity(client, partners=[agency_id("cong-an-tinh")]).status_code == 201
    five = queries_of(lambda: client.get(ACTIVITIES))
    assert len(client.get(ACTIVITIES).json()["results"]) == 5
    assert five <= one


# --- Changes ---------------------------------------------------------------------------------


def test_a_reporter_changes_their_activity(cast, client_for, recorded, plan64):
    client = client_for(cast["reporter1"])
    mine = recorded["mine"]
    response = send(
        client,
        "patch",
        url(mine),
        {
            "version": mine["version"],
            "title": "Tập huấn cho cộng tác viên",
            "participants": {"total": 40, "female": 30},
            "spent": [{"source": "commune_budget", "amount": 2_000_000}],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == mine["version"] + 1
    assert body["title"] == "Tập huấn cho cộng tác viên"
    # Objects merge: male kept at 10; lists are replaced.
    assert body["participants"]["total"] == 40
    assert body["participants"]["male"] == 10
    assert body["spent"] == [{"source": "commune_budget", "amount": 2_000_000}]
    assert body["tasks"] == ["II.3.a"] and body["topic"] == "general"
    row = task_row(client, plan64, "II.3.a")
    assert row["people"] == 40 and row["spent"] == 2_000_000


def test_a_stale_version_is_a_409_and_nothing_changes(cast, client_for, recorded):
    client = client_for(cast["reporter1"])
    mine = recorded["mine"]
    first = send(client, "patch", url(mine), {"version": 1, "title": "Lần sửa thứ nhất"})
    assert first.status_code == 200
    stale = send(client, "patch", url(mine), {"version": 1, "title": "Lần sửa cũ"})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict"
    assert error["current_version"] == 2
    assert error["changes"][0]["version"] == 2
    assert error["changes"][0]["by"] == "Hoàng Thị Mai"
    activity = Activity.objects.get(pk=mine["id"])
    assert (activity.title, activity.version) == ("Lần sửa thứ nhất", 2)


def test_a_change_that_breaks_the_sums_is_refused(cast, client_for, recorded):
    client = client_for(cast["reporter1"])
    mine = recorded["mine"]
    response = send(client, "patch", url(mine), {"version": 1, "participants": {"total": 31}})
    assert response.status_code == 400
    assert "participants" in fields_of(response)
    assert Activity.objects.get(pk=mine["id"]).participants_total == 30


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x"}, "version"),
        ({"version": 1}, "non_field_errors"),
        ({"version": 1, "plan": 1}, "plan"),
        ({"version": 1, "channel": "radio_tv"}, "channel"),
        ({"version": 1, "tasks": ["IX.9"]}, "tasks"),
        ({"version": 1, "trainees": [{"sex": "female"}]}, "trainees.0.full_name"),
        ({"version": 1, "start_date": "2027-01-01"}, "start_date"),
    ],
)
def test_bad_changes_are_refused_with_the_field(cast, client_for, recorded, body, field):
    response = send(client_for(cast["reporter1"]), "patch", url(recorded["mine"]), body)
    assert response.status_code == 400, response.json()
    assert field in fields_of(response), fields_of(response)
    assert Activity.objects.get(pk=recorded["mine"]["id"]).version == 1


def test_changing_the_kind_drops_the_old_kinds_fields(cast, client_for, recorded):
    response = send(
        client_for(cast["reporter1"]),
        "patch",
        url(recorded["mine"]),
        {"version": 1, "kind": "conference", "conference_format": "workshop"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["kind"], body["conference_format"], body["topic"]) == (
        "conference",
        "workshop",
        "",
    )


def test_who_may_not_change_an_activity(cast, client_for, recorded, reporter2):
    mine = recorded["mine"]
    change = {"version": 1, "title": "Sửa trái phép"}
    coordinator = send(client_for(cast["coordinator1"]), "patch", url(mine), change)
    assert coordinator.status_code == 403  # sees it, may not change it
    assert send(client_for(reporter2), "patch", url(mine), change).status_code == 404
    assert send(client_for(cast["analyst1"]), "patch", url(mine), change).status_code == 404
    moved = send(
        client_for(cast["reporter1"]),
        "patch",
        url(mine),
        {"version": 1, "agency": agency_id("ubnd-tran-hung-dao")},
    )
    assert moved.status_code == 403  # handing it to an agency you do not report for
    activity = Activity.objects.get(pk=mine["id"])
    assert activity.version == 1 and activity.agency.code == "ubnd-pho-hien"


def test_a_submitted_year_cannot_be_changed(cast, client_for, recorded, plan64):
    reporter = cast["reporter1"]
    submit_year(reporter, plan64, Activity.objects.get(pk=recorded["mine"]["id"]).agency, 2025)
    client = client_for(reporter)
    assert client.get(url(recorded["mine"])).json()["editable"] is False
    response = send(client, "patch", url(recorded["mine"]), {"version": 1, "title": "Muộn"})
    assert response.status_code == 400
    assert "2025" in " ".join(fields_of(response)["start_date"])
    assert Activity.objects.get(pk=recorded["mine"]["id"]).title != "Muộn"
    # Nor can a new activity be recorded in that year.
    late = post_activity(client)
    assert late.status_code == 400
    assert "start_date" in fields_of(late)


def test_new_totals_are_checked_against_the_listed_trainees(cast, client_for, plan64):
    client = client_for(cast["reporter1"])
    trainees = [{"full_name": f"Học viên {i}", "sex": "female"} for i in range(3)]
    created = post_activity(
        client, participants={"total": 3, "female": 3}, trainees=trainees
    ).json()
    response = send(
        client, "patch", url(created), {"version": 1, "participants": {"total": 4, "male": 1}}
    )
    assert response.status_code == 400
    assert "trainees" in fields_of(response)
    fixed = send(
        client,
        "patch",
        url(created),
        {
            "version": 1,
            "participants": {"total": 4, "male": 1},
            "trainees": [*trainees, {"full_name": "Lê Văn An", "sex": "male"}],
        },
    )
    assert fixed.status_code == 200, fixed.json()
    assert len(fixed.json()["trainees"]) == 4
