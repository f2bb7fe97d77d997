"""``/api/v1/programme/campaigns``: the campaign calendar, ad-hoc campaigns, a campaign's
report.

Every programme role reads campaigns and their report figures (totals of every agency's
activities whose start date lies in the window, like the plan's task figures); the coordinator
adds ad-hoc campaigns. The recurring campaigns (Action Month, 25/11, June's month on domestic
violence) are created by the system, never through the API.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.fields import Code, Day, Items, StrictSerializer, Text
from antoan.api.cases.outputs import PageOut
from antoan.api.pagination import Cursor
from antoan.api.programme.common import ProgrammeAPIView, errors, forbidden, parse, refusals
from antoan.api.programme.inputs import AgencyId, query_year
from antoan.api.programme.plans import CURSOR, LIMIT, query
from antoan.api.query import YEAR_SCHEMA
from antoan.core.permissions import has_perm
from antoan.programme.choices import CampaignKind
from antoan.programme.models import Campaign
from antoan.programme.selectors import campaigns as sel
from antoan.programme.services import campaigns as services

# --- Inputs ------------------------------------------------------------------------------------


class CampaignQuery(serializers.Serializer):
    year = query_year()
    kind = Code(CampaignKind, name="CampaignKind", required=False)


class CampaignIn(StrictSerializer):
    title = Text(max_length=255)
    theme = Text(max_length=1_000, required=False, allow_blank=True)
    start_date = Day(help_text="The first day of the campaign.")
    end_date = Day(
        help_text="The last day: not before `start_date`, at most 366 days after it. A window "
        "may cross a year end; the campaign belongs to the year it starts in."
    )
    expected_agencies = Items(
        child=AgencyId(),
        required=False,
        max_length=200,
        help_text="Ids of the agencies expected to act (reminded 30 and 7 days before).",
    )


# --- Outputs -----------------------------------------------------------------------------------


class AgencyRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CampaignOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = Code(CampaignKind, name="CampaignKind")
    year = serializers.IntegerField(help_text="The year the window starts in.")
    title = serializers.CharField()
    theme = serializers.CharField(help_text="The year's theme; may be empty.")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    expected_agencies = AgencyRefOut(many=True, source="expected_list")
    version = serializers.IntegerField()


class CampaignPageOut(PageOut):
    results = CampaignOut(many=True)


class FiguresOut(serializers.Serializer):
    activities = serializers.IntegerField()
    people = serializers.IntegerField(help_text="People reached (participants).")
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    other = serializers.IntegerField(help_text="Other or unknown sex.")
    materials_produced = serializers.IntegerField()
    materials_distributed = serializers.IntegerField()
    spent = serializers.IntegerField(help_text="In đồng.")


class ReportLineOut(serializers.Serializer):
    key = serializers.CharField(help_text="The agency's id, or the place's statistics code.")
    label = serializers.CharField()
    figures = FiguresOut()
    planned_items = serializers.IntegerField()
    planned_people = serializers.IntegerField()
    planned_budget = serializers.IntegerField(help_text="In đồng.")


class PreviousOut(serializers.Serializer):
    year = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    figures = FiguresOut()


class PlannedOut(serializers.Serializer):
    items = serializers.IntegerField()
    people = serializers.IntegerField()
    budget = serializers.IntegerField(help_text="In đồng.")


class CampaignReportOut(serializers.Serializer):
    totals = FiguresOut()
    by_agency = ReportLineOut(many=True)
    by_place = ReportLineOut(many=True)
    planned = PlannedOut()
    previous = PreviousOut(
        allow_null=True,
        help_text="The same kind's campaign a year earlier; null for an ad-hoc campaign.",
    )


class CampaignDetailOut(CampaignOut):
    report = CampaignReportOut()


def _campaign_body(campaign: Campaign) -> dict[str, Any]:
    # Sorted here, not with order_by(), which would query again past the list's prefetch.
    expected = sorted(campaign.expected_agencies.all(), key=lambda a: a.name)
    campaign.expected_list = [  # type: ignore[attr-defined]
        {"id": a.pk, "name": a.name} for a in expected
    ]
    return CampaignOut(campaign).data


def detail_of(user: Any, campaign: Campaign) -> dict[str, Any]:
    report = sel.campaign_report(user, campaign)
    body = dict(_campaign_body(campaign))
    previous = None
    if report.previous is not None:
        previous = {
            "year": report.previous_year,
            "start_date": report.previous_start,
            "end_date": report.previous_end,
            "figures": report.previous,
        }
    body["report"] = CampaignReportOut(
        {
            "totals": report.totals,
            "by_agency": report.by_agency,
            "by_place": report.by_place,
            "planned": {
                "items": report.planned_items,
                "people": report.planned_people,
                "budget": report.planned_budget,
            },
            "previous": previous,
        }
    ).data
    return body


class CampaignCursor(Cursor):
    ordering = ("-start_date", "-pk")


class CampaignCollectionView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_campaigns_list",
        summary="The campaign calendar: recurring and ad-hoc campaigns, newest first",
        description=(
            "`year` is the year a campaign's window starts in (the Action Month 15/11 → 15/12 "
            "and a window from December into January belong to their first year). This "
            "year's and next year's recurring campaigns exist once `ensure_campaigns` has run "
            "or the calendar page has been opened."
        ),
        parameters=[
            OpenApiParameter("year", {**YEAR_SCHEMA}),
            OpenApiParameter("kind", str, enum=CampaignKind.values),
            CURSOR,
            LIMIT,
        ],
        responses={200: CampaignPageOut, **errors(400)},
    )
    def get(self, request):
        params = query(CampaignQuery, request)
        campaigns = sel.campaign_list(request.user).prefetch_related("expected_agencies")
        if params.get("year"):
            campaigns = campaigns.filter(year=params["year"])
        if params.get("kind"):
            campaigns = campaigns.filter(kind=params["kind"])
        paginator = CampaignCursor()
        page = paginator.paginate_queryset(campaigns, request, view=self)
        return paginator.get_paginated_response([_campaign_body(c) for c in page])

    @extend_schema(
        operation_id="programme_campaigns_create",
        summary="Add an ad-hoc campaign (the coordinator)",
        description=(
            "For the programme coordinator (others: 403). The window's end may not be before "
            "its start (400 on `end_date`); nothing is saved when anything is refused. The "
            "campaign's `kind` is `ad_hoc`: the recurring ones are created by the system."
        ),
        request=CampaignIn,
        responses={201: CampaignDetailOut, **errors(400)},
    )
    def post(self, request):
        user = request.user
        if not has_perm(user, Perm.PROGRAMME_COORDINATE):
            raise forbidden()
        data = parse(CampaignIn, request.data, user=user)
        value = services.CampaignInput(
            title=data["title"],
            theme=data.get("theme", ""),
            start_date=data["start_date"],
            end_date=data["end_date"],
            expected_agencies=data.get("expected_agencies", []),
        )
        with refusals():
            campaign = services.campaign_create(actor=user, data=value, request=request)
        return Response(detail_of(user, campaign), status=status.HTTP_201_CREATED)


class CampaignDetailView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_campaigns_retrieve",
        summary="One campaign with its report: by agency, by place, against the year before",
        description=(
            "Figures count every agency's activities whose start date lies in the window "
            "(people reached by sex, communication materials, spending), with the agencies' "
            "plan items, and for a recurring kind the same figures a year earlier."
        ),
        responses={200: CampaignDetailOut, **errors(404)},
    )
    def get(self, request, campaign_id: int):
        campaign = sel.campaign_get_for_user(request.user, campaign_id)
        return Response(detail_of(request.user, campaign))
