"""The plan page (the task tree with what was done under each task) and one task's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin, deny, has_perm
from antoan.core.text import search_key
from antoan.programme import forms, selectors, services
from antoan.programme.choices import AssignmentRole, TaskStatus
from antoan.programme.models import Plan, Task
from antoan.programme.views.common import may_see_activities, plan_years, programme_nav
from antoan.programme.views.plan_build import plan_page_context

TASK_ACTIVITY_LIMIT = 50


def split_responsible(responsible: list[selectors.Responsible]) -> dict[str, list[Any]]:
    return {
        "leads": [r for r in responsible if r.assignment.role == AssignmentRole.LEAD],
        "supports": [r for r in responsible if r.assignment.role != AssignmentRole.LEAD],
    }


def chosen_year(request: Any, plan: Plan) -> tuple[forms.YearFilterForm, int | None]:
    form = forms.YearFilterForm(request.GET or None, years=plan_years(plan))
    year = form.cleaned_data.get("year") if form.is_bound and form.is_valid() else None
    return form, year or None


def province_name(plan: Plan) -> str:
    """ "Hưng Yên" for a plan of Tỉnh Hưng Yên: agency names drop it on the plan's pages."""
    name = plan.place.name
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def report_successors(plan: Plan) -> list[Any]:
    """Who receives the yearly reports today when the plan's addressee was merged away."""
    if plan.report_to is None or plan.report_to.valid_to is None:
        return []
    return [t.to_agency for t in selectors.transfers_by_agency().get(plan.report_to.pk, [])][:1]


def task_tree(
    rows: list[selectors.TaskRow], *, open_all: bool = False, wanted: str = ""
) -> tuple[list[dict[str, Any]], int]:
    """The plan's rows in tree order, each saying how to nest it, and how many tasks matched.

    A task with sub-tasks folds them into a ``<details>``, closed unless ``open_all`` or it
    holds a task that ``wanted`` finds (its code, or words of its label, accents optional):
    the page starts with the sections and their figures, like an accordion with "Mở tất cả".
    ``close`` is how many levels end after a row.
    """
    by_parent: dict[int | None, list[selectors.TaskRow]] = {}
    known = {r.task.pk for r in rows}
    for r in rows:
        parent = r.task.parent_id if r.task.parent_id in known else None
        by_parent.setdefault(parent, []).append(r)
    code = wanted.strip().casefold()
    words = search_key(wanted).split()
    # A code the plan has ("II.3") finds that task alone, not II.3.a and the rest under it.
    by_code = code in {r.task.code.casefold() for r in rows}

    def matches(r: selectors.TaskRow) -> bool:
        if not words:
            return False
        if by_code:
            return r.task.code.casefold() == code
        text = search_key(f"{r.task.code} {r.task.label}")
        return all(w in text for w in words)

    ordered: list[dict[str, Any]] = []
    found = 0

    def walk(r: selectors.TaskRow, depth: int) -> tuple[bool, int, int]:
        """Append ``r`` and its sub-tasks; (a match inside, leaves, leaves done)."""
        nonlocal found
        item = {
            "row": r,
            "depth": depth,
            "match": matches(r),
            "close": 0,
            **split_responsible(r.responsible),
        }
        found += item["match"]
        ordered.append(item)
        children = by_parent.get(r.task.pk, [])
        item["children"] = len(children)
        if not children:
            return item["match"], 1, int(r.task.status == TaskStatus.DONE)
        inside, leaves, done = False, 0, 0
        for child in children:
            hit, n, d = walk(child, depth + 1)
            inside, leaves, done = inside or hit, leaves + n, done + d
        ordered[-1]["close"] += 1  # the last row under this task ends its group
        item.update(leaves=leaves, done=done, open=open_all or inside)
        return inside or item["match"], leaves, done

    for top in by_parent.get(None, []):
        walk(top, 0)
    for item in ordered:
        item["closers"] = range(item["close"])
    return ordered, found


