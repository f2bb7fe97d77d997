"""``/api/v1/programme/activities``: record, list, read and change activities.

Reporters record and change their agencies' activities (until the year's report is
submitted); the coordinator reads all of them. Analysts and managers see totals only (the task
figures and budget endpoints): the activity list answers them 403 and every activity id 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import service_error
from antoan.api.errors import ApiError
from antoan.api.pagination import Cursor
from antoan.api.programme.build import activity_input, nfc, plan_for, stored_input
from antoan.api.programme.common import (
    ProgrammeAPIView,
    conflict_response,
    errors,
    forbidden,
    parse,
    refusals,
    require_activity_role,
    route,
)
from antoan.api.programme.inputs import ActivityIn, ActivityQuery, ActivityUpdateIn
from antoan.api.programme.outputs import ActivityDetailOut, ActivityOut, ActivityPageOut
from antoan.api.programme.plans import CURSOR, LIMIT, query
from antoan.api.query import ID_SCHEMA, YEAR_SCHEMA
from antoan.core.permissions import has_perm
from antoan.programme import selectors, services
from antoan.programme.choices import ActivityKind
from antoan.programme.models import Activity

LIST_RELATED = ("tasks", "partners", "spending")
DETAIL_RELATED = (
    *LIST_RELATED,
    "trainees",
    "inspection_members__agency",
    "recommendations",
    "evidence",
    "comments__author",
)


class ActivityCursor(Cursor):
    ordering = ("-start_date", "-pk")


def detail_of(activity: Activity, user: Any) -> dict[str, Any]:
    prefetch_related_objects([activity], *DETAIL_RELATED)
    return ActivityDetailOut(activity, context={"user": user}).data


def activity_filter(user: Any, params: dict[str, Any]) -> selectors.ActivityFilter:
    """The list's filters as the selectors take them; unknown plans and tasks are a 400."""
    f = selectors.ActivityFilter(
        kind=params.get("kind", ""),
        agency_id=params.get("agency"),
        place_code=params.get("place", "").strip(),
        year=params.get("year"),
        q=params.get("q", "").strip(),
        flagged=params.get("flagged", False),
    )
    if params.get("plan"):
        f.plan = selectors.plan_list(user).filter(pk=params["plan"]).first()
        if f.plan is None:
            raise exceptions.ValidationError(
                {"plan": [_("Không có kế hoạch với mã số %(id)s.") % {"id": params["plan"]}]}
            )
    if params.get("task"):
        plan = f.plan or selectors.plan_current(user)
        code = nfc(params["task"]).strip()
        f.task = plan.tasks.filter(code=code).first() if plan else None
        if f.task is None:
            raise exceptions.ValidationError(
                {"task": [_("Kế hoạch không có nhiệm vụ %(code)s.") % {"code": code}]}
            )
    return f


