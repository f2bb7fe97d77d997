"""Fixtures and builders of the tests of the programme's services and selectors.

``record(actor, **overrides)`` logs an activity through ``services.activity_create`` as a
reporter would: by default a community meeting of UBND phường Phố Hiến under II.2.a on
10/11/2025 with 40 people (25 women, 15 men). Overrides are ``ActivityInput`` fields; ``tasks``
may be given as plan codes and ``agency`` as an agency code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

DAY = dt.date(2025, 11, 10)  # inside plan 64's period, after the communes of 1/7/2025 exist


@pytest.fixture
def vietnamese():
    """Messages in the source language, whatever another test left active."""
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture
def agencies(plan64):
    """Every agency by code: the demo's and those plan 64 names."""
    from antoan.accounts.models import Agency

    return {a.code: a for a in Agency.objects.all()}


@pytest.fixture
def tasks(plan64):
    return {t.code: t for t in plan64.tasks.all()}


def make_reporter(username: str, agency: Any, role: str = "programme_reporter") -> Any:
    """A user acting for ``agency`` in ``role`` since 1/7/2025."""
    from antoan.accounts.models import Membership, User

    user = User.objects.create(username=username, first_name="Test", last_name="Nguyễn")
    Membership.objects.create(user=user, agency=agency, role=role, valid_from=dt.date(2025, 7, 1))
    return user


@pytest.fixture
def reporter2(agencies):
    """The programme reporter of UBND phường Trần Hưng Đạo (the other commune)."""
    return make_reporter("reporter2", agencies["ubnd-tran-hung-dao"])


@pytest.fixture
def activity_input(plan64, tasks, agencies, mini_places):
    from antoan.programme.services import ActivityInput

    def build(**overrides: Any) -> ActivityInput:
        values: dict[str, Any] = {
            "kind": "communication",
            "title": "Sinh hoạt cộng đồng về phòng, chống bạo lực trên cơ sở giới",
            "tasks": ["II.2.a"],
            "agency": "ubnd-pho-hien",
            "place": mini_places["commune_a"],
            "start_date": DAY,
            "end_date": DAY,
            "participants_total": 40,
            "participants_female": 25,
            "participants_male": 15,
            "details": {"channel": "meeting"},
        }
        values.update(overrides)
        values["tasks"] = [tasks[t] if isinstance(t, str) else t for t in values["tasks"]]
        if isinstance(values["agency"], str):
            values["agency"] = agencies[values["agency"]]
        return ActivityInput(**values)

    return build


@pytest.fixture
def record(cast, plan64, activity_input):
    """Log an activity through the service; returns the activity."""
    from antoan.programme import services

    def record_(actor: Any = "reporter1", *, client_uuid=None, import_key="", **overrides):
        user = cast[actor] if isinstance(actor, str) else actor
        activity, _ = services.activity_create(
            actor=user,
            plan=plan64,
            data=activity_input(**overrides),
            client_uuid=client_uuid,
            import_key=import_key,
        )
        return activity

    return record_


def audit_events(object_type: str, object_id: Any = None, action: str | None = None) -> list:
    from antoan.core.models import AuditEvent

    events = AuditEvent.objects.filter(object_type=object_type)
    if object_id is not None:
        events = events.filter(object_id=str(object_id))
    if action is not None:
        events = events.filter(action=action)
    return list(events.order_by("seq"))