class PlanHomeView(PermissionRequiredMixin, View):
    """/programme/: the plan in force (or the latest one)."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        plan = selectors.plan_current(request.user)
        if plan is None:
            return render(request, "programme/plan_none.html", programme_nav(request, "plan"))
        return redirect("programme:plan", pk=plan.pk)


class PlanView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        plan = selectors.plan_get_for_user(request.user, pk)
        year_form, year = chosen_year(request, plan)
        rows = selectors.plan_task_rows(request.user, plan, year=year)
        wanted = request.GET.get("q", "")[:100]
        open_all = request.GET.get("open") == "all"
        tree, found = task_tree(rows, open_all=open_all, wanted=wanted)
        context = {
            "plan": plan,
            "objectives": list(plan.objectives.all()),
            "rows": tree,
            "task_query": wanted,
            "task_found": found,
            "open_all": open_all,
            "year_form": year_form,
            "year": year,
            "report_successors": report_successors(plan),
            "province_name": province_name(plan),
            "plans": list(selectors.plan_list(request.user).filter(parent__isnull=True)),
            **plan_page_context(request, plan),
            **programme_nav(request, "plan"),
        }
        return render(request, "programme/plan.html", context)


class TaskView(PermissionRequiredMixin, View):
    """One task: its text, who carries it, its status history and the activities under it."""

    permission = Perm.PROGRAMME_VIEW

    def load(self, request, pk: int, task_id: int) -> tuple[Plan, Task]:
        plan = selectors.plan_get_for_user(request.user, pk)
        task = plan.tasks.filter(pk=task_id).first()
        if task is None:
            raise Http404
        return plan, task

    def show(self, request, plan, task, form=None, *, stale=False, status=200) -> HttpResponse:
        user = request.user
        year_form, year = chosen_year(request, plan)
        rows = selectors.plan_task_rows(user, plan, year=year)
        row = next(r for r in rows if r.task.pk == task.pk)
        ancestors: list[Task] = []
        by_pk = {r.task.pk: r.task for r in rows}
        node = by_pk.get(task.parent_id) if task.parent_id else None
        while node is not None:
            ancestors.insert(0, node)
            node = by_pk.get(node.parent_id) if node.parent_id else None
        children = [r for r in rows if r.task.parent_id == task.pk]
        activities = None
        more = 0
        if may_see_activities(user):
            qs = selectors.task_activities(user, task)
            if year:
                qs = qs.filter(start_date__year=year)
            qs = qs.order_by("-start_date", "-pk")
            activities = list(qs[: TASK_ACTIVITY_LIMIT + 1])
            more = len(activities) > TASK_ACTIVITY_LIMIT
            activities = activities[:TASK_ACTIVITY_LIMIT]
        coordinator = has_perm(user, Perm.PROGRAMME_COORDINATE)
        if coordinator and form is None:
            form = forms.TaskStatusForm(
                initial={
                    "status": task.status,
                    "comment": task.status_comment,
                    "version": task.version,
                }
            )
        context = {
            "plan": plan,
            "task": task,
            "row": row,
            **split_responsible(row.responsible),
            "ancestors": ancestors,
            "show_text": bool(task.text.strip()) and task.text.strip() != task.label.strip(),
            "province_name": province_name(plan),
            "children": children,
            "history": list(task.status_changes.select_related("by")[:50]),
            "activities": activities,
            "more_activities": more,
            "activities_url": reverse("programme:activities") + f"?plan={plan.pk}&task={task.code}",
            "status_form": form if coordinator else None,
            "stale": stale,
            "year_form": year_form,
            "year": year,
            **programme_nav(request, "plan"),
        }
        return render(request, "programme/task.html", context, status=status)

    def get(self, request, pk, task_id):
        plan, task = self.load(request, pk, task_id)
        return self.show(request, plan, task)

    def post(self, request, pk, task_id):
        if not has_perm(request.user, Perm.PROGRAMME_COORDINATE):
            deny(request, Perm.PROGRAMME_COORDINATE)
        plan, task = self.load(request, pk, task_id)
        form = forms.TaskStatusForm(request.POST)
        if not form.is_valid():
            return self.show(request, plan, task, form, status=400)
        d = form.cleaned_data
        try:
            services.task_status_set(
                actor=request.user,
                task=task,
                status=d["status"],
                comment=d["comment"],
                version=d["version"],
                request=request,
            )
        except ValidationError as exc:
            task.refresh_from_db()
            stale = task.version != d["version"]
            if stale:
                # What was typed stays; the version moves on so a second save, made knowingly
                # after reading the new status, goes through.
                data = request.POST.copy()
                data["version"] = str(task.version)
                form = forms.TaskStatusForm(data)
                form.is_valid()
            else:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            return self.show(request, plan, task, form, stale=stale, status=409 if stale else 400)
        messages.success(
            request, _("Đã cập nhật tình trạng nhiệm vụ %(code)s.") % {"code": task.code}
        )
        return redirect("programme:task", pk=plan.pk, task_id=task.pk)
