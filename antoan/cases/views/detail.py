"""The case page and its printable summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.shortcuts import render
from django.utils import timezone
from django.views import View

from antoan.accounts.reauth import SensitiveExportMixin
from antoan.cases import choices as c
from antoan.cases import rules, selectors, services
from antoan.cases.models import Case, Consent, ProtectionMeasure
from antoan.cases.services.retention import retention_due_on, retention_years
from antoan.cases.views import timeline
from antoan.cases.views.common import CasePageMixin
from antoan.core.audit import audit_record
from antoan.core.text import positive_id


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    label: str
    current: Consent | None  # the decision in force, if any
    withdrawn: Consent | None  # the latest withdrawn one, when none is in force

    @property
    def granted(self) -> bool:
        return bool(self.current and self.current.granted)


@dataclass(frozen=True)
class MeasureRow:
    measure: ProtectionMeasure
    deadline: dt.datetime | None  # a pending decision's legal deadline
    countdown: rules.Countdown | None  # to that deadline, or to the end of an order in force
    in_force: bool
    expired: bool


def consent_states(consents: list[Consent]) -> list[ConsentState]:
    states = []
    for purpose in c.ConsentPurpose:
        records = sorted(
            (r for r in consents if r.purpose == purpose), key=lambda r: (r.given_at, r.pk)
        )
        active = [r for r in records if r.withdrawn_at is None]
        withdrawn = [r for r in records if r.withdrawn_at is not None]
        states.append(
            ConsentState(
                purpose=purpose.value,
                label=str(purpose.label),
                current=active[-1] if active else None,
                withdrawn=None if active else (withdrawn[-1] if withdrawn else None),
            )
        )
    return states


def measure_rows(measures: list[ProtectionMeasure], now: dt.datetime) -> list[MeasureRow]:
    rows = []
    for measure in measures:
        deadline = left = None
        in_force = expired = False
        if measure.decision == c.MeasureDecision.PENDING:
            deadline = rules.decision_deadline(
                measure_type=measure.type, requested_at=measure.requested_at
            )
            if deadline is not None:
                left = rules.countdown(deadline=deadline, now=now)
        elif measure.decision == c.MeasureDecision.GRANTED and measure.ends_at:
            expired = now > measure.ends_at
            in_force = not expired and (measure.starts_at is None or measure.starts_at <= now)
            if not expired:
                left = rules.countdown(deadline=measure.ends_at, now=now)
        rows.append(MeasureRow(measure, deadline, left, in_force, expired))
    return rows


# The case page shows the newest events of the timeline, and a link to the older ones page by
# page: a case followed for years can hold thousands (docs/performance.md, "Case page
# timeline"). The printout keeps the whole timeline.
TIMELINE_PAGE = 50


def case_page_context(
    case: Case, *, events_limit: int | None = None, events_before: int | None = None
) -> dict[str, Any]:
    """Everything the case page and the printout show, in a constant number of queries."""
    detail = selectors.case_detail(case, events_limit=events_limit, events_before=events_before)
    names: dict[int, str] = {}
    for transfer in detail["transfers"]:
        names[transfer.to_agency_id] = transfer.to_agency.name
        names[transfer.from_agency_id] = transfer.from_agency.name
    closures = detail["closure_requests"]
    # The request that closed the case, or waits to: the printout keeps its reasons.
    closure = next(
        (r for r in reversed(closures) if r.decision != c.ClosureDecision.RETURNED), None
    )
    questions = {code: str(text) for code, (_weight, text) in rules.RISK_QUESTIONS.items()}
    for assessment in detail["assessments"]:
        answers = assessment.answers if isinstance(assessment.answers, dict) else {}
        assessment.yes_labels = [questions[k] for k in questions if answers.get(k) is True]
        assessment.need_labels = timeline.labels(c.Need, assessment.needs)
    for incident in detail["incidents"]:
        incident.dv_labels = timeline.labels(c.DvForm, incident.dv_forms)
        incident.context_labels = timeline.labels(c.Context, incident.contexts)
    survivor = case.survivor
    born = dt.date.fromisoformat(survivor.date_of_birth) if survivor.date_of_birth else None
    now = services.now()
    age = rules.age_on(
        on=timezone.localdate(now),
        date_of_birth=born,
        birth_year=survivor.birth_year,
        age_at_intake=survivor.age_at_intake,
        intake_on=timezone.localdate(case.opened_at),
    )
    return {
        "case": case,
        "survivor": survivor,
        "date_of_birth": born,
        "age": age,
        "is_child": rules.is_child(age),
        "d": detail,
        "timeline": timeline.entries(detail["events"], names),
        "older_events": detail["older_events"],
        "events_before": events_before,
        "consents": consent_states(detail["consents"]),
        "measures": measure_rows(detail["measures"], now),
        "current_plan": detail["case_plans"][-1] if detail["case_plans"] else None,
        "pending_closure": next(
            (r for r in closures if r.decision == c.ClosureDecision.PENDING), None
        ),
        "closure": closure,
        "closure_missing": [
            str(rules.CLOSURE_GAPS.get(code, code)) for code in (closure.missing if closure else [])
        ],
        "pending_transfer": next(
            (t for t in detail["transfers"] if t.status == c.TransferStatus.PENDING), None
        ),
        "is_closed": case.status == c.Status.CLOSED,
        "retention_years": retention_years(),
        "retention_due_on": retention_due_on(case),
        "needs_labels": timeline.labels(c.Need, list(case.needs)),
    }


class CaseDetailView(CasePageMixin, View):
    def get(self, request, *args, **kwargs):
        case = self.load_case()
        context = case_page_context(
            case,
            events_limit=TIMELINE_PAGE,
            events_before=positive_id(request.GET.get("before")),
        )
        # An anonymised case takes nothing more (the services refuse it too).
        live = case.anonymised_at is None
        context.update(
            may_edit=live and self.may_edit(case),
            may_approve=live and self.may_approve(case),
            may_assign=live and self.may_assign(case),
            may_hold=live and self.may_hold(case),
        )
        return render(request, "cases/detail.html", context)


class CasePrintView(CasePageMixin, SensitiveExportMixin, View):
    """A summary to print: read like the case page, recorded as an export, and so behind the
    step-up and the export volume check (docs/security.md)."""

    reauth_download = False  # a page: the confirmation returns straight to it

    def get(self, request, *args, **kwargs):
        case = self.load_case()
        audit_record(
            action="export",
            request=request,
            object_type="case",
            object_id=case.pk,
            place_code=case.survivor.commune.code if case.survivor.commune else "",
            extra={"format": "print"},
        )
        return render(request, "cases/print.html", case_page_context(case))
