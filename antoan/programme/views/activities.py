"""The activity list, one activity's page, and what is added to it: the coordinator's comments,
inspection follow-up, evidence files (upload and download)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from antoan.accounts.roles import Perm
from antoan.accounts.selectors import agency_list
from antoan.cases.choices import Sex
from antoan.core.permissions import PermissionRequiredMixin, has_perm
from antoan.programme import evidence as evidence_services
from antoan.programme import forms, selectors, services
from antoan.programme.choices import AGE_BANDS, FundingSource, TargetGroup
from antoan.programme.models import Activity
from antoan.programme.selectors.campaigns import campaigns_of_activity
from antoan.programme.views.common import (
    PAGE_SIZE,
    add_errors,
    plan_years,
    programme_nav,
    require_activity_access,
    safe_reverse,
)

FLAG_MESSAGES = {
    services.FLAG_NOT_ASSIGNED: gettext_lazy(
        "Cơ quan tổ chức không được phân công nhiệm vụ này trong kế hoạch."
    ),
}


def flag_messages(flags: list[str]) -> list[str]:
    return [str(FLAG_MESSAGES.get(f, f)) for f in flags]


class ActivityListView(PermissionRequiredMixin, View):
    """Activities the user may see, filtered, 25 a page."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        require_activity_access(request)
        user = request.user
        coordinator = selectors.sees_all_activities(user)
        plans = list(selectors.plan_list(user))
        years = sorted({y for p in plans for y in plan_years(p)}, reverse=True)
        agencies = (
            [(a.pk, a.name) for a in agency_list(user=user, include_past=True).order_by("name")]
            if coordinator
            else None
        )
        form = forms.ActivityFilterForm(
            request.GET or None,
            plans=[(p.pk, p.number) for p in plans],
            years=years,
            agencies=agencies,
        )
        f = selectors.ActivityFilter()
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            plan = next((p for p in plans if p.pk == d.get("plan")), None)
            f.plan = plan
            f.kind, f.q, f.flagged = d["kind"], d["q"].strip(), d["flagged"]
            f.year = d.get("year") or None
            f.agency_id = d.get("agency") or None
            code = d["task"].strip()
            if code:
                within = plan or selectors.plan_current(user)
                task = within.tasks.filter(code=code).first() if within else None
                if task is None:
                    form.add_error(
                        "task", _("Không có mục %(code)s trong kế hoạch.") % {"code": code}
                    )
                else:
                    f.task = task
        qs = selectors.activity_filter(selectors.activity_list(user), f)
        qs = qs.prefetch_related("tasks").order_by("-start_date", "-pk")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "searched": bool(query),
            "export_url": safe_reverse("programme_toolkit:export"),
            "coordinator": coordinator,
            **programme_nav(request, "activities"),
        }
        return render(request, "programme/activities.html", context)


def kind_details(activity: Activity) -> list[tuple[str, Any]]:
    """(label, value) of the fields of the activity's kind, as the detail page shows them."""
    rows = []
    for name in services.KIND_FIELDS.get(activity.kind, {}):
        field = Activity._meta.get_field(name)
        if field.choices:
            value: Any = getattr(activity, f"get_{name}_display")()
        else:
            value = getattr(activity, name)
        if isinstance(value, bool):
            value = _("Có") if value else _("Không")
        elif isinstance(value, Decimal):
            value = number_format(value, decimal_pos=1)
        elif isinstance(value, int):
            value = number_format(value, force_grouping=True)
        rows.append((str(field.verbose_name).capitalize(), value))
    return rows


