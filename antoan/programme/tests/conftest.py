"""Fixtures of the programme's tests (services, selectors, pages, Excel, API helpers).

``record(actor, **overrides)`` logs an activity through ``services.activity_create`` as a
reporter would: by default a community meeting of UBND phường Phố Hiến under II.2.a on
10/11/2025 with 40 people (25 women, 15 men). Overrides are ``ActivityInput`` fields; ``tasks``
may be given as plan codes and ``agency`` as an agency code.
"""

from __future__ import annotations

from typing import Any

import pytest

from antoan.programme.tests.builders import DAY, make_reporter, trainee_lines


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

    def record_(
        actor: Any = "reporter1", *, client_uuid=None, import_key="", plan=None, **overrides
    ):
        user = cast[actor] if isinstance(actor, str) else actor
        activity, _ = services.activity_create(
            actor=user,
            plan=plan or plan64,
            data=activity_input(**overrides),
            client_uuid=client_uuid,
            import_key=import_key,
        )
        return activity

    return record_


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def activity_a(cast, record):
    return record(cast["reporter1"])


@pytest.fixture
def activity_b(reporter2, record, mini_places):
    return record(
        reporter2,
        agency="ubnd-tran-hung-dao",
        place=mini_places["commune_b"],
        title="Hội nghị truyền thông phường Trần Hưng Đạo",
    )


@pytest.fixture
def form_data(agencies, tasks, plan64):
    def build(**overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "plan": plan64.pk,
            "kind": "training",
            "agency": agencies["ubnd-pho-hien"].pk,
            "title": "Tập huấn kỹ năng phòng, chống bạo lực trên cơ sở giới",
            "tasks": [tasks["II.3.a"].pk],
            "start_date": "10/11/2025",
            "end_date": "11/11/2025",
            "commune": "11953",
            "place_code": "",
            "topic": "general",
            "trainees": trainee_lines(20, 10),
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return build


@pytest.fixture
def standards(plan64):
    """The checklists of data/standards, by code (their first stored version)."""
    from pathlib import Path

    from antoan.programme.models import Checklist
    from antoan.programme.standards_loader import load_standards

    folder = Path(__file__).resolve().parents[3] / "data" / "standards"
    load_standards(sorted(folder.glob("*.yaml")), retire_missing=True)
    return {c.code: c for c in Checklist.objects.all()}


@pytest.fixture
def trusted_address(cast, agencies, mini_places):
    """A trusted address registered by UBND phường Phố Hiến (reporter1's agency)."""
    import datetime as dt

    from antoan.programme import services

    return services.community_model_save(
        actor=cast["reporter1"],
        data=services.ModelInput(
            kind="trusted_address",
            name="Địa chỉ tin cậy tổ dân phố 3",
            place=mini_places["commune_a"],
            agency=agencies["ubnd-pho-hien"],
            founded_on=dt.date(2022, 3, 8),
            members_total=9,
            members_female=6,
        ),
    )


@pytest.fixture
def assess(cast, standards):
    """Assess through the service as coordinator1: ``assess(model, {"A1": 2}, status=...)``."""
    from django.utils import timezone

    from antoan.programme import services

    def assess_(subject, scores, *, checklist="dia-chi-tin-cay", status="final", on=None, **kw):
        target = (
            {"facility": subject} if subject._meta.model_name == "agency" else {"model": subject}
        )
        return services.assessment_save(
            actor=kw.pop("actor", cast["coordinator1"]),
            data=services.AssessmentInput(
                checklist=kw.pop("checklist_obj", None) or standards[checklist],
                assessed_on=on or timezone.localdate(),
                status=status,
                scores={c: services.ScoreInput(score=s) for c, s in scores.items()},
            ),
            **target,
            **kw,
        )

    return assess_
