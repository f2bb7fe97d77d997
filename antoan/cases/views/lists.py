"""Lists of cases and of what is due on them."""

from __future__ import annotations

from typing import Any

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from antoan.accounts.models import User
from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases import forms, selectors
from antoan.cases.views.common import commune_choices
from antoan.core.audit import audit_record
from antoan.core.permissions import PermissionRequiredMixin
from antoan.core.text import positive_id

PAGE_SIZE = 25


def case_rows(cases: list[Any]) -> list[dict[str, Any]]:
    """What each row of the list shows, read once in Python: the template then only writes
    values. Each row's link, labels and date through template tags and filters cost the list
    about 5 ms a page (25 rows), a quarter of the page (docs/performance.md)."""
    # The case page's address without its id ("/cases/"), reversed once for the 25 rows.
    detail = reverse("cases:detail", args=[0])[: -len("0/")]
    risk = dict(c.RiskLevel.choices)
    stage = dict(c.Stage.choices)
    status = dict(c.Status.choices)
    rows = []
    full_name_of = User.full_name_of
    for case in cases:
        # The names come with the row (selectors.case_page): no user or place is loaded.
        first_name = case.worker_first_name
        closed = case.status == c.Status.CLOSED
        rows.append(
            {
                "number": case.number,
                "url": f"{detail}{case.pk}/",
                "risk_level": case.risk_level,
                "risk": risk.get(case.risk_level, case.risk_level),
                "name": case.survivor.full_name,
                "closed": closed,
                "stage": status[case.status] if closed else stage.get(case.stage, case.stage),
                "commune": case.commune_name or "",
                "opened": timezone.localtime(case.opened_at).strftime("%d/%m/%Y"),
                "worker": (
                    None if first_name is None else full_name_of(first_name, case.worker_last_name)
                ),
            }
        )
    return rows


class CaseListView(PermissionRequiredMixin, View):
    """Cases the user may see, searched and filtered, 25 a page, newest first.

    The search box (a name, a phone or a case number) is sent by POST, the page's position
    included, so search terms never appear in a URL, where browsers' history, web servers' and
    proxies' logs would keep them. GET takes only the filters that identify no one (status,
    stage, risk, commune) and the position; a ``q`` in a URL is not searched, and the page says
    why.

    Pages by keyset, like the referral inbox and the case timeline: ``after=<case id>`` for the
    older cases that follow a page, ``before=<case id>`` for the newer ones before it, and no
    count of all matches (counting a common name reads every match; docs/performance.md, "Case
    list: keyset pages"). An id that is not a position among the user's cases gives the first
    page.
    """

    title: Any = ""
    intro: Any = ""
    mine = False

    def get(self, request, *args, **kwargs):
        data = request.GET.copy()
        refused_terms = bool(data.pop("q", None))
        return self._list(request, data or None, refused_terms=refused_terms)

    def post(self, request, *args, **kwargs):
        return self._list(request, request.POST.copy())

    def _list(self, request, data, *, refused_terms: bool = False):
        after = before = None
        if data is not None:
            after = positive_id(data.pop("after", [""])[-1])
            before = positive_id(data.pop("before", [""])[-1])
            data.pop("page", None)  # the old numbered pages: the first page
        form = forms.CaseSearchForm(
            data or None, communes=commune_choices(request.user, self.permission)
        )
        if form.is_bound:
            form.is_valid()
        filters = selectors.CaseFilters(mine=self.mine, **form.filters())
        page = selectors.case_page(
            request.user,
            filters,
            limit=PAGE_SIZE,
            after=after,
            before=None if after else before,
            request=request,
        )
        query = data.urlencode() if data is not None and request.method == "GET" else ""
        return render(
            request,
            "cases/list.html",
            {
                "title": self.title,
                "intro": self.intro,
                "form": form,
                "page": page,
                "rows": case_rows(page.cases),
                "paged": bool(page.older or page.newer),
                "query": query,
                "by_post": request.method == "POST",
                "refused_terms": refused_terms,
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
