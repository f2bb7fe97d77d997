"""Reads of campaigns: the calendar, a campaign's plan items and activities, its report.

Every programme role sees the calendar, the plan items (what agencies intend to do: no
personal data) and the report's figures, which count every agency's activities, like the plan
page's. The activities listed on a campaign page are only those the user may see
(``activity_list``). An activity belongs to every campaign whose window holds its start date;
the link is computed here and never stored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.programme.choices import CAMPAIGN_WINDOWS, CampaignKind, PlanStatus
from antoan.programme.models import (
    Activity,
    Assignment,
    Campaign,
    CampaignPlanItem,
    CampaignReminder,
    Plan,
    Spending,
)
from antoan.programme.selectors import (
    activity_list,
    may_view_programme,
    reporting_agency_ids,
    responsible_for,
    task_subtree_ids,
    transfers_by_agency,
)

# The plan task whose agencies are expected to act in the recurring campaigns (IV.10-1 names
# the three campaigns; IV.10 and its bullets are the women's union's and its partners' duties).
CAMPAIGN_TASK = "IV.10"


def default_window(kind: str, year: int) -> tuple[dt.date, dt.date]:
    """The window of a recurring kind in ``year``; it never crosses a year end."""
    (m1, d1), (m2, d2) = CAMPAIGN_WINDOWS[kind]
    return dt.date(year, m1, d1), dt.date(year, m2, d2)


def campaign_list(user: Any) -> QuerySet[Campaign]:
    """Every campaign, for anyone working on the programme; nothing for anyone else."""
    if not may_view_programme(user):
        return Campaign.objects.none()
    return Campaign.objects.all()


def campaign_get_for_user(user: Any, campaign_id: Any) -> Campaign:
    """One campaign, or 404."""
    try:
        return campaign_list(user).get(pk=int(campaign_id))
    except (Campaign.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def recurring_missing(years: Iterable[int]) -> list[tuple[str, int]]:
    """The (kind, year) pairs of recurring campaigns not created yet."""
    years = list(years)
    have = set(
        Campaign.objects.filter(kind__in=CAMPAIGN_WINDOWS, year__in=years).values_list(
            "kind", "year"
        )
    )
    return [(kind, y) for y in years for kind in CAMPAIGN_WINDOWS if (kind, y) not in have]


# --- Who is expected to act --------------------------------------------------------------------


def plan_in_force(on: dt.date) -> Plan | None:
    """The published provincial plan in force on ``on`` (not a draft, not a commune's plan)."""
    return (
        Plan.objects.filter(
            parent__isnull=True,
            status=PlanStatus.PUBLISHED,
            period_start__lte=on,
            period_end__gte=on,
        )
        .order_by("-pk")
        .first()
    )


def expected_agency_defaults(start: dt.date) -> list[Agency]:
    """The agencies the plan in force on ``start`` assigns to task IV.10 or its bullets (for a
    merged agency, those that took over its duties, as on the plan page); none when no plan
    is in force or it has no such task. Groups ("every commune committee") name no agency and
    are left out: the coordinator adds communes by hand."""
    plan = plan_in_force(start)
    task = plan.tasks.filter(code=CAMPAIGN_TASK).first() if plan else None
    if task is None:
        return []
    assignments = Assignment.objects.filter(
        task_id__in=task_subtree_ids(task), agency__isnull=False
    ).select_related("agency")
    found: dict[int, Agency] = {}
    for r in responsible_for(assignments, transfers_by_agency(), on=start):
        if r.current:
            for agency, _duties in r.current:
                found[agency.pk] = agency
        elif r.assignment.agency is not None and r.assignment.agency.is_valid_on(start):
            found[r.assignment.agency.pk] = r.assignment.agency
    return sorted(found.values(), key=lambda a: a.name)


# --- Activities in a window --------------------------------------------------------------------


def window_filter(start: dt.date, end: dt.date) -> Q:
    return Q(start_date__gte=start, start_date__lte=end)


def window_activities(start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """Every agency's activities starting in the window (for totals)."""
    return Activity.objects.filter(window_filter(start, end))


def campaign_activities(user: Any, campaign: Campaign) -> QuerySet[Activity]:
    """The campaign's activities the user may see, in date order."""
    return (
        activity_list(user)
        .filter(window_filter(campaign.start_date, campaign.end_date))
        .order_by("start_date", "pk")
    )


def campaigns_of_activity(activity: Activity) -> list[Campaign]:
    """The campaigns whose window holds the activity's start date."""
    return list(
        Campaign.objects.filter(
            start_date__lte=activity.start_date, end_date__gte=activity.start_date
        ).order_by("start_date", "pk")
    )


# --- The calendar ------------------------------------------------------------------------------


@dataclass
class CalendarRow:
    campaign: Campaign
    expected: list[Agency]
    planned: int  # agencies with a plan item
    reported: int  # agencies with an activity in the window


def _agencies_reporting_in_window() -> Subquery:
    """How many agencies have an activity starting in the outer campaign's window."""
    distinct_agencies = Func(
        F("agency_id"),
        function="COUNT",
        template="%(function)s(DISTINCT %(expressions)s)",
        output_field=IntegerField(),
    )
    return Subquery(
        Activity.objects.filter(
            start_date__gte=OuterRef("start_date"), start_date__lte=OuterRef("end_date")
        )
        .order_by()
        .annotate(n=distinct_agencies)
        .values("n")[:1],
        output_field=IntegerField(),
    )


def calendar(user: Any, *, year: int | None = None) -> list[CalendarRow]:
    """Campaigns (of ``year``, or all) with their expected agencies and how many agencies
    planned and reported, in a fixed number of queries however many campaigns there are."""
    campaigns = (
        campaign_list(user)
        .prefetch_related("expected_agencies")
        .annotate(
            n_planned=Count("plan_items__agency", distinct=True),
            n_reported=_agencies_reporting_in_window(),
        )
    )
    if year:
        campaigns = campaigns.filter(year=year)
    return [
        CalendarRow(
            c,
            sorted(c.expected_agencies.all(), key=lambda a: a.name),
            c.n_planned,
            c.n_reported or 0,
        )
        for c in campaigns.order_by("start_date", "pk")
    ]


def campaign_years(user: Any) -> list[int]:
    return sorted(set(campaign_list(user).values_list("year", flat=True).distinct()), reverse=True)


# --- Plan items ----------------------------------------------------------------------------


def plan_items(campaign: Campaign) -> QuerySet[CampaignPlanItem]:
    return campaign.plan_items.select_related("agency", "place").order_by(
        "agency__name", "start_date", "pk"
    )


def may_plan(user: Any, campaign: Campaign, today: dt.date | None = None) -> bool:
    """Reporters plan for their agencies until the campaign ends."""
    day = today or timezone.localdate()
    return bool(reporting_agency_ids(user)) and campaign.end_date >= day


def plan_item_get_for_editor(user: Any, campaign: Campaign, item_id: Any) -> CampaignPlanItem:
    """A plan item of the campaign that the user reports for, or 404 (another agency's item
    answers as a missing one)."""
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        raise Http404 from None
    item = (
        campaign.plan_items.select_related("agency", "place")
        .filter(pk=pk, agency_id__in=reporting_agency_ids(user))
        .first()
    )
    if item is None:
        raise Http404
    return item


# --- Reminders -----------------------------------------------------------------------------


def reminders_for_user(user: Any, today: dt.date | None = None) -> list[CampaignReminder]:
    """The user's reminders of campaigns not yet over, the latest per campaign."""
    if not getattr(user, "is_authenticated", False):
        return []
    day = today or timezone.localdate()
    latest: dict[int, CampaignReminder] = {}
    for r in (
        CampaignReminder.objects.filter(user=user, campaign__end_date__gte=day)
        .select_related("campaign")
        .order_by("campaign__start_date", "-days_before")
    ):
        latest[r.campaign_id] = r  # the smallest threshold comes last
    return list(latest.values())


# --- The report ----------------------------------------------------------------------------


@dataclass
class Figures:
    activities: int = 0
    people: int = 0
    female: int = 0
    male: int = 0
    other: int = 0
    materials_produced: int = 0
    materials_distributed: int = 0
    spent: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.activities += row.get("n") or 0
        self.people += row.get("people") or 0
        self.female += row.get("female") or 0
        self.male += row.get("male") or 0
        self.other += row.get("other") or 0
        self.materials_produced += row.get("produced") or 0
        self.materials_distributed += row.get("distributed") or 0


@dataclass
class ReportLine:
    key: str  # agency id, or place code
    label: str
    figures: Figures
    planned_items: int = 0
    planned_people: int = 0
    planned_budget: int = 0


@dataclass
class CampaignReport:
    campaign: Campaign
    totals: Figures
    by_agency: list[ReportLine]
    by_place: list[ReportLine]
    planned_items: int = 0
    planned_people: int = 0
    planned_budget: int = 0
    # The same kind's campaign of the year before (recurring kinds only).
    previous_year: int | None = None
    previous_start: dt.date | None = None
    previous_end: dt.date | None = None
    previous: Figures | None = None
    expected: list[Agency] = field(default_factory=list)


_SUMS = {
    "n": Count("pk"),
    "people": Sum("participants_total"),
    "female": Sum("participants_female"),
    "male": Sum("participants_male"),
    "other": Sum("participants_other"),
    "produced": Sum("materials_produced"),
    "distributed": Sum("materials_distributed"),
}


def window_figures(start: dt.date, end: dt.date) -> Figures:
    qs = window_activities(start, end)
    f = Figures()
    f.add(qs.aggregate(**_SUMS))
    f.spent = Spending.objects.filter(activity__in=qs).aggregate(t=Sum("amount"))["t"] or 0
    return f


def previous_window(campaign: Campaign) -> tuple[dt.date, dt.date] | None:
    """The window of the same kind a year earlier: that year's campaign if it exists, else the
    kind's usual window (the comparison does not wait for someone to create last year's)."""
    if campaign.kind not in CAMPAIGN_WINDOWS:
        return None
    before = Campaign.objects.filter(kind=campaign.kind, year=campaign.year - 1).first()
    if before is not None:
        return before.start_date, before.end_date
    return default_window(campaign.kind, campaign.year - 1)


def _place_label(code: str, name: str, level: str) -> str:
    return name if level != "province" else f"{name} ({code})"


def campaign_report(user: Any, campaign: Campaign) -> CampaignReport:
    """Activities, people reached by sex, materials and spending of the campaign's window, in
    all and by agency and by place, against the plan items and the year before. Totals count
    every agency's activities (figures, not lists), like the plan page."""
    if not may_view_programme(user):
        raise Http404
    qs = window_activities(campaign.start_date, campaign.end_date)
    totals = window_figures(campaign.start_date, campaign.end_date)

    agencies: dict[str, ReportLine] = {}
    for row in qs.values("agency_id", "agency__name").annotate(**_SUMS):
        line = agencies.setdefault(
            str(row["agency_id"]), ReportLine(str(row["agency_id"]), row["agency__name"], Figures())
        )
        line.figures.add(row)
    for row in (
        Spending.objects.filter(activity__in=qs)
        .values("activity__agency_id")
        .annotate(t=Sum("amount"))
    ):
        agencies[str(row["activity__agency_id"])].figures.spent = row["t"] or 0
    items = list(plan_items(campaign))
    for item in items:
        line = agencies.setdefault(
            str(item.agency_id), ReportLine(str(item.agency_id), item.agency.name, Figures())
        )
        line.planned_items += 1
        line.planned_people += item.expected_people
        line.planned_budget += item.budget

    places: dict[str, ReportLine] = {}
    for row in qs.values("place__code", "place__name", "place__level").annotate(**_SUMS):
        code = row["place__code"]
        line = places.setdefault(
            code,
            ReportLine(
                code, _place_label(code, row["place__name"], row["place__level"]), Figures()
            ),
        )
        line.figures.add(row)
    spent_by_place: dict[str, int] = defaultdict(int)
    for row in (
        Spending.objects.filter(activity__in=qs)
        .values("activity__place__code")
        .annotate(t=Sum("amount"))
    ):
        spent_by_place[row["activity__place__code"]] += row["t"] or 0
    for code, spent in spent_by_place.items():
        places[code].figures.spent = spent

    report = CampaignReport(
        campaign=campaign,
        totals=totals,
        by_agency=sorted(agencies.values(), key=lambda line: line.label),
        by_place=sorted(places.values(), key=lambda line: line.label),
        planned_items=len(items),
        planned_people=sum(i.expected_people for i in items),
        planned_budget=sum(i.budget for i in items),
        expected=sorted(campaign.expected_agencies.all(), key=lambda a: a.name),
    )
    window = previous_window(campaign)
    if window is not None:
        report.previous_year = campaign.year - 1
        report.previous_start, report.previous_end = window
        report.previous = window_figures(*window)
    return report


def kind_label(kind: str) -> str:
    return str(CampaignKind(kind).label) if kind in CampaignKind.values else kind


__all__ = [
    "CAMPAIGN_TASK",
    "CalendarRow",
    "CampaignReport",
    "Figures",
    "ReportLine",
    "calendar",
    "campaign_activities",
    "campaign_get_for_user",
    "campaign_list",
    "campaign_report",
    "campaign_years",
    "campaigns_of_activity",
    "default_window",
    "expected_agency_defaults",
    "kind_label",
    "may_plan",
    "plan_in_force",
    "plan_item_get_for_editor",
    "plan_items",
    "previous_window",
    "recurring_missing",
    "reminders_for_user",
    "window_activities",
    "window_figures",
]
