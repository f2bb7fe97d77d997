"""Fixtures of the programme pages' tests (test_views*.py).

``record(actor, **overrides)`` logs an activity through the service as a reporter would: a
community meeting of UBND phường Phố Hiến under II.2.a on 10/11/2025, 40 people (25 women).
``activity_a`` is such an activity of reporter1's ward; ``activity_b`` one of the other ward,
recorded by ``reporter2``. ``form_data(**overrides)`` is what the new-activity form posts for a
training course in Phố Hiến under II.3.a.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

DAY = dt.date(2025, 11, 10)


@pytest.fixture
def vietnamese():
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def agencies(plan64):
    from antoan.accounts.models import Agency

    return {a.code: a for a in Agency.objects.all()}


@pytest.fixture
def tasks(plan64):
    return {t.code: t for t in plan64.tasks.all()}


@pytest.fixture
def reporter2(agencies):
    """The programme reporter of UBND phường Trần Hưng Đạo."""
    from antoan.accounts.models import Membership, User

    user = User.objects.create(username="reporter2", first_name="Đức", last_name="Phan Văn")
    Membership.objects.create(
        user=user,
        agency=agencies["ubnd-tran-hung-dao"],
        role="programme_reporter",
        valid_from=dt.date(2025, 7, 1),
    )
    return user


@pytest.fixture
def record(plan64, tasks, agencies, mini_places):
    from antoan.programme import services

    def make(actor: Any, **overrides: Any):
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
        activity, _created = services.activity_create(
            actor=actor, plan=plan64, data=services.ActivityInput(**values)
        )
        return activity

    return make


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


def trainee_lines(female: int, male: int) -> str:
    rows = [f"Nguyễn Thị Học Viên {i}\tNữ\tCán bộ\tUBND phường" for i in range(female)]
    rows += [f"Trần Văn Học Viên {i}\tNam\tCông an\tCông an phường" for i in range(male)]
    return "\n".join(rows)


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
