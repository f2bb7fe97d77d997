"""Plans, their task trees with figures, the models registry and budget execution.

Totals only, no activity: every programme role may read them (analysts and managers too).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from antoan.api.pagination import CURSOR_PARAMETER, LIMIT_PARAMETER, Cursor
from antoan.api.programme.common import ProgrammeAPIView, errors, parse
from antoan.api.programme.inputs import BudgetQuery, ModelQuery, PlanQuery, TaskQuery
from antoan.api.programme.outputs import (
    AgencyBudgetOut,
    BudgetPageOut,
    BudgetRowOut,
    CommunityModelOut,
    CommunityModelPageOut,
    ProgrammePlanOut,
    ProgrammePlanPageOut,
    ProgrammeTaskOut,
    ProgrammeTaskPageOut,
    assignment_body,
)
from antoan.api.query import ID_SCHEMA, YEAR_SCHEMA, given_params
from antoan.programme import selectors
from antoan.programme.choices import ModelKind, ModelStatus, PlanStatus
from antoan.programme.models import Plan, Task

CURSOR = CURSOR_PARAMETER
LIMIT = LIMIT_PARAMETER


def query(serializer_class, request):
    """Query-string filters; an empty one is no filter for free text only (api.query)."""
    return parse(serializer_class, given_params(request, serializer_class))


class PlanCursor(Cursor):
    ordering = ("-period_start", "-pk")


class PlanListView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_plans_list",
        summary="Plans: loaded from data/plans (e.g. 64/KH-UBND) or built in the app",
        description=(
            "Published plans for every programme role; drafts only for those who build or "
            "approve them (the coordinator; a commune's reporters and leader for the commune's "
            "local plan). `parent` lists the communes' local plans under a provincial plan."
        ),
        parameters=[
            OpenApiParameter(
                "parent", {**ID_SCHEMA}, description="A provincial plan's id: its local plans."
            ),
            OpenApiParameter("status", str, enum=PlanStatus.values),
            CURSOR,
            LIMIT,
        ],
        responses={200: ProgrammePlanPageOut, **errors(400)},
    )
    def get(self, request):
        params = query(PlanQuery, request)
        plans = selectors.plan_list(request.user)
        if params.get("parent"):
            plans = plans.filter(parent_id=params["parent"])
        if params.get("status"):
            plans = plans.filter(status=params["status"])
        paginator = PlanCursor()
        page = paginator.paginate_queryset(plans, request, view=self)
        return paginator.get_paginated_response(ProgrammePlanOut(page, many=True).data)


def task_bodies(user: Any, plan: Plan, *, year: int | None = None) -> list[dict[str, Any]]:
    """The plan's task rows (``selectors.plan_task_rows``) as the API shows them."""
    rows = selectors.plan_task_rows(user, plan, year=year)
    code_of = {row.task.pk: row.task.code for row in rows}
    carried = dict(
        Task.objects.filter(
            pk__in={r.task.carries_id for r in rows if r.task.carries_id}
        ).values_list("pk", "code")
    )
    return [
        {
            "id": row.task.pk,
            "code": row.task.code,
            "parent": code_of.get(row.task.parent_id),
            "depth": row.task.depth,
            "title": row.task.title,
            "text": row.task.text,
            "label": row.task.label,
            "status": row.task.status,
            "status_comment": row.task.status_comment,
            "agencies": [assignment_body(r) for r in row.responsible],
            "activities": row.activities,
            "people": row.people,
            "female": row.female,
            "spent": row.spent,
            "carries": carried.get(row.task.carries_id) if row.task.carries_id else None,
            "communes": row.communes,
            "local_activities": row.local_activities,
            "local_people": row.local_people,
        }
        for row in rows
    ]