def render_activity(
    request: Any,
    activity: Activity,
    *,
    evidence_form: Any = None,
    comment_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    may_edit = services.may_edit_activity(user, activity)
    own = activity.agency_id in selectors.reporting_agency_ids(user)
    coordinator = has_perm(user, Perm.PROGRAMME_COORDINATE)
    spending = list(activity.spending.all())
    sources = dict(FundingSource.choices)
    targets = dict(TargetGroup.choices)
    trainees = list(activity.trainees.all())
    recommendations = list(activity.recommendations.all())
    context = {
        "activity": activity,
        "tasks": list(activity.tasks.order_by("order")),
        "partners": list(activity.partners.order_by("name")),
        "details": kind_details(activity),
        "target_groups": [targets.get(g, g) for g in activity.target_groups],
        "ages": [(label, getattr(activity, name)) for name, label in AGE_BANDS]
        if activity.age_under_16 is not None
        else [],
        "trainees": trainees,
        "trainee_female": sum(1 for t in trainees if t.sex == Sex.FEMALE),
        "trainee_male": sum(1 for t in trainees if t.sex == Sex.MALE),
        "members": list(activity.inspection_members.select_related("agency")),
        "recommendations": [
            (
                r,
                forms.RecommendationFollowUpForm(
                    initial={"status": r.status, "follow_up": r.follow_up}, prefix=f"rec{r.pk}"
                )
                if own
                else None,
            )
            for r in recommendations
        ],
        "spending": [(sources.get(s.source, s.source), s.amount) for s in spending],
        "spent": sum(s.amount for s in spending),
        "evidence": list(activity.evidence.select_related("uploaded_by")),
        "comments": list(activity.comments.select_related("author")),
        "flags": flag_messages(activity.flags),
        "campaigns": campaigns_of_activity(activity),
        "may_edit": may_edit,
        "locked": selectors.is_year_locked(
            activity.plan_id, activity.agency_id, activity.start_date
        ),
        "own": own,
        "evidence_form": evidence_form
        or (
            forms.EvidenceForm(max_mb=settings.ANTOAN_EVIDENCE_MAX_BYTES / 1048576)
            if may_edit
            else None
        ),
        "comment_form": comment_form or (forms.CommentForm() if coordinator else None),
        **programme_nav(request, "activities"),
    }
    return render(request, "programme/activity.html", context, status=status)


def load_activity(request: Any, pk: Any) -> Activity:
    activity = selectors.activity_get_for_user(request.user, pk)
    return (
        Activity.objects.select_related(
            "agency", "place", "plan", "community_model", "created_by", "updated_by"
        )
        .filter(pk=activity.pk)
        .get()
    )


class ActivityView(PermissionRequiredMixin, View):
    """One activity, for its agency's reporters and the coordinator (404 for anyone else)."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        return render_activity(request, load_activity(request, pk))


class ActivityCommentView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_COORDINATE

    def post(self, request, pk):
        activity = load_activity(request, pk)
        form = forms.CommentForm(request.POST)
        if form.is_valid():
            try:
                services.activity_comment_add(
                    actor=request.user,
                    activity=activity,
                    text=form.cleaned_data["text"],
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Đã gửi nhận xét."))
                return redirect(reverse("programme:activity", args=[pk]) + "#comments")
        return render_activity(request, activity, comment_form=form, status=400)


class RecommendationView(PermissionRequiredMixin, View):
    """The organising agency records the follow-up of an inspection's recommendation."""

    permission = Perm.PROGRAMME_REPORT

    def post(self, request, pk, rec_id):
        activity = load_activity(request, pk)
        recommendation = activity.recommendations.filter(pk=rec_id).first()
        if recommendation is None:
            raise Http404
        form = forms.RecommendationFollowUpForm(request.POST, prefix=f"rec{rec_id}")
        if form.is_valid():
            try:
                services.recommendation_update(
                    actor=request.user,
                    recommendation=recommendation,
                    status=form.cleaned_data["status"],
                    follow_up=form.cleaned_data["follow_up"],
                    request=request,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Đã cập nhật kết quả thực hiện kiến nghị."))
        else:
            messages.error(request, _("Chưa lưu được: tình trạng không hợp lệ."))
        return redirect(reverse("programme:activity", args=[pk]) + "#recommendations")


class EvidenceUploadView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_REPORT

    def post(self, request, pk):
        activity = load_activity(request, pk)
        if not services.may_edit_activity(request.user, activity):
            raise PermissionDenied
        max_mb = settings.ANTOAN_EVIDENCE_MAX_BYTES / 1048576
        form = forms.EvidenceForm(request.POST, request.FILES, max_mb=max_mb)
        if form.is_valid():
            try:
                evidence_services.evidence_add(
                    actor=request.user,
                    activity=activity,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Đã tải lên minh chứng."))
                return redirect(reverse("programme:activity", args=[pk]) + "#evidence")
        return render_activity(request, activity, evidence_form=form, status=400)


class EvidenceDownloadView(PermissionRequiredMixin, View):
    """A file goes out only to users who may see its activity, always as a download."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk, evidence_id):
        activity = selectors.activity_get_for_user(request.user, pk)
        evidence = activity.evidence.filter(pk=evidence_id).first()
        if evidence is None:
            raise Http404
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        evidence_services.evidence_download_record(
            actor=request.user, evidence=evidence, request=request
        )
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
