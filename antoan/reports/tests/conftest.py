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
def draft(cast, cycle2025, agencies):  # noqa: F811 (a fixture)
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
