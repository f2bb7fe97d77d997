# ruff: noqa: F811 - pytest fixtures imported from other conftests are redefined as parameters
from __future__ import annotations

import pytest

from antoan.programme.tests.conftest import (  # noqa: F401 (fixtures)
    activity_input,
    agencies,
    media,
    record,
    reporter2,
    tasks,
    vietnamese,
)


@pytest.fixture
def cycles(plan64):
    """The reporting cycles of plan 64, as ``load_plan`` leaves them."""
    from antoan.reports.services import ensure_cycles

    ensure_cycles(plan64)
    return {c.year: c for c in plan64.report_cycles.all()}


@pytest.fixture
def cycle2025(cycles):
    return cycles[2025]


@pytest.fixture
def draft(cast, cycle2025, agencies):
    """reporter1's report of Phố Hiến for 2025, opened (pre-filled)."""
    from antoan.reports.services import submission_open

    sub, _ = submission_open(
        actor=cast["reporter1"], cycle=cycle2025, agency=agencies["ubnd-pho-hien"]
    )
    return sub


@pytest.fixture
def write_all():
    """Fill every narrative section of a submission and save it."""
    from antoan.reports import services
    from antoan.reports.template import sections_of

    def write(sub, actor, text="Đã thực hiện theo kế hoạch."):
        return services.submission_save(
            actor=actor,
            submission=sub,
            version=sub.version,
            narratives={s["key"]: text for s in sections_of(sub.cycle.template)},
        )

    return write


@pytest.fixture
def clock():
    """Django's clock (``timezone.now``, hence ``localdate``) stopped where a test puts it:
    ``clock.at(2025, 12, 5)`` is 09:00 on 5/12/2025 in Hưng Yên; until then, the real clock."""
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    real = timezone.now

    class Clock:
        current: dt.datetime | None = None

        def __call__(self) -> dt.datetime:
            return self.current or real()

        def at(self, year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
            local = dt.datetime(year, month, day, hour)  # noqa: DTZ001 (made aware below)
            self.current = timezone.make_aware(local).astimezone(dt.UTC)
            return self.current

    fake = Clock()
    with mock.patch("django.utils.timezone.now", fake):
        yield fake


@pytest.fixture
def reporter3(agencies):
    """The programme reporter of Sở Nội vụ (the heir of Sở LĐTBXH)."""
    from antoan.programme.tests.builders import make_reporter

    return make_reporter("reporter3", agencies["so-noi-vu"])


@pytest.fixture
def submitted(cast, draft, write_all, clock):
    """reporter1's Phố Hiến report for 2025, written and submitted on time (5/12/2025)."""
    from antoan.reports.services import submission_submit

    clock.at(2025, 12, 5)
    sub = write_all(draft, cast["reporter1"])
    return submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
