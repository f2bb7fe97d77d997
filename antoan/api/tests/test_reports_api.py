# ruff: noqa: F811 - pytest fixtures imported from other conftests are redefined as parameters
"""``/api/v1/reports``: cycles, an agency's submission, its state changes, who sees what, stale
versions and bad input."""

from __future__ import annotations

import pytest

from antoan.api.tests.test_cases_helpers import fields_of, send
from antoan.reports.models import Submission
from antoan.reports.template import sections_of
from antoan.reports.tests.conftest import (  # noqa: F401 (fixtures)
    activity_input,
    agencies,
    clock,
    cycle2025,
    cycles,
    draft,
    record,
    reporter2,
    submitted,
    tasks,
    vietnamese,
    write_all,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

CYCLES = "/api/v1/reports/cycles"


def url(sub, action: str = "") -> str:
    base = f"/api/v1/reports/submissions/{sub.pk}"
    return f"{base}/{action}" if action else base


def own_client(user):
    """A client of its own (``client_for`` logs one shared client in)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def everything(sub, text="Đã thực hiện theo kế hoạch.") -> dict[str, str]:
    return {s["key"]: text for s in sections_of(sub.cycle.template)}


# --- Cycles ------------------------------------------------------------------------------------


def test_cycles_are_listed_with_their_dates(cast, client_for, plan64, cycles):
    response = client_for(cast["reporter1"]).get(CYCLES)
    assert response.status_code == 200
    body = response.json()
    assert [c["year"] for c in body] == [2025, 2024, 2023, 2022, 2021]
    first = body[0]
    assert {"id", "plan", "year", "period_start", "period_end", "due_date"} <= set(first)
    assert first["id"] == cycles[2025].pk
    assert (first["plan"], first["plan_number"]) == (plan64.pk, "64/KH-UBND")
    assert (first["period_start"], first["period_end"], first["due_date"]) == (
        "2024-12-01",
        "2025-11-30",
        "2025-12-10",
    )
    assert first["closed"] is False
    assert first["sections"][-1] == {"key": "next_year", "title": "Nhiệm vụ năm tiếp theo"}


def test_cycles_are_filtered_by_plan_and_year(cast, client_for, plan64, cycles):
    client = client_for(cast["coordinator1"])
    assert [c["year"] for c in client.get(f"{CYCLES}?year=2024").json()] == [2024]
    assert len(client.get(f"{CYCLES}?plan={plan64.pk}").json()) == 5
    assert client.get(f"{CYCLES}?plan={plan64.pk + 1000}").json() == []
    bad = client.get(f"{CYCLES}?year=abc&plan=0")
    assert bad.status_code == 400
    assert set(fields_of(bad)) == {"year", "plan"}


@pytest.mark.parametrize("username", ["worker1", "hotline1", "auditor1", "admin1"])
def test_outside_the_programme_cycles_are_refused(cast, client_for, cycles, username):
    assert client_for(cast[username]).get(CYCLES).status_code == 403


# --- A submission ------------------------------------------------------------------------------


def test_the_reporter_reads_and_edits_the_draft(cast, client_for, draft):
    client = client_for(cast["reporter1"])
    body = client.get(url(draft)).json()
    assert (body["id"], body["status"], body["number"], body["version"]) == (
        draft.pk,
        "draft",
        1,
        draft.version,
    )
    assert body["agency_name"] == "Ủy ban nhân dân phường Phố Hiến"
    assert body["recorded"]["cases"]["cases_opened"] == {"value": 0}
    response = send(
        client,
        "patch",
        url(draft),
        {
            "version": draft.version,
            "narratives": {"difficulties": "Thiếu kinh phí"},
            "figures": {"activities": {"training": {"count": 2}}},
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["narratives"]["difficulties"] == "Thiếu kinh phí"
    assert body["version"] == draft.version + 1
    assert body["differences"] == [
        {
            "table": "activities",
            "row": "training",
            "column": "count",
            "entered": 2,
            "recorded": 0,
            "difference": 2,
        }
    ]


def test_the_whole_cycle_through_the_api(cast, draft, clock):
    clock.at(2025, 12, 5)
    reporter = own_client(cast["reporter1"])
    body = send(
        reporter, "patch", url(draft), {"version": draft.version, "narratives": everything(draft)}
    ).json()
    submitted = send(reporter, "post", url(draft, "submit"), {"version": body["version"]})
    assert submitted.status_code == 200, submitted.json()
    assert (submitted.json()["status"], submitted.json()["late"]) == ("submitted", False)

    coordinator = own_client(cast["coordinator1"])
    version = submitted.json()["version"]
    no_reason = send(coordinator, "post", url(draft, "return"), {"version": version})
    assert no_reason.status_code == 400
    assert "reason" in fields_of(no_reason)
    blank = send(coordinator, "post", url(draft, "return"), {"version": version, "reason": "  "})
    assert blank.status_code == 400
    assert "reason" in fields_of(blank)
    returned = send(
        coordinator, "post", url(draft, "return"), {"version": version, "reason": "Bổ sung"}
    )
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["return_reason"]) == ("returned", "Bổ sung")

    again = send(reporter, "post", url(draft, "submit"), {"version": returned.json()["version"]})
    assert again.status_code == 200, again.json()
    assert again.json()["status"] == "resubmitted"
    accepted = send(coordinator, "post", url(draft, "accept"), {"version": again.json()["version"]})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"

    # A correction: a new version, with its reason.
    corrected = send(
        reporter,
        "post",
        url(draft, "correct"),
        {"version": accepted.json()["version"], "reason": "Sai số người tham gia"},
    )
    assert corrected.status_code == 200, corrected.json()
    new = corrected.json()
    assert (new["number"], new["status"], new["correction_reason"]) == (
        2,
        "draft",
        "Sai số người tham gia",
    )
    assert new["id"] != draft.pk
    assert Submission.objects.get(pk=draft.pk).status == "superseded"
    # The superseded version is read, not changed.
    old = send(reporter, "patch", url(draft), {"version": accepted.json()["version"] + 1})
    assert old.status_code == 400


def test_a_stale_version_is_a_409_with_the_current_one(cast, client_for, draft):
    client = client_for(cast["reporter1"])
    first = send(
        client, "patch", url(draft), {"version": draft.version, "narratives": {"next_year": "A"}}
    )
    assert first.status_code == 200
    stale = send(
        client, "patch", url(draft), {"version": draft.version, "narratives": {"next_year": "B"}}
    )
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert (error["code"], error["current_version"]) == ("conflict", draft.version + 1)
    assert Submission.objects.get(pk=draft.pk).narratives["next_year"] == "A"
    submit = send(client, "post", url(draft, "submit"), {"version": draft.version})
    assert submit.status_code == 409


def test_submitting_with_empty_sections_names_them(cast, client_for, draft):
    response = send(
        client_for(cast["reporter1"]), "post", url(draft, "submit"), {"version": draft.version}
    )
    assert response.status_code == 400
    message = " ".join(fields_of(response)["narratives"])
    assert "Khó khăn, vướng mắc" in message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "version"),
        ({"version": "một"}, "version"),
        ({"version": 0}, "version"),
        ({"version": 1, "narratives": "văn bản"}, "narratives"),
        ({"version": 1, "narratives": {"difficulties": ["x"]}}, "narratives.difficulties"),
        ({"version": 1, "narratives": {"difficulties": 5}}, "narratives.difficulties"),
        ({"version": 1, "narratives": {"hacked": "x"}}, "narratives.hacked"),
        ({"version": 1, "narratives": {"difficulties": "x" * 60_001}}, "narratives.difficulties"),
        ({"version": 1, "figures": {"activities": {"training": {"count": -1}}}}, None),
        ({"version": 1, "figures": {"activities": {"training": {"count": 1.5}}}}, None),
        ({"version": 1, "figures": {"weather": {"x": {"y": 1}}}}, "figures.weather"),
        ({"version": 1, "status": "accepted"}, "status"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(cast, client_for, draft, body, field):
    body = {**body}
    if body.get("version") == 1:
        body["version"] = draft.version
    response = send(client_for(cast["reporter1"]), "patch", url(draft), body)
    assert response.status_code == 400, response.json()
    fields = fields_of(response)
    if field is None:
        assert any(name.startswith("figures.activities.training") for name in fields), fields
    else:
        assert field in fields, fields
    fresh = Submission.objects.get(pk=draft.pk)
    assert (fresh.version, fresh.narratives, fresh.figures) == (
        draft.version,
        draft.narratives,
        draft.figures,
    )


def test_malformed_json_is_a_400(cast, client_for, draft):
    response = send(client_for(cast["reporter1"]), "patch", url(draft), "{not json")
    assert response.status_code == 400


# --- Who may -----------------------------------------------------------------------------------


def test_another_agencys_reporter_gets_404(cast, client_for, draft, reporter2):
    client = client_for(reporter2)
    assert client.get(url(draft)).status_code == 404
    assert client.get("/api/v1/reports/submissions/987654").status_code == 404
    patch = send(client, "patch", url(draft), {"version": draft.version, "narratives": {}})
    assert patch.status_code == 404
    for action in ("submit", "accept"):
        assert send(client, "post", url(draft, action), {"version": 1}).status_code == 404
    assert Submission.objects.get(pk=draft.pk).version == draft.version


@pytest.mark.parametrize("username", ["worker1", "hotline1", "auditor1", "health1"])
def test_outside_the_programme_a_submission_is_404(cast, client_for, draft, username):
    client = client_for(cast[username])
    assert client.get(url(draft)).status_code == 404
    response = send(client, "post", url(draft, "submit"), {"version": draft.version})
    assert response.status_code == 404


def test_a_draft_is_hidden_from_analysts_until_submitted(cast, client_for, draft, write_all, clock):
    analyst = client_for(cast["analyst1"])
    assert analyst.get(url(draft)).status_code == 404
    sub = write_all(draft, cast["reporter1"])
    from antoan.reports import services

    services.submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
    assert analyst.get(url(draft)).status_code == 200
    # Read-only.
    accept = send(analyst, "post", url(draft, "accept"), {"version": sub.version + 1})
    assert accept.status_code == 403


def test_a_reporter_cannot_accept_or_return(cast, client_for, submitted):
    client = client_for(cast["reporter1"])
    accept = send(client, "post", url(submitted, "accept"), {"version": submitted.version})
    assert accept.status_code == 403
    back = send(
        client, "post", url(submitted, "return"), {"version": submitted.version, "reason": "Tự"}
    )
    assert back.status_code == 403
    assert Submission.objects.get(pk=submitted.pk).status == "submitted"


def test_the_coordinator_cannot_write_an_agencys_report(cast, client_for, draft):
    client = client_for(cast["coordinator1"])
    assert client.get(url(draft)).status_code == 200
    response = send(
        client, "patch", url(draft), {"version": draft.version, "narratives": {"next_year": "X"}}
    )
    assert response.status_code == 403
    submit = send(client, "post", url(draft, "submit"), {"version": draft.version})
    assert submit.status_code == 403
    early = send(client, "post", url(draft, "accept"), {"version": draft.version})
    assert early.status_code == 400  # not submitted yet
