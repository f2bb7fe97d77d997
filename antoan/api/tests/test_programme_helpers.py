"""Shared set-up of the programme API tests: request bodies, a second reporter, ids by code.

Plan 64/KH-UBND runs 01/01/2021-31/12/2025; communes 11953 and 12452 exist from 01/07/2025,
so activities are dated in November 2025.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Role
from antoan.api.tests.test_cases_helpers import send

ACTIVITIES = "/api/v1/programme/activities"
DAY = "2025-11-10"


def agency_id(code: str) -> int:
    return Agency.objects.get(code=code).pk


def activity_body(**overrides: Any) -> dict[str, Any]:
    """API.md's example body, dated inside plan 64, for reporter1's commune committee."""
    body: dict[str, Any] = {
        "kind": "training",
        "title": "Tập huấn phòng ngừa bạo lực trên cơ sở giới cho cán bộ phường",
        "tasks": ["II.3.a"],
        "agency": agency_id("ubnd-pho-hien"),
        "place": "11953",
        "start_date": DAY,
        "end_date": "2025-11-11",
        "participants": {"total": 30, "female": 20, "male": 10},
        "spent": [{"source": "provincial_budget", "amount": 15_000_000}],
        "topic": "general",
    }
    body.update(overrides)
    return body


def post_activity(client, **overrides: Any):
    return send(client, "post", ACTIVITIES, activity_body(**overrides))


def task_row(client, plan, code: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/programme/plans/{plan.pk}/tasks")
    assert response.status_code == 200, response.json()
    return next(row for row in response.json()["results"] if row["code"] == code)


@pytest.fixture
def reporter2(cast):
    """A programme reporter of the other commune (ubnd-tran-hung-dao)."""
    user = User.objects.create_user(username="reporter2", first_name="Hạnh", last_name="Phan")
    Membership.objects.create(
        user=user,
        agency=Agency.objects.get(code="ubnd-tran-hung-dao"),
        role=Role.PROGRAMME_REPORTER,
        valid_from=dt.date(2025, 7, 1),
    )
    return user
