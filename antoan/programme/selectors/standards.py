"""Reads of checklists, assessments and model reviews, scoped to the acting user.

Every programme role reads them (coordinator, reporters, analysts, managers, commune leaders),
as it reads the models registry: they hold no personal data (a review counts survivors, never
names them). That count is of survivors in one commune over one period, so it is shown as the
indicators show such counts: from 1 to ``ANTOAN_SUPPRESS_BELOW - 1`` it is hidden
(``survivors_hidden``). Only the coordinator writes them (``services.standards``). A missing id
and one the user may not see both answer 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.indicators.selectors.values import threshold
from antoan.indicators.suppression import is_primary
from antoan.programme.choices import AssessmentStatus
from antoan.programme.models import (
    FACILITY_KINDS,
    Activity,
    Assessment,
    Checklist,
    CommunityModel,
    ModelReview,
)
from antoan.programme.selectors import may_view_programme


def _get(qs: QuerySet[Any], pk: Any) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


# --- Checklists -------------------------------------------------------------------------------


def checklist_list(user: Any, *, include_superseded: bool = False) -> list[Checklist]:
    """The checklist in force today for each code (a version whose ``valid_from`` is still
    ahead waits its turn), or with ``include_superseded`` every stored version."""
    if not may_view_programme(user):
        return []
    qs = Checklist.objects.prefetch_related("criteria").order_by("code", "-version")
    if include_superseded:
        return list(qs)
    current: dict[str, Checklist] = {}
    for checklist in qs.filter(active=True, valid_from__lte=timezone.localdate()):
        current.setdefault(checklist.code, checklist)
    return sorted(current.values(), key=lambda c: c.title)


def checklists_for(
    user: Any, *, model: CommunityModel | None = None, facility: Agency | None = None
) -> list[Checklist]:
    """The checklists in force that apply to a model's kind or a facility's kind."""
    if model is not None:
        return [c for c in checklist_list(user) if c.applies_to_model(model)]
    if facility is not None:
        return [c for c in checklist_list(user) if c.applies_to_agency(facility)]
    return []


def checklist_get_for_user(user: Any, pk: Any) -> Checklist:
    if not may_view_programme(user):
        raise Http404
    return _get(Checklist.objects.prefetch_related("criteria"), pk)


# --- Assessments ------------------------------------------------------------------------------


def assessment_list(user: Any) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related(
        "checklist", "community_model", "facility", "assessor", "updated_by"
    )
    return qs if may_view_programme(user) else qs.none()


def assessment_get_for_user(user: Any, pk: Any) -> Assessment:
    return _get(assessment_list(user).prefetch_related("scores__criterion"), pk)


def latest_final(subject_field: str) -> Subquery:
    """The id of the subject's latest final assessment, for ``annotate``."""
    return Subquery(
        Assessment.objects.filter(**{subject_field: OuterRef("pk")}, status=AssessmentStatus.FINAL)
        .order_by("-assessed_on", "-pk")
        .values("pk")[:1]
    )


def assessments_by_id(ids: list[int | None]) -> dict[int, Assessment]:
    wanted = [pk for pk in ids if pk]
    qs = Assessment.objects.select_related("checklist").filter(pk__in=wanted)
    return {a.pk: a for a in qs}


# --- Model reviews ----------------------------------------------------------------------------


def review_list(user: Any) -> QuerySet[ModelReview]:
    qs = ModelReview.objects.select_related("community_model", "decided_by")
    return qs if may_view_programme(user) else qs.none()


def survivors_hidden(review: ModelReview) -> bool:
    """Whether the review's count of survivors supported is too small to show (1 to the
    suppression threshold - 1, as the indicators hide a commune's small counts)."""
    return is_primary(review.survivors_supported, threshold())


def with_survivors_hidden(reviews: Any) -> list[ModelReview]:
    """The reviews as a list, each with ``survivors_hidden`` set for the templates."""
    rows = list(reviews)
    for review in rows:
        review.survivors_hidden = survivors_hidden(review)
    return rows


def latest_review() -> Subquery:
    return Subquery(
        ModelReview.objects.filter(community_model=OuterRef("pk"))
        .order_by("-decided_on", "-pk")
        .values("pk")[:1]
    )


def reviews_by_id(ids: list[int | None]) -> dict[int, ModelReview]:
    return {r.pk: r for r in ModelReview.objects.filter(pk__in=[pk for pk in ids if pk])}


def with_latest_results(models: QuerySet[CommunityModel]) -> QuerySet[CommunityModel]:
    """The registry with each model's latest final assessment and latest review (ids)."""
    return models.annotate(
        latest_assessment_id=latest_final("community_model"), latest_review_id=latest_review()
    )


def attach_latest(rows: list[Any]) -> None:
    """Set ``latest_assessment`` and ``latest_review`` on rows of ``with_latest_results`` or
    ``facility_list`` (facilities have no reviews): two queries, whatever the number of rows."""
    assessments = assessments_by_id([r.latest_assessment_id for r in rows])
    reviews = reviews_by_id([getattr(r, "latest_review_id", None) for r in rows])
    for r in rows:
        r.latest_assessment = assessments.get(r.latest_assessment_id or 0)
        r.latest_review = reviews.get(getattr(r, "latest_review_id", None) or 0)


@dataclass
class ReviewFigures:
    """What a review computes from the model's activities in its period."""

    activities_count: int
    activity_participants: int
    activity_participants_female: int


def review_figures(model: CommunityModel, start: dt.date, end: dt.date) -> ReviewFigures:
    """The model's activities that started in the period, every agency's (they are totals)."""
    row = Activity.objects.filter(
        community_model=model, start_date__gte=start, start_date__lte=end
    ).aggregate(n=Count("pk"), people=Sum("participants_total"), female=Sum("participants_female"))
    return ReviewFigures(row["n"] or 0, row["people"] or 0, row["female"] or 0)


def review_default_period(model: CommunityModel) -> tuple[dt.date, dt.date]:
    """From the day after the last review (else the founding date, else 1 January) to today."""
    today = timezone.localdate()
    last = model.reviews.order_by("-period_end").first()
    if last is not None and last.period_end < today:
        start = last.period_end + dt.timedelta(days=1)
    elif model.founded_on and model.founded_on <= today:
        start = model.founded_on
    else:
        start = dt.date(today.year, 1, 1)
    return start, today


# --- Service facilities -----------------------------------------------------------------------


def facility_list(user: Any) -> QuerySet[Agency]:
    """Shelters, trusted addresses, social assistance and health facilities in operation
    today, with the id of each one's latest final assessment."""
    if not may_view_programme(user):
        return Agency.objects.none()
    return (
        Agency.objects.valid_on(timezone.localdate())
        .filter(kind__in=FACILITY_KINDS)
        .select_related("place")
        .annotate(latest_assessment_id=latest_final("facility"))
        .order_by("kind", "name")
    )


def facility_get_for_user(user: Any, pk: Any) -> Agency:
    """A facility (also one dissolved since: its assessments remain), or 404."""
    if not may_view_programme(user):
        raise Http404
    return _get(Agency.objects.filter(kind__in=FACILITY_KINDS).select_related("place"), pk)
