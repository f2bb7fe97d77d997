"""Building plans over the API: drafts, their tasks, targets and budget, submission and
approval, and which communes have a local plan.

Every write is a service of ``programme.services.plan_build``, which checks permissions,
records the audit event and moves the plan's ``version``. A view here finds the plan as the
caller may see it (someone else's draft answers 404, as a missing plan does), refuses with 403
those who see the plan but may not do this (before reading the body, so the answer does not
depend on it), answers a stale ``version`` with 409 and turns the services' refusals into 400s
naming the request's fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import service_error
from antoan.api.errors import error_body
from antoan.api.programme.build import nfc
from antoan.api.programme.common import ProgrammeAPIView, errors, forbidden, parse
from antoan.api.programme.inputs import (
    CoverageQuery,
    PlanBudgetIn,
    PlanCreateIn,
    PlanObjectiveIn,
    PlanReturnIn,
    PlanTaskIn,
    PlanUpdateIn,
    PlanVersionIn,
    TaskDeleteQuery,
)
from antoan.api.programme.outputs import (
    CoverageOut,
    CoverageRowOut,
    CoverageTotalsOut,
    ObjectiveOut,
    PlanConflictError,
    ProgrammePlanDetailOut,
    ProgrammeTaskOut,
)
from antoan.api.programme.plans import PlanListView, PlanTaskListView, query, task_bodies
from antoan.api.query import YEAR_SCHEMA
from antoan.core.permissions import has_perm
from antoan.programme import selectors
from antoan.programme.models import Plan
from antoan.programme.services import plan_build

T = TypeVar("T")

# Where a field named by the plan services sits in the request body.
_ROUTES = {
    "indicator_code": "indicator",
    "target_value": "target.value",
    "target_comparison": "target.comparison",
    "target_unit": "target.unit",
    "target_year": "target.year",
}


def route(key: str) -> str:
    return _ROUTES.get(key, key)


_CONFLICT = OpenApiResponse(
    PlanConflictError,
    description="`conflict`: the `version` you sent is stale (someone changed the plan since "
    "you loaded it); `current_version` is the plan's version now. Nothing was changed.",
)


def write_errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {**errors(400, 404, *codes), 409: _CONFLICT}


class PlanStale(exceptions.APIException):
    """The plan moved on since the version the client sent: 409."""

    status_code = status.HTTP_409_CONFLICT

    def __init__(self, loaded: int, current: int) -> None:
        super().__init__()
        self.loaded, self.current = loaded, current

    def response(self) -> Response:
        body = error_body(
            "conflict",
            _(
                "Kế hoạch đã được người khác thay đổi sau khi bạn mở (phiên bản %(loaded)s, "
                "hiện là %(current)s). Hãy tải lại, xem lại rồi làm lại."
            )
            % {"loaded": self.loaded, "current": self.current},
        )
        body["error"]["current_version"] = self.current
        return Response(body, status=self.status_code)


def detail_of(plan: Plan, user: Any) -> dict[str, Any]:
    prefetch_related_objects([plan], "objectives")
    return ProgrammePlanDetailOut(plan, context={"user": user}).data


def visible_plan(user: Any, plan_id: int | None, name: str) -> Plan | None:
    """A plan named in a body (``copy_from``, ``parent``): one the caller sees, else a 400."""
    if plan_id is None:
        return None
    plan = selectors.plan_list(user).filter(pk=plan_id).first()
    if plan is None:
        raise exceptions.ValidationError(
            {name: [_("Không có kế hoạch với mã số %(id)s.") % {"id": plan_id}]}
        )
    return plan


class PlanWriteView(ProgrammeAPIView):
    """Shared by the endpoints that change one plan."""

    def handle_exception(self, exc):
        if isinstance(exc, PlanStale):
            return exc.response()
        return super().handle_exception(exc)

    def plan(self, plan_id: int, *, may: Callable[[Any, Plan], bool] | None = None) -> Plan:
        """The plan if the caller sees it (else 404) and ``may`` allows them (else 403)."""
        plan = selectors.plan_get_for_user(self.request.user, plan_id)
        if may is not None and not may(self.request.user, plan):
            raise forbidden()
        return plan

    @staticmethod
    def check_version(plan: Plan, version: int) -> None:
        if plan.version != version:
            raise PlanStale(version, plan.version)

    def write(self, plan: Plan, version: int, call: Callable[[], T]) -> T:
        """Run the service; its refusals are 400s, unless the plan moved on meanwhile (409)."""
        self.check_version(plan, version)
        try:
            return call()
        except DjangoValidationError as exc:
            current = Plan.objects.filter(pk=plan.pk).values_list("version", flat=True).first()
            if current is not None and current != version:
                raise PlanStale(version, current) from exc
            raise service_error(exc, route) from exc


def may_submit(user: Any, plan: Plan) -> bool:
    return plan.is_local and plan_build.may_build(user, plan)


def may_return(user: Any, plan: Plan) -> bool:
    return plan.is_local and plan_build.may_approve(user, plan)


# --- Plans --------------------------------------------------------------------------------------


class PlanCollectionView(PlanWriteView, PlanListView):
    @extend_schema(
        operation_id="programme_plans_create",
        summary="Start a draft: the next provincial plan, or a commune's local plan",
        description=(
            "The coordinator copies a provincial plan into the next one (`copy_from`; its "
            "tasks, assignments and targets come along, assignments of agencies dissolved "
            "since go to those that took over their duties, targets due at the end of the "
            "old plan move to the end of the new one). A commune's reporter starts its local "
            "plan under a published provincial plan (`parent`; `agency` is the commune's "
            "People's Committee, by default the only one you report for), empty or copied "
            "from an earlier local plan of the same commune. The draft is seen only by those "
            "who build or approve it. Others get 403; a plan you cannot see is a 400 on "
            "`copy_from` or `parent`."
        ),
        request=PlanCreateIn,
        responses={201: ProgrammePlanDetailOut, **errors(400)},
    )
    def post(self, request):
        user = request.user
        if not (plan_build.is_coordinator(user) or has_perm(user, Perm.PROGRAMME_REPORT)):
            raise forbidden()
        data = nfc(parse(PlanCreateIn, request.data, user=user))
        copy_from = visible_plan(user, data.get("copy_from"), "copy_from")
        parent = visible_plan(user, data.get("parent"), "parent")
        try:
            plan = plan_build.plan_create(
                actor=user,
                number=data["number"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                copy_from=copy_from,
                parent=parent,
                agency=data.get("agency"),
                issued_on=data.get("issued_on"),
                request=request,
            )
        except DjangoValidationError as exc:
            raise service_error(exc, route) from exc
        plan = selectors.plan_get_for_user(user, plan.pk)
        return Response(detail_of(plan, user), status=status.HTTP_201_CREATED)


class PlanDetailView(PlanWriteView):
    @extend_schema(
        operation_id="programme_plans_retrieve",
        summary="One plan: its header, targets and, for a local plan, its budget",
        description=(
            "`objectives` are the plan's targets (section I); `budget_lines` a local plan's "
            "budget by year and source. `editable` and `approvable` say what you may do with "
            "it now. A draft you do not build or approve is 404, as a missing plan."
        ),
        responses={200: ProgrammePlanDetailOut, **errors(404)},
    )
    def get(self, request, plan_id: int):
        return Response(detail_of(self.plan(plan_id), request.user))

    @extend_schema(
        operation_id="programme_plans_partial_update",
        summary="Change a draft's header: number, title, dates, bases, funding text",
        description=(
            "Send the `version` you loaded and only the fields to change. Only a draft "
            "changes (a published plan is what was signed: 400); only its builders may "
            "change it (403). A local plan's period stays inside its parent's."
        ),
        request=PlanUpdateIn,
        responses={200: ProgrammePlanDetailOut, **write_errors()},
    )
    def patch(self, request, plan_id: int):
        user = request.user
        plan = self.plan(plan_id, may=plan_build.may_build)
        data = nfc(parse(PlanUpdateIn, request.data, partial=True, user=user))
        if "version" not in data:
            raise exceptions.ValidationError({"version": [_("Trường này là bắt buộc.")]})
        version = data.pop("version")
        self.check_version(plan, version)
        if not data:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Không có trường nào cần thay đổi.")]}
            )
        names = ("number", "title", "issued_on", "period_start", "period_end")
        values = {name: data.get(name, getattr(plan, name)) for name in names}
        values["implements"] = data.get("implements", plan.implements)
        values["budget_text"] = data.get("budget_text", plan.budget_text)
        plan = self.write(
            plan,
            version,
            lambda: plan_build.plan_update(
                actor=user, plan=plan, version=version, request=request, **values
            ),
        )
        return Response(detail_of(selectors.plan_get_for_user(user, plan.pk), user))


class PlanPublishView(PlanWriteView):
    @extend_schema(
        operation_id="programme_plans_publish",
        summary="Publish a provincial draft, or approve a submitted local plan",
        description=(
            "The coordinator publishes a provincial draft; the commune's leader approves its "
            "commune's submitted local plan. From then on activities are recorded against it, "
            "and it no longer changes. 400 when the plan is not ready: no task, a local "
            "plan's budget that does not add up, or a period that overlaps a published plan "
            "(of the province, or of the same commune)."
        ),
        request=PlanVersionIn,
        responses={200: ProgrammePlanDetailOut, **write_errors()},
    )
    def post(self, request, plan_id: int):
        user = request.user
        plan = self.plan(plan_id, may=plan_build.may_approve)
        version = parse(PlanVersionIn, request.data)["version"]
        plan = self.write(
            plan,
            version,
            lambda: plan_build.plan_publish(
                actor=user, plan=plan, version=version, request=request
            ),
        )
        return Response(detail_of(selectors.plan_get_for_user(user, plan.pk), user))


class PlanSubmitView(PlanWriteView):
    @extend_schema(
        operation_id="programme_plans_submit",
        summary="Submit a local plan to the commune's leader",
        description=(
            "The commune's reporter sends its draft local plan for approval; the commune's "
            "leaders are told by e-mail. 400 when it has no task or its budget does not add "
            "up. A provincial plan is not submitted (403: it is published directly)."
        ),
        request=PlanVersionIn,
        responses={200: ProgrammePlanDetailOut, **write_errors()},
    )
    def post(self, request, plan_id: int):
        user = request.user
        plan = self.plan(plan_id, may=may_submit)
        version = parse(PlanVersionIn, request.data)["version"]
        plan = self.write(
            plan,
            version,
            lambda: plan_build.plan_submit(actor=user, plan=plan, version=version, request=request),
        )
        return Response(detail_of(selectors.plan_get_for_user(user, plan.pk), user))


class PlanReturnView(PlanWriteView):
    @extend_schema(
        operation_id="programme_plans_return",
        summary="Return a submitted local plan to its commune, with the reason",
        description=(
            "The commune's leader sends a submitted local plan back to draft; `reason` is "
            "shown to its builders (`return_reason`). Others get 403."
        ),
        request=PlanReturnIn,
        responses={200: ProgrammePlanDetailOut, **write_errors()},
    )
    def post(self, request, plan_id: int):
        user = request.user
        plan = self.plan(plan_id, may=may_return)
        data = nfc(parse(PlanReturnIn, request.data))
        plan = self.write(
            plan,
            data["version"],
            lambda: plan_build.plan_return(
                actor=user,
                plan=plan,
                version=data["version"],
                reason=data["reason"],
                request=request,
            ),
        )
        return Response(detail_of(selectors.plan_get_for_user(user, plan.pk), user))


# --- Tasks and targets --------------------------------------------------------------------------


class PlanTasksView(PlanWriteView, PlanTaskListView):
    @extend_schema(
        operation_id="programme_plan_tasks_create",
        summary="Add a task to a draft",
        description=(
            "A provincial draft: `code` in the plan's numbering, under `parent` (a code of "
            "the plan) or at the top. A local plan: `carries` adopts a task of the provincial "
            "plan (same code; its title and text unless you give your own), or `parent` adds "
            "a local task under an adopted one, numbered `<parent>/<n>` (e.g. `II.2.a/1`). "
            "Every task of a local plan carries out a task of the provincial plan: one with "
            "neither is a 400 on `carries`. Answers the task as the task list shows it."
        ),
        request=PlanTaskIn,
        responses={201: ProgrammeTaskOut, **write_errors()},
    )
    def post(self, request, plan_id: int):
        user = request.user
        plan = self.plan(plan_id, may=plan_build.may_build)
        data = nfc(parse(PlanTaskIn, request.data))
        version = data["version"]
        self.check_version(plan, version)
        problems: dict[str, list[str]] = {}
        carries = None
        if data.get("carries") and plan.parent is None:
            problems["carries"] = [
                _(
                    "Chỉ kế hoạch của xã, phường mới nhận nhiệm vụ của kế hoạch tỉnh; kế hoạch "
                    "của tỉnh ghi mục của nhiệm vụ (code)."
                )
            ]
        elif data.get("carries") and plan.parent is not None:
            code = data["carries"].strip()
            carries = plan.parent.tasks.filter(code=code).first()
            if carries is None:
                problems["carries"] = [
                    _("Kế hoạch %(plan)s không có nhiệm vụ: %(codes)s.")
                    % {"plan": plan.parent.number, "codes": code}
                ]
        parent = None
        if data.get("parent"):
            code = data["parent"].strip()
            parent = plan.tasks.filter(code=code).first()
            if parent is None:
                problems["parent"] = [
                    _("Kế hoạch %(plan)s không có nhiệm vụ: %(codes)s.")
                    % {"plan": plan.number, "codes": code}
                ]
        if problems:
            raise exceptions.ValidationError(problems)
        task = self.write(
            plan,
            version,
            lambda: plan_build.task_save(
                actor=user,
                plan=plan,
                version=version,
                title=data.get("title", ""),
                text=data.get("text", ""),
                code=data.get("code", ""),
                parent=parent,
                carries=carries,
                request=request,
            ),
        )
        body = next(b for b in task_bodies(user, plan) if b["id"] == task.pk)
        return Response(ProgrammeTaskOut(body).data, status=status.HTTP_201_CREATED)


class PlanTaskDetailView(PlanWriteView):
    @extend_schema(
        operation_id="programme_plan_tasks_destroy",
        summary="Remove a task of a draft, with everything under it",
        description=(
            "`version` is the plan's version, in the query string. Only a draft's builders "
            "(403 for others); a task with activities stays (400)."
        ),
        parameters=[
            OpenApiParameter(
                "version",
                {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
                required=True,
                description="The plan's `version` as you loaded it (409 if stale).",
            )
        ],
        responses={204: None, **write_errors()},
    )
    def delete(self, request, plan_id: int, task_id: int):
        user = request.user
        plan = self.plan(plan_id)
        task = plan.tasks.filter(pk=task_id).first()
        if task is None:
            raise exceptions.NotFound
        if not plan_build.may_build(user, plan):
            raise forbidden()
        version = query(TaskDeleteQuery, request)["version"]
        self.write(
            plan,
            version,
            lambda: plan_build.task_delete(actor=user, task=task, version=version, request=request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanObjectivesView(PlanWriteView):
    @extend_schema(
        operation_id="programme_plan_objectives_create",
        summary="Add a target to a draft",
        description=(
            "`code` is unique in the plan; `target.year` lies inside the plan's period; "
            "`indicator` names the indicator that measures it (`GET /api/v1/indicators`)."
        ),
        request=PlanObjectiveIn,
        responses={201: ObjectiveOut, **write_errors()},
    )
    def post(self, request, plan_id: int):
        user = request.user
        plan = self.plan(plan_id, may=plan_build.may_build)
        data = nfc(parse(PlanObjectiveIn, request.data))
        target = data.get("target") or {}
        version = data["version"]
        objective = self.write(
            plan,
            version,
            lambda: plan_build.objective_save(
                actor=user,
                plan=plan,
                version=version,
                code=data["code"],
                text=data["text"],
                indicator_code=data.get("indicator", ""),
                target_value=target.get("value"),
                target_comparison=target.get("comparison", ""),
                target_unit=target.get("unit", ""),
                target_year=target.get("year"),
                request=request,
            ),
        )
        return Response(ObjectiveOut(objective).data, status=status.HTTP_201_CREATED)


class PlanBudgetView(PlanWriteView):
    @extend_schema(
        operation_id="programme_plan_budget_set",
        summary="Set a local plan's budget: its total and its lines by year and source",
        description=(
            "The lines sent replace the plan's lines (a line left out is removed; a year and "
            "source once each). They must add up to `total`: otherwise 400 on `lines` naming "
            "both sums, and nothing is saved. Years lie inside the plan's period. Local plans "
            "only (a provincial plan's budget is its agencies' lines: "
            "`GET /api/v1/programme/budget`)."
        ),
        request=PlanBudgetIn,
        responses={200: ProgrammePlanDetailOut, **write_errors()},
    )
    def put(self, request, plan_id: int):
        user = request.user
        plan = self.plan(plan_id, may=plan_build.may_build)
        data = parse(PlanBudgetIn, request.data)
        version = data["version"]
        self.check_version(plan, version)
        lines: dict[tuple[int, str], int | None] = {}
        for line in data["lines"]:
            key = (line["year"], line["source"])
            if key in lines:
                raise exceptions.ValidationError(
                    {
                        "lines": [
                            _("Năm %(year)s, nguồn %(source)s có hai dòng.")
                            % {"year": key[0], "source": key[1]}
                        ]
                    }
                )
            lines[key] = line["planned"]
        plan = self.write(
            plan,
            version,
            lambda: plan_build.plan_budget_set(
                actor=user,
                plan=plan,
                version=version,
                total=data["total"],
                lines=lines,
                request=request,
            ),
        )
        return Response(detail_of(selectors.plan_get_for_user(user, plan.pk), user))


# --- Coverage -----------------------------------------------------------------------------------


class PlanCoverageView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_plan_coverage",
        summary="Which communes have a local plan for a year, approved, funded, reporting",
        description=(
            "One row per commune of the plan's province in `year` (the communes as they "
            "were at the end of the year, or today for the current year): its People's "
            "Committee, its local plan covering the year (the approved one first) and that "
            "plan's state, what its budget plans for the year, the activities logged under "
            "it in the year, whether it is `reporting` (approved, with activities or its "
            "yearly report submitted) and `complete` (approved, funded and reporting). "
            "`totals` counts the rows. `year` defaults to this year, within the plan's "
            "period; a year outside it is a 400. A provincial plan's id only (a local plan: "
            "404). Totals and states, no activity detail: every programme role may read it."
        ),
        parameters=[OpenApiParameter("year", {**YEAR_SCHEMA}, description="Default: this year.")],
        responses={200: CoverageOut, **errors(400, 404)},
    )
    def get(self, request, plan_id: int):
        plan = selectors.plan_get_for_user(request.user, plan_id)
        if plan.is_local:
            raise exceptions.NotFound
        first, last = plan.period_start.year, plan.period_end.year
        year = query(CoverageQuery, request).get("year")
        if year is None:
            year = min(max(timezone.localdate().year, first), last)
        elif not first <= year <= last:
            raise exceptions.ValidationError(
                {
                    "year": [
                        _("Năm phải trong thời gian thực hiện kế hoạch (%(start)s - %(end)s).")
                        % {"start": first, "end": last}
                    ]
                }
            )
        rows = selectors.local_plan_coverage(request.user, plan, year)
        totals = CoverageTotalsOut(selectors.coverage_totals(rows)).data
        return Response(
            {
                "plan": plan.pk,
                "year": year,
                "results": CoverageRowOut(rows, many=True).data,
                "totals": totals,
                "next": None,
            }
        )
