"""Building plans in the app: a new draft (the next provincial plan from a copy, or a commune's
local plan), its header, tasks, targets and budget, the steps from draft to published, the
plan file, and which communes have a local plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import PermissionRequiredMixin, agency_ids_with, deny
from antoan.programme import selectors
from antoan.programme.choices import AssignmentRole, PlanStatus
from antoan.programme.forms.plans import (
    AssignmentForm,
    BudgetForm,
    ObjectiveForm,
    PlanActionForm,
    PlanCreateForm,
    PlanEditForm,
    TaskForm,
)
from antoan.programme.models import Assignment, BudgetLine, Plan, Task
from antoan.programme.plan_file import plan_yaml
from antoan.programme.services import plan_build as pb
from antoan.programme.views.common import add_errors, plan_years, programme_nav


def _plan(request: Any, pk: int) -> Plan:
    return selectors.plan_get_for_user(request.user, pk)


def _require_builder(request: Any, plan: Plan) -> None:
    if not pb.may_build(request.user, plan):
        deny(request, Perm.PROGRAMME_REPORT if plan.is_local else Perm.PROGRAMME_COORDINATE)


def _draft(request: Any, pk: int) -> Plan:
    """A draft the user builds, or a refusal (audited); a published plan does not change."""
    plan = _plan(request, pk)
    _require_builder(request, plan)
    if plan.status != PlanStatus.DRAFT:
        raise Http404
    return plan


def _posted_version(request: Any) -> int:
    """The version of the plan a button was pressed on (-1, always stale, when missing)."""
    form = PlanActionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else -1


def _flash(request: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _task_label(t: Task) -> str:
    return f"{'— ' * t.depth}{t.code}. {t.label}"[:160]


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200):
    return render(request, template, {**context, **programme_nav(request, "plan")}, status=status)


def _local_agencies(user: Any) -> list[Agency]:
    """Commune committees the user builds local plans for."""
    qs = Agency.objects.filter(kind=Agency.Kind.COMMUNE_COMMITTEE, valid_to__isnull=True)
    if not pb.is_coordinator(user):
        qs = qs.filter(pk__in=agency_ids_with(user, Perm.PROGRAMME_REPORT))
    return list(qs.order_by("name"))


class PlanCreateView(PermissionRequiredMixin, View):
    """/programme/plans/new/?copy_from=<plan> (the next provincial plan) or ?parent=<plan> (a
    commune's local plan under a published provincial plan)."""

    permission = Perm.PROGRAMME_VIEW

    def setup_form(self, request: Any, data: Any = None) -> tuple[PlanCreateForm, Plan | None]:
        user = request.user
        source = request.GET.get("parent") or request.POST.get("parent")
        parent = _plan(request, source) if source else None
        if parent is None:
            if not pb.is_coordinator(user):
                deny(request, Perm.PROGRAMME_COORDINATE)
            plans = selectors.plan_list(user).filter(parent__isnull=True)
            copies = [(p.pk, str(p)) for p in plans]
            form = PlanCreateForm(
                data,
                copy_choices=copies,
                agency_choices=None,
                copy_required=True,
                initial=self.initial(request, plans),
            )
            return form, None
        if parent.is_local or not parent.is_published:
            raise Http404
        agencies = _local_agencies(user)
        if not agencies:
            deny(request, Perm.PROGRAMME_REPORT)
        earlier = selectors.plan_list(user).filter(
            issuing_agency__in=agencies, parent__isnull=False
        )
        year = max(parent.period_start.year, timezone.localdate().year)
        form = PlanCreateForm(
            data,
            copy_choices=[(p.pk, f"{p} · {p.issuing_agency}") for p in earlier],
            agency_choices=[(a.pk, a.name) for a in agencies],
            copy_required=False,
            initial={
                "agency": agencies[0].pk,
                "issued_on": timezone.localdate(),
                "period_start": max(dt.date(year, 1, 1), parent.period_start),
                "period_end": min(dt.date(year, 12, 31), parent.period_end),
                "title": _("Kế hoạch thực hiện %(number)s năm %(year)s")
                % {"number": parent.number, "year": year},
            },
        )
        return form, parent

    def initial(self, request: Any, plans: Any) -> dict[str, Any]:
        chosen = request.GET.get("copy_from")
        source = plans.filter(pk=chosen).first() if chosen and chosen.isdigit() else None
        source = source or plans.filter(status=PlanStatus.PUBLISHED).order_by("-period_end").first()
        if source is None:
            return {"issued_on": timezone.localdate()}
        start = source.period_end + dt.timedelta(days=1)
        years = source.period_end.year - source.period_start.year
        return {
            "copy_from": source.pk,
            "issued_on": timezone.localdate(),
            "period_start": start,
            "period_end": dt.date(start.year + years, 12, 31),
        }

    def show(self, request: Any, form: PlanCreateForm, parent: Plan | None, status: int = 200):
        return _render(request, "programme/plan_new.html", {"form": form, "parent": parent}, status)

    def get(self, request):
        form, parent = self.setup_form(request)
        return self.show(request, form, parent)

    def post(self, request):
        form, parent = self.setup_form(request, request.POST)
        if not form.is_valid():
            return self.show(request, form, parent, status=400)
        d = form.cleaned_data
        copy_from = None
        if d.get("copy_from"):
            copy_from = selectors.plan_list(request.user).filter(pk=d["copy_from"]).first()
        agency = None
        if parent is not None:
            agency = next((a for a in _local_agencies(request.user) if a.pk == d["agency"]), None)
        try:
            plan = pb.plan_create(
                actor=request.user,
                number=d["number"],
                title=d["title"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                issued_on=d["issued_on"],
                copy_from=copy_from,
                parent=parent,
                agency=agency,
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.show(request, form, parent, status=400)
        messages.success(
            request,
            _("Đã lập dự thảo kế hoạch %(number)s. Hãy rà soát nhiệm vụ, chỉ tiêu rồi ban hành.")
            % {"number": plan.number}
            if not plan.is_local
            else _(
                "Đã lập dự thảo kế hoạch %(number)s. Hãy chọn nhiệm vụ của tỉnh mà xã, phường "
                "thực hiện, lập kinh phí từng năm rồi trình lãnh đạo phê duyệt."
            )
            % {"number": plan.number},
        )
        return redirect("programme:plan", pk=plan.pk)


class PlanEditView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def show(self, request, plan, form, status=200):
        return _render(request, "programme/plan_edit.html", {"plan": plan, "form": form}, status)

    def get(self, request, pk):
        plan = _draft(request, pk)
        fields = ["number", "title", "issued_on", "period_start", "period_end", "version"]
        initial = {name: getattr(plan, name) for name in fields}
        initial.update(implements=plan.implements, budget_text=plan.budget_text)
        return self.show(request, plan, PlanEditForm(initial=initial))

    def post(self, request, pk):
        plan = _draft(request, pk)
        form = PlanEditForm(request.POST)
        if not form.is_valid():
            return self.show(request, plan, form, 400)
        d = form.cleaned_data
        try:
            pb.plan_update(
                actor=request.user,
                plan=plan,
                version=d["version"] or 0,
                number=d["number"],
                title=d["title"],
                issued_on=d["issued_on"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                implements=d["implements"],
                budget_text=d["budget_text"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.show(request, plan, form, 409 if _is_stale(exc) else 400)
        messages.success(request, _("Đã lưu thông tin kế hoạch."))
        return redirect("programme:plan", pk=plan.pk)


def _is_stale(exc: ValidationError) -> bool:
    return any(e.code == pb.STALE for e in getattr(exc, "error_list", []))


class TaskFormView(PermissionRequiredMixin, View):
    """Add a task to a draft (/tasks/new/) or change one (/tasks/<id>/edit/)."""

    permission = Perm.PROGRAMME_VIEW

    def load(self, request, pk, task_id=None):
        plan = _draft(request, pk)
        task = None
        if task_id is not None:
            task = plan.tasks.filter(pk=task_id).first()
            if task is None:
                raise Http404
        return plan, task

    def build(self, plan: Plan, task: Task | None, data: Any = None, initial: Any = None):
        own = list(plan.tasks.order_by("order"))
        if plan.is_local:
            adopted = {t.carries_id for t in own if t.parent_id is None}
            carries = [
                (t.pk, _task_label(t))
                for t in plan.parent.tasks.order_by("order")  # type: ignore[union-attr]
                if t.pk not in adopted
            ]
            parents = [(t.pk, _task_label(t)) for t in own if t.carries_id]
        else:
            carries = []
            excluded = selectors.task_subtree_ids(task) if task else set()
            parents = [(t.pk, _task_label(t)) for t in own if t.pk not in excluded]
        return TaskForm(
            data,
            initial=initial,
            local=plan.is_local,
            editing=task is not None,
            carries_choices=carries,
            parent_choices=parents,
        )

    def show(self, request, plan, task, form, status=200):
        assignments = None
        assignment_form = None
        if task is not None and not plan.is_local:
            assignments = list(task.assignments.select_related("agency"))
            assignment_form = _assignment_form(request, plan)
        context = {
            "plan": plan,
            "task": task,
            "form": form,
            "assignments": assignments,
            "assignment_form": assignment_form,
        }
        return _render(request, "programme/plan_task_form.html", context, status)

    def get(self, request, pk, task_id=None):
        plan, task = self.load(request, pk, task_id)
        initial: dict[str, Any] = {"version": plan.version}
        if task is not None:
            initial.update(code=task.code, parent=task.parent_id, title=task.title, text=task.text)
        elif request.GET.get("parent", "").isdigit():
            initial["parent"] = int(request.GET["parent"])
        return self.show(request, plan, task, self.build(plan, task, initial=initial))

    def post(self, request, pk, task_id=None):
        plan, task = self.load(request, pk, task_id)
        form = self.build(plan, task, data=request.POST)
        if not form.is_valid():
            return self.show(request, plan, task, form, 400)
        d = form.cleaned_data
        by_pk = {t.pk: t for t in plan.tasks.all()}
        parent = by_pk.get(d.get("parent")) if d.get("parent") else None
        carries = None
        if d.get("carries") and plan.parent is not None:
            carries = plan.parent.tasks.filter(pk=d["carries"]).first()
        try:
            saved = pb.task_save(
                actor=request.user,
                plan=plan,
                version=d["version"],
                task=task,
                code=d.get("code", ""),
                parent=parent if task is None or not plan.is_local else task.parent,
                carries=carries,
                title=d["title"],
                text=d["text"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.show(request, plan, task, form, 409 if _is_stale(exc) else 400)
        messages.success(request, _("Đã lưu nhiệm vụ %(code)s.") % {"code": saved.code})
        return redirect(reverse("programme:plan", args=[plan.pk]) + f"#task-{saved.pk}")


def _assignment_form(request: Any, plan: Plan, data: Any = None) -> AssignmentForm:
    day = timezone.localdate()
    agencies = [
        (a.pk, a.name)
        for a in Agency.objects.order_by("name")
        if a.is_valid_on(day) and a.kind != Agency.Kind.COMMUNE_COMMITTEE
    ]
    return AssignmentForm(
        data,
        initial={"version": plan.version, "role": AssignmentRole.LEAD},
        agencies=agencies,
        groups=list(Agency.Kind.choices),
        roles=list(AssignmentRole.choices),
    )


class TaskDeleteView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def post(self, request, pk, task_id):
        plan = _draft(request, pk)
        task = plan.tasks.filter(pk=task_id).first()
        if task is None:
            raise Http404
        version = _posted_version(request)
        try:
            pb.task_delete(actor=request.user, task=task, version=version, request=request)
        except ValidationError as exc:
            _flash(request, exc)
            return redirect("programme:plan_task_edit", pk=plan.pk, task_id=task.pk)
        messages.success(request, _("Đã xóa nhiệm vụ %(code)s.") % {"code": task.code})
        return redirect("programme:plan", pk=plan.pk)


class AssignmentAddView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def post(self, request, pk, task_id):
        plan = _draft(request, pk)
        task = plan.tasks.filter(pk=task_id).first()
        if task is None or plan.is_local:
            raise Http404
        form = _assignment_form(request, plan, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            agency = Agency.objects.filter(pk=d["agency"]).first() if d.get("agency") else None
            try:
                pb.assignment_add(
                    actor=request.user,
                    task=task,
                    version=d["version"],
                    role=d["role"],
                    agency=agency,
                    group=d.get("group") or "",
                    request=request,
                )
                messages.success(request, _("Đã giao nhiệm vụ."))
            except ValidationError as exc:
                _flash(request, exc)
        else:
            messages.error(request, _("Hãy chọn cơ quan và vai trò."))
        return redirect("programme:plan_task_edit", pk=plan.pk, task_id=task.pk)


class AssignmentRemoveView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def post(self, request, pk, assignment_id):
        plan = _draft(request, pk)
        assignment = Assignment.objects.filter(pk=assignment_id, task__plan=plan).first()
        if assignment is None:
            raise Http404
        version = _posted_version(request)
        try:
            pb.assignment_remove(
                actor=request.user, assignment=assignment, version=version, request=request
            )
            messages.success(request, _("Đã bỏ phân công."))
        except ValidationError as exc:
            _flash(request, exc)
        return redirect("programme:plan_task_edit", pk=plan.pk, task_id=assignment.task_id)


class ObjectiveFormView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def load(self, request, pk, objective_id=None):
        plan = _draft(request, pk)
        objective = None
        if objective_id is not None:
            objective = plan.objectives.filter(pk=objective_id).first()
            if objective is None:
                raise Http404
        return plan, objective

    def show(self, request, plan, objective, form, status=200):
        context = {"plan": plan, "objective": objective, "form": form}
        return _render(request, "programme/plan_objective_form.html", context, status)

    def get(self, request, pk, objective_id=None):
        plan, objective = self.load(request, pk, objective_id)
        initial: dict[str, Any] = {"version": plan.version}
        if objective is not None:
            names = [
                "code",
                "text",
                "indicator_code",
                "target_comparison",
                "target_value",
                "target_unit",
                "target_year",
            ]
            initial.update({name: getattr(objective, name) for name in names})
        return self.show(request, plan, objective, ObjectiveForm(initial=initial))

    def post(self, request, pk, objective_id=None):
        plan, objective = self.load(request, pk, objective_id)
        form = ObjectiveForm(request.POST)
        if not form.is_valid():
            return self.show(request, plan, objective, form, 400)
        d = form.cleaned_data
        try:
            pb.objective_save(
                actor=request.user,
                plan=plan,
                version=d["version"],
                objective=objective,
                code=d["code"],
                text=d["text"],
                indicator_code=d["indicator_code"],
                target_value=d["target_value"],
                target_comparison=d["target_comparison"] or "",
                target_unit=d["target_unit"],
                target_year=d["target_year"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.show(request, plan, objective, form, 409 if _is_stale(exc) else 400)
        messages.success(request, _("Đã lưu mục tiêu %(code)s.") % {"code": d["code"]})
        return redirect("programme:plan", pk=plan.pk)


class ObjectiveDeleteView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def post(self, request, pk, objective_id):
        plan = _draft(request, pk)
        objective = plan.objectives.filter(pk=objective_id).first()
        if objective is None:
            raise Http404
        version = _posted_version(request)
        try:
            pb.objective_delete(
                actor=request.user, objective=objective, version=version, request=request
            )
            messages.success(request, _("Đã xóa mục tiêu."))
        except ValidationError as exc:
            _flash(request, exc)
        return redirect("programme:plan", pk=plan.pk)


class BudgetEditView(PermissionRequiredMixin, View):
    """A local plan's budget: the total and every year's amount by source."""

    permission = Perm.PROGRAMME_VIEW

    def form(self, plan: Plan, data: Any = None) -> BudgetForm:
        years = list(range(plan.period_start.year, plan.period_end.year + 1))
        initial: dict[str, Any] = {"version": plan.version, "total": plan.budget_total}
        for line in BudgetLine.objects.filter(plan=plan):
            initial[f"y{line.year}_{line.source}"] = line.planned or None
        return BudgetForm(data, initial=initial, years=years)

    def show(self, request, plan, form, status=200):
        return _render(request, "programme/plan_budget.html", {"plan": plan, "form": form}, status)

    def get(self, request, pk):
        plan = _draft(request, pk)
        if not plan.is_local:
            raise Http404
        return self.show(request, plan, self.form(plan))

    def post(self, request, pk):
        plan = _draft(request, pk)
        if not plan.is_local:
            raise Http404
        form = self.form(plan, request.POST)
        if not form.is_valid():
            return self.show(request, plan, form, 400)
        try:
            pb.plan_budget_set(
                actor=request.user,
                plan=plan,
                version=form.cleaned_data["version"],
                total=form.cleaned_data["total"],
                lines=form.lines(),
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc, aliases={"lines": "__all__"})
            return self.show(request, plan, form, 409 if _is_stale(exc) else 400)
        messages.success(request, _("Đã lưu kinh phí của kế hoạch."))
        return redirect("programme:plan", pk=plan.pk)


ACTIONS = ("submit", "publish", "return", "discard")


class PlanActionView(PermissionRequiredMixin, View):
    """POST /programme/plans/<id>/<action>/: submit, publish (approve), return, discard."""

    permission = Perm.PROGRAMME_VIEW

    def post(self, request, pk, action):
        if action not in ACTIONS:
            raise Http404
        plan = _plan(request, pk)
        version = _posted_version(request)
        reason = request.POST.get("reason", "")[:4000]
        try:
            if action == "submit":
                pb.plan_submit(actor=request.user, plan=plan, version=version, request=request)
                done = _("Đã trình kế hoạch %(number)s để lãnh đạo phê duyệt.")
            elif action == "publish":
                pb.plan_publish(actor=request.user, plan=plan, version=version, request=request)
                done = (
                    _("Đã phê duyệt kế hoạch %(number)s.")
                    if plan.is_local
                    else _("Đã ban hành kế hoạch %(number)s.")
                )
            elif action == "return":
                pb.plan_return(
                    actor=request.user, plan=plan, version=version, reason=reason, request=request
                )
                done = _("Đã trả lại kế hoạch %(number)s.")
            else:
                pb.plan_discard(actor=request.user, plan=plan, version=version, request=request)
                messages.success(request, _("Đã xóa dự thảo %(number)s.") % {"number": plan.number})
                return redirect("programme:home")
        except PermissionDenied:
            deny(request, Perm.LOCAL_PLAN_APPROVE if plan.is_local else Perm.PROGRAMME_COORDINATE)
        except ValidationError as exc:
            _flash(request, exc)
            return redirect("programme:plan", pk=plan.pk)
        messages.success(request, done % {"number": plan.number})
        return redirect("programme:plan", pk=plan.pk)


class PlanFileView(PermissionRequiredMixin, View):
    """A published provincial plan as its YAML plan file."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        plan = _plan(request, pk)
        if plan.is_local or not plan.is_published:
            raise Http404
        audit_record(
            action=AuditAction.EXPORT,
            request=request,
            object_type="programme.plan",
            object_id=plan.pk,
            extra={"format": "yaml"},
        )
        response = HttpResponse(plan_yaml(plan), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{plan.code}.yaml"'
        return response


class CoverageView(PermissionRequiredMixin, View):
    """Which communes have a local plan for a year: approved, budgeted, reporting."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        plan = _plan(request, pk)
        if plan.is_local:
            raise Http404
        years = plan_years(plan)
        raw = request.GET.get("year", "")
        year = int(raw) if raw.isdigit() and int(raw) in years else years[-1]
        rows = selectors.local_plan_coverage(request.user, plan, year)
        only_missing = request.GET.get("missing") == "1"
        shown = [r for r in rows if not r.complete] if only_missing else rows
        totals = selectors.coverage_totals(rows)
        context = {
            "plan": plan,
            "rows": shown,
            "totals": totals,
            "year": year,
            "years": years,
            "only_missing": only_missing,
        }
        return _render(request, "programme/plan_coverage.html", context)


def plan_page_context(request: Any, plan: Plan) -> dict[str, Any]:
    """What the plan page adds for building: the actions the user may take, the local plans
    under it, and a local plan's budget."""
    user = request.user
    draft = plan.status == PlanStatus.DRAFT
    builder = pb.may_build(user, plan)
    context: dict[str, Any] = {
        "may_edit": draft and builder,
        "may_submit": plan.is_local and draft and builder,
        "may_publish": pb.may_approve(user, plan)
        and plan.status == (PlanStatus.SUBMITTED if plan.is_local else PlanStatus.DRAFT),
        "may_return": plan.is_local
        and plan.status == PlanStatus.SUBMITTED
        and pb.may_approve(user, plan),
        "may_copy": not plan.is_local and plan.is_published and pb.is_coordinator(user),
        "may_build_local": not plan.is_local
        and plan.is_published
        and bool(_local_agencies(user))
        and not pb.is_coordinator(user),
        "action_form": PlanActionForm(initial={"version": plan.version}),
    }
    if plan.is_local:
        by_year = pb.budget_by_year(plan)
        context["budget_years"] = [
            (year, by_year.get(year, 0))
            for year in range(plan.period_start.year, plan.period_end.year + 1)
        ]
    else:
        context["local_plan_count"] = (
            selectors.local_plans(user, plan).filter(status=PlanStatus.PUBLISHED).count()
        )
        own = selectors.plan_list(user).filter(
            parent=plan, issuing_agency_id__in=[a.pk for a in _local_agencies(user)]
        )
        context["own_local_plans"] = list(own) if not pb.is_coordinator(user) else []
    return context


__all__ = [
    "AssignmentAddView",
    "AssignmentRemoveView",
    "BudgetEditView",
    "CoverageView",
    "ObjectiveDeleteView",
    "ObjectiveFormView",
    "PlanActionView",
    "PlanCreateView",
    "PlanEditView",
    "PlanFileView",
    "TaskDeleteView",
    "TaskFormView",
    "plan_page_context",
]
