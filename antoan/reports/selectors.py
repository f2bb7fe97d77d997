"""Reading the reporting cycle, scoped to the reader.

- The lead department's reviewers (``reports.review``) see every submission of every cycle.
- Leaders and analysts (``indicators.view`` with ``programme.view``) read every submission
  once it is submitted; not drafts.
- A reporter sees the submissions of the agencies they report for (drafts included); a
  commune's leader, their commune's.
- Anyone else gets a 404: a submission's existence is not told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.permissions import agency_ids_with, has_perm
from antoan.programme.choices import PlanStatus
from antoan.programme.selectors import may_view_programme
from antoan.reports.choices import IN_HAND, ReminderKind, SubmissionStatus
from antoan.reports.models import Cycle, Reminder, Submission


def may_review(user: Any) -> bool:
    return has_perm(user, Perm.REPORTS_REVIEW)


def reads_all(user: Any) -> bool:
    """Leaders and analysts: every submitted report, read-only."""
    return has_perm(user, Perm.INDICATORS_VIEW) and may_view_programme(user)


def may_read_documents(user: Any) -> bool:
    """The consolidated report and the final review: the lead department, leaders, analysts."""
    return may_review(user) or reads_all(user)


def own_agency_ids(user: Any) -> set[int]:
    return agency_ids_with(user, Perm.REPORTS_SUBMIT) | agency_ids_with(
        user, Perm.LOCAL_PLAN_APPROVE
    )


def submitting_agency_ids(user: Any) -> set[int]:
    return agency_ids_with(user, Perm.REPORTS_SUBMIT)


def cycle_list(user: Any) -> QuerySet[Cycle]:
    """Cycles of the province's published plans, for anyone working on the programme."""
    if not may_view_programme(user):
        return Cycle.objects.none()
    return Cycle.objects.filter(
        plan__parent__isnull=True, plan__status=PlanStatus.PUBLISHED
    ).select_related("plan", "plan__report_to")


