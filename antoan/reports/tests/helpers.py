"""The yearly report as other apps' tests need it: written and submitted through the reporting
cycle (``antoan.reports.services``), which drives the programme's year lock."""

from __future__ import annotations

from typing import Any

from antoan.reports import services
from antoan.reports.models import Cycle, Submission
from antoan.reports.template import sections_of


def cycle_of(plan: Any, year: int) -> Cycle:
    services.ensure_cycles(plan)
    return Cycle.objects.get(plan=plan, year=year)


def submit_year(
    actor: Any, plan: Any, agency: Any, year: int, text: str = "Đã thực hiện theo kế hoạch."
) -> Submission:
    """``actor`` opens the agency's report for ``plan``'s ``year``, writes every section and
    submits it: the agency's activities of the period are frozen from then on."""
    cycle = cycle_of(plan, year)
    sub, _ = services.submission_open(actor=actor, cycle=cycle, agency=agency)
    if sub.status in ("draft", "returned"):
        missing = {s["key"]: text for s in sections_of(cycle.template)}
        sub = services.submission_save(
            actor=actor,
            submission=sub,
            version=sub.version,
            narratives={k: v for k, v in missing.items() if not sub.narratives.get(k)},
        )
    return services.submission_submit(actor=actor, submission=sub, version=sub.version)


def return_year(actor: Any, submission: Submission, reason: str) -> Submission:
    submission = Submission.objects.get(pk=submission.pk)
    return services.submission_return(
        actor=actor, submission=submission, version=submission.version, reason=reason
    )
