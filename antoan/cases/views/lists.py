"""Lists of cases and of what is due on them."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases import forms, selectors
from antoan.cases.views.common import commune_choices
from antoan.core.audit import audit_record
from antoan.core.permissions import PermissionRequiredMixin

PAGE_SIZE = 25


class CaseListView(PermissionRequiredMixin, View):
    """Cases the user may see, searched and filtered, 25 a page."""

    title: Any = ""
    intro: Any = ""
    mine = False

    def get(self, request, *args, **kwargs):
        form = forms.CaseSearchForm(
            request.GET or None, communes=commune_choices(request.user, self.permission)
        )
        if form.is_bound:
            form.is_valid()
        filters = selectors.CaseFilters(mine=self.mine, **form.filters())
        cases = selectors.case_search(request.user, filters, request=request)
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "cases/list.html",
            {
                "title": self.title,
                "intro": self.intro,
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "searched": any(v for k, v in form.filters().items()),
                "show_worker": not self.mine,
            },
        )


class MyCasesView(CaseListView):
    permission = Perm.CASE_VIEW_ASSIGNED
    title = _("Hồ sơ của tôi")
    intro = _("Các hồ sơ đang được giao cho bạn.")
    mine = True


class TeamCasesView(CaseListView):
    permission = Perm.CASE_VIEW_AGENCY
    title = _("Hồ sơ của cơ quan")
    intro = _("Mọi hồ sơ do cơ quan của bạn quản lý.")


TASK_LABELS = {
    "assessment": _("Đánh giá nguy cơ ban đầu"),
    "case_plan": _("Lập kế hoạch hỗ trợ"),
    "follow_up": _("Theo dõi theo lịch hẹn"),
    "measure_decision": _("Quyết định cấm tiếp xúc (12 giờ)"),
    "closure_approval": _("Duyệt đề nghị đóng ca"),
    "transfer": _("Tiếp nhận hồ sơ chuyển đến"),
}

# Where each kind of task is done.
TASK_PAGES = {
    "assessment": ("cases:assessment_add", ""),
    "case_plan": ("cases:case_plan_add", ""),
    "follow_up": ("cases:follow_up_add", ""),
    "measure_decision": ("cases:detail", "#measures"),
    "closure_approval": ("cases:closure_decide", ""),
}


def _task_url(task: selectors.Task) -> str:
    if task.url:
        return task.url
    name, anchor = TASK_PAGES.get(task.kind, ("cases:detail", ""))
    return reverse(name, args=[task.case.pk]) + anchor


# Due within this many days counts as "due soon"; later ones are listed as upcoming.
SOON_SECONDS = 3 * 24 * 3600


class TasksView(PermissionRequiredMixin, View):
    permission = Perm.CASE_VIEW_ASSIGNED

    def get(self, request, *args, **kwargs):
        tasks = selectors.tasks_for_user(request.user)
        # The list shows survivors' names: it is a read of case data like any list.
        audit_record(action="list", request=request, object_type="case", extra={"page": "tasks"})
        rows = [
            {
                "task": task,
                "label": task.label or TASK_LABELS.get(task.kind, task.kind),
                "url": _task_url(task),
            }
            for task in tasks
        ]
        groups = [
            (
                "overdue",
                _("Quá hạn"),
                [r for r in rows if r["task"].countdown.overdue],
            ),
            (
                "soon",
                _("Sắp đến hạn (trong 3 ngày)"),
                [
                    r
                    for r in rows
                    if not r["task"].countdown.overdue
                    and r["task"].countdown.seconds_left <= SOON_SECONDS
                ],
            ),
            (
                "later",
                _("Sắp tới"),
                [r for r in rows if r["task"].countdown.seconds_left > SOON_SECONDS],
            ),
        ]
        return render(
            request,
            "cases/tasks.html",
            {"groups": groups, "count": len(rows)},
        )