def cycle_get(user: Any, cycle_id: Any) -> Cycle:
    try:
        return cycle_list(user).get(pk=int(cycle_id))
    except (Cycle.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def current_cycle(user: Any, today: dt.date | None = None) -> Cycle | None:
    """The cycle whose due date is next (or the last one past)."""
    today = today or timezone.localdate()
    cycles = cycle_list(user)
    return (
        cycles.filter(due_date__gte=today - dt.timedelta(days=31)).order_by("due_date").first()
        or cycles.order_by("-due_date").first()
    )


def submission_list(user: Any) -> QuerySet[Submission]:
    qs = Submission.objects.filter(
        cycle__plan__parent__isnull=True, cycle__plan__status=PlanStatus.PUBLISHED
    ).select_related("cycle", "cycle__plan", "agency", "submitted_by")
    if not may_view_programme(user):
        return qs.none()
    if may_review(user):
        return qs
    own = Q(agency_id__in=own_agency_ids(user))
    if reads_all(user):
        return qs.filter(own | ~Q(status=SubmissionStatus.DRAFT))
    return qs.filter(own)


def submission_get(user: Any, submission_id: Any) -> Submission:
    try:
        return submission_list(user).get(pk=int(submission_id))
    except (Submission.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def versions(submission: Submission) -> list[Submission]:
    """Every version of the agency's report for the cycle, newest first."""
    return list(
        Submission.objects.filter(cycle_id=submission.cycle_id, agency_id=submission.agency_id)
        .select_related("submitted_by", "accepted_by", "returned_by", "created_by")
        .order_by("-number")
    )


# --- The coordinator's board -------------------------------------------------------------------

ON_TIME, LATE, RETURNED, IN_PROGRESS, MISSING = "on_time", "late", "returned", "draft", "missing"


@dataclass
class BoardRow:
    agency: Agency
    submission: Submission | None
    state: str  # one of the constants above
    reminders: list[str] = field(default_factory=list)


@dataclass
class Board:
    cycle: Cycle
    rows: list[BoardRow]
    counts: dict[str, int]
    overdue: bool


def board(user: Any, cycle: Cycle, today: dt.date | None = None) -> Board:
    """Every agency that must report, with the state of its report: submitted on time, late,
    returned, being written, or missing. Totals and states only: no report's content."""
    if not may_view_programme(user):
        raise Http404
    today = today or timezone.localdate()
    agencies = list(cycle.agencies.all())
    live = {
        s.agency_id: s
        for s in Submission.objects.filter(cycle=cycle)
        .exclude(status=SubmissionStatus.SUPERSEDED)
        .select_related("submitted_by", "agency")
    }
    agencies += [live[i].agency for i in set(live) - {a.pk for a in agencies}]
    # Departments and provincial bodies first, then the communes, each by name.
    agencies.sort(key=lambda a: (a.kind == Agency.Kind.COMMUNE_COMMITTEE, a.name))
    sent: dict[int, list[str]] = {}
    for agency_id, kind in (
        Reminder.objects.filter(cycle=cycle).values_list("agency_id", "kind").distinct()
    ):
        sent.setdefault(agency_id, []).append(str(ReminderKind(kind).label))
    rows = []
    for agency in agencies:
        sub = live.get(agency.pk)
        if sub is None:
            state = MISSING
        elif sub.status == SubmissionStatus.RETURNED:
            state = RETURNED
        elif sub.status in IN_HAND:
            state = LATE if sub.late else ON_TIME
        else:
            state = IN_PROGRESS
        rows.append(BoardRow(agency, sub, state, sorted(sent.get(agency.pk, []))))
    counts = dict.fromkeys((ON_TIME, LATE, RETURNED, IN_PROGRESS, MISSING), 0)
    for row in rows:
        counts[row.state] += 1
    counts["expected"] = len(rows)
    counts["accepted"] = sum(
        1 for r in rows if r.submission and r.submission.status == SubmissionStatus.ACCEPTED
    )
    return Board(cycle, rows, counts, overdue=today > cycle.due_date)


def my_reminders(user: Any, limit: int = 10) -> list[Reminder]:
    """Reminders sent to the user for reports still to submit."""
    rows = list(
        Reminder.objects.filter(user=user)
        .select_related("cycle", "cycle__plan", "agency")
        .order_by("-sent_at")[: limit * 3]
    )
    done = set(
        Submission.objects.filter(
            status__in=IN_HAND,
            cycle_id__in={r.cycle_id for r in rows},
            agency_id__in={r.agency_id for r in rows},
        ).values_list("cycle_id", "agency_id")
    )
    seen: set[tuple[int, int]] = set()
    out = []
    for r in rows:
        key = (r.cycle_id, r.agency_id)
        if key in done or key in seen:
            continue
        seen.add(key)
        out.append(r)
    return out[:limit]


def reports_owed(user: Any, today: dt.date | None = None) -> list[tuple[Cycle, Agency]]:
    """The yearly reports the user's agencies still owe, as the reports page lists them: cycles
    that have begun, in which an agency the user reports for must report, with no submission
    yet in the lead department's hands (none, a draft, or one returned)."""
    own = submitting_agency_ids(user)
    if not own:
        return []
    today = today or timezone.localdate()
    cycles = {c.pk: c for c in cycle_list(user).filter(period_start__lte=today)}
    if not cycles:
        return []
    in_hand = set(
        submission_list(user)
        .filter(cycle_id__in=cycles, agency_id__in=own, status__in=IN_HAND)
        .values_list("cycle_id", "agency_id")
    )
    links = (
        Cycle.agencies.through.objects.filter(cycle_id__in=cycles, agency_id__in=own)
        .select_related("agency")
        .order_by("cycle_id", "agency__name")
    )
    return [
        (cycles[link.cycle_id], link.agency)
        for link in links
        if (link.cycle_id, link.agency_id) not in in_hand
    ]