class PlanTaskListView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_plan_tasks_list",
        summary="A plan's task tree, who is responsible, and what was done",
        description=(
            "Every task in plan order (the whole tree in one page: `next` is always null), "
            "with the agencies it is assigned to (lead or support; for an agency dissolved "
            "since, `current` names who took over its duties) and the activities logged under "
            "it or its sub-tasks by every agency: how many, people reached, money spent. "
            "`year` counts one year's activities only. An activity logged by a commune under "
            "its approved local plan counts, once, for the provincial task its local task "
            "carries (`communes`, `local_activities`, `local_people`); a local plan's own "
            "tasks name that provincial task in `carries`."
        ),
        parameters=[
            OpenApiParameter("year", {**YEAR_SCHEMA}, description="Only activities of this year.")
        ],
        responses={200: ProgrammeTaskPageOut, **errors(400, 404)},
    )
    def get(self, request, plan_id: int):
        plan = selectors.plan_get_for_user(request.user, plan_id)
        params = query(TaskQuery, request)
        results = task_bodies(request.user, plan, year=params.get("year"))
        return Response({"results": ProgrammeTaskOut(results, many=True).data, "next": None})


class ModelCursor(Cursor):
    ordering = ("name", "pk")


class CommunityModelListView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_models_list",
        summary="The models registry: trusted addresses, safe schools, clubs...",
        parameters=[
            OpenApiParameter("kind", str, enum=ModelKind.values),
            OpenApiParameter("status", str, enum=ModelStatus.values),
            OpenApiParameter(
                "place", str, description="Code of the model's place, or of its parent."
            ),
            OpenApiParameter("agency", {**ID_SCHEMA}, description="The host agency's id."),
            CURSOR,
            LIMIT,
        ],
        responses={200: CommunityModelPageOut, **errors(400)},
    )
    def get(self, request):
        params = query(ModelQuery, request)
        models = selectors.community_model_list(request.user)
        if params.get("kind"):
            models = models.filter(kind=params["kind"])
        if params.get("status"):
            models = models.filter(status=params["status"])
        if params.get("place"):
            code = params["place"]
            models = models.filter(Q(place__code=code) | Q(place__parent__code=code))
        if params.get("agency"):
            models = models.filter(agency_id=params["agency"])
        paginator = ModelCursor()
        page = paginator.paginate_queryset(models, request, view=self)
        return paginator.get_paginated_response(CommunityModelOut(page, many=True).data)


class BudgetView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_budget_list",
        summary="Budget execution: planned, allocated and spent by agency, year and source",
        description=(
            "`spent` is the sum of the activities' spending, so a row may show money spent "
            "with nothing planned. `plan` defaults to the plan in force today (else the "
            "latest). One page (`next` is always null); `by_agency` sums the rows per agency."
        ),
        parameters=[
            OpenApiParameter(
                "plan", {**ID_SCHEMA}, description="A plan's id; default the current plan."
            ),
            OpenApiParameter("year", {**YEAR_SCHEMA}),
            OpenApiParameter("agency", {**ID_SCHEMA}, description="An agency's id."),
        ],
        responses={200: BudgetPageOut, **errors(400)},
    )
    def get(self, request):
        params = query(BudgetQuery, request)
        if params.get("plan"):
            plan = selectors.plan_list(request.user).filter(pk=params["plan"]).first()
            if plan is None:
                raise exceptions.ValidationError(
                    {"plan": [_("Không có kế hoạch với mã số %(id)s.") % {"id": params["plan"]}]}
                )
        else:
            plan = selectors.plan_current(request.user)
            if plan is None:
                return Response({"plan": None, "results": [], "by_agency": [], "next": None})
        rows = selectors.budget_rows(
            request.user, plan, year=params.get("year"), agency_id=params.get("agency")
        )
        return Response(
            {
                "plan": plan.pk,
                "results": BudgetRowOut(rows, many=True).data,
                "by_agency": AgencyBudgetOut(selectors.budget_by_agency(rows), many=True).data,
                "next": None,
            }
        )