class ActivityCollectionView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_activities_list",
        summary="Activities you may see: your agencies' (reporter) or all (coordinator)",
        description=(
            "Newest first. `task` is a task code of `plan` (default: the current plan) and "
            "takes its sub-tasks too; `place` matches the place or its parent; `flagged=true` "
            "keeps activities with warnings. Analysts and managers, who see totals only, get "
            "403 (use the plan's tasks and the budget endpoints)."
        ),
        parameters=[
            OpenApiParameter("plan", {**ID_SCHEMA}, description="A plan's id."),
            OpenApiParameter("task", str, description='A task code, e.g. "II.3.a".'),
            OpenApiParameter("kind", str, enum=ActivityKind.values),
            OpenApiParameter("agency", {**ID_SCHEMA}, description="The organising agency's id."),
            OpenApiParameter("year", {**YEAR_SCHEMA}, description="Year of the start date."),
            OpenApiParameter("place", str, description="Statistics-office code."),
            OpenApiParameter("q", str, description="Words of the title."),
            OpenApiParameter("flagged", bool),
            CURSOR,
            LIMIT,
        ],
        responses={200: ActivityPageOut, **errors(400)},
    )
    def get(self, request):
        require_activity_role(request.user)
        f = activity_filter(request.user, query(ActivityQuery, request))
        activities = selectors.activity_filter(selectors.activity_list(request.user), f)
        paginator = ActivityCursor()
        page = paginator.paginate_queryset(
            activities.prefetch_related(*LIST_RELATED), request, view=self
        )
        return paginator.get_paginated_response(ActivityOut(page, many=True).data)

    @extend_schema(
        operation_id="programme_activities_create",
        summary="Record an activity against the plan's tasks",
        description=(
            "For programme reporters, for an agency they report for (another agency: 403). "
            "Participants by sex must add up to `total`, and the age bands too when given "
            "(else 400 naming `participants`); dates inside the plan's period and not in the "
            "future; each kind has its own fields and needs some (`topic` for a training, "
            "`channel` for communication, `conference_format`, `destination`, "
            "`units_inspected`, `recipient` and `reason`, `community_model`). An agency the "
            "plan does not assign to the tasks is accepted and flagged `agency_not_assigned`. "
            "A retry with the same `client_uuid` answers 200 with the activity recorded the "
            "first time (header `Idempotent-Replayed: true`); another agency's uuid is a 409 "
            "`duplicate`. Nothing is saved when anything is refused."
        ),
        request=ActivityIn,
        responses={
            201: ActivityDetailOut,
            200: OpenApiResponse(ActivityDetailOut, description="A replay of `client_uuid`."),
            **errors(400),
            409: OpenApiResponse(description="`duplicate`: this `client_uuid` is taken."),
        },
    )
    def post(self, request):
        user = request.user
        if not has_perm(user, Perm.PROGRAMME_REPORT):
            raise forbidden()
        data = nfc(parse(ActivityIn, request.data, user=user))
        if data["agency"].pk not in selectors.reporting_agency_ids(user):
            raise forbidden()
        plan = plan_for(user, data.get("plan"), data["start_date"])
        value = activity_input(user=user, plan=plan, data=data)
        try:
            activity, created = services.activity_create(
                actor=user,
                plan=plan,
                data=value,
                client_uuid=data.get("client_uuid"),
                request=request,
            )
        except DjangoValidationError as exc:
            if "client_uuid" in getattr(exc, "error_dict", {}):
                raise ApiError(
                    "duplicate", _("Mã client_uuid này đã được dùng; hãy tạo mã mới."), 409
                ) from exc
            raise service_error(exc, route) from exc
        activity = selectors.activity_get_for_user(user, activity.pk)
        response = Response(
            detail_of(activity, user),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        if not created:
            response["Idempotent-Replayed"] = "true"
        return response


class ActivityDetailView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_activities_retrieve",
        summary="One activity with its trainees, inspection team, files and comments",
        description="404 unless you may see it (your agencies', or all for the coordinator).",
        responses={200: ActivityDetailOut, **errors(404)},
    )
    def get(self, request, activity_id: int):
        activity = selectors.activity_get_for_user(request.user, activity_id)
        return Response(detail_of(activity, request.user))

    @extend_schema(
        operation_id="programme_activities_partial_update",
        summary="Change an activity",
        description=(
            "Send the `version` you loaded and only the fields to change. Objects merge key "
            "by key (`participants`, its `ages`; `ages: null` clears them); lists (`tasks`, "
            "`spent`, `trainees`, ...) are replaced whole. A stale version is refused with "
            "409 and nothing is overwritten. Only a reporter of the activity's agency may "
            "change it (the coordinator: 403), and not once that year's report is submitted "
            "(400 on `start_date`)."
        ),
        request=ActivityUpdateIn,
        responses={200: ActivityDetailOut, **errors(400, 404, 409)},
    )
    def patch(self, request, activity_id: int):
        user = request.user
        activity = selectors.activity_get_for_user(user, activity_id)
        if not has_perm(user, Perm.PROGRAMME_REPORT, agency_id=activity.agency_id):
            raise forbidden()
        data = nfc(parse(ActivityUpdateIn, request.data, partial=True, user=user))
        if "version" not in data:
            raise exceptions.ValidationError({"version": [_("Trường này là bắt buộc.")]})
        version = data.pop("version")
        if activity.version != version:
            return conflict_response(
                services.ActivityConflict(activity=activity, loaded_version=version)
            )
        if not data:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Không có trường nào cần thay đổi.")]}
            )
        stored = stored_input(
            activity, with_trainees="participants" in data and "trainees" not in data
        )
        value = activity_input(user=user, plan=activity.plan, data=data, stored=stored)
        try:
            with refusals():
                activity = services.activity_update(
                    actor=user, activity=activity, version=version, data=value, request=request
                )
        except services.ActivityConflict as exc:
            return conflict_response(exc)
        activity = selectors.activity_get_for_user(user, activity.pk)
        return Response(detail_of(activity, user))
