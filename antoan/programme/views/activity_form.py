"""Recording an activity and changing it: choose the kind, then one form with the common
fields and that kind's own; a stale version shows what happened and keeps what was typed."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.drafts import draft_key, form_draft_submitted
from antoan.core.permissions import PermissionRequiredMixin
from antoan.programme import forms, selectors, services
from antoan.programme.choices import AGE_BANDS, ActivityKind
from antoan.programme.models import Activity, CommunityModel, Plan
from antoan.programme.views.common import (
    current_agency_choices,
    default_place_code,
    no_place_message,
    place_by_code,
    place_choices,
    plan_from_request,
    programme_nav,
    reporting_agencies,
)

KIND_HELP = {
    ActivityKind.COMMUNICATION: gettext_lazy(
        "Hội nghị truyền thông, loa truyền thanh, mạng xã hội, hội thi…"
    ),
    ActivityKind.TRAINING: gettext_lazy("Lớp tập huấn, bồi dưỡng: có danh sách học viên."),
    ActivityKind.CONFERENCE: gettext_lazy("Hội nghị, hội thảo, tọa đàm, đối thoại chính sách."),
    ActivityKind.STUDY_VISIT: gettext_lazy("Đoàn đi tham quan, học tập kinh nghiệm."),
    ActivityKind.INSPECTION: gettext_lazy("Đoàn kiểm tra liên ngành: kết quả và kiến nghị."),
    ActivityKind.COMMENDATION: gettext_lazy("Quyết định biểu dương, khen thưởng."),
    ActivityKind.MODEL_ACTIVITY: gettext_lazy("Sinh hoạt, hoạt động của một mô hình đã đăng ký."),
    ActivityKind.OTHER: gettext_lazy("Hoạt động khác thực hiện kế hoạch."),
}


def activity_draft_key(kind: str, activity: Activity | None) -> str:
    """The server-side draft of a new activity of a kind, or of changes to one activity."""
    if activity is not None:
        return draft_key("programme:activity", activity.pk)
    return draft_key("programme:activity_new", kind)


def task_options(plan: Plan) -> list[Any]:
    return list(plan.tasks.order_by("order"))


class ActivityFormMixin(PermissionRequiredMixin):
    permission = Perm.PROGRAMME_REPORT

    def build_form(
        self, kind: str, plan: Plan, data: Any = None, initial: Any = None
    ) -> forms.ActivityForm:
        user = self.request.user
        self.tasks = task_options(plan)
        self.models = {str(m.pk): m for m in selectors.community_model_list(user).order_by("name")}
        return forms.ActivityForm(
            data,
            initial=initial,
            kind=kind,
            agencies=[(a.pk, a.name) for a in reporting_agencies(user)],
            tasks=[(str(t.pk), f"{t.code}. {t.label}") for t in self.tasks],
            communes=place_choices(user),
            partner_choices=current_agency_choices(user),
            models=[(pk, f"{m.name} ({m.place.name})") for pk, m in self.models.items()],
            period=(plan.period_start, plan.period_end),
        )

    def render_form(
        self,
        form: forms.ActivityForm,
        recs: Any,
        plan: Plan,
        *,
        activity: Activity | None = None,
        conflict: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        chosen = set(form["tasks"].value() or [])
        context = {
            "form": form,
            "recs": recs,
            "plan": plan,
            "activity": activity,
            "kind": form.kind_value,
            "kind_label": ActivityKind(form.kind_value).label,
            "task_rows": [(t, str(t.pk) in chosen) for t in self.tasks],
            "conflict": conflict,
            "draft_key": activity_draft_key(form.kind_value, activity),
            **programme_nav(self.request, "activities"),
        }
        return render(self.request, "programme/activity_form.html", context, status=status)

    def recommendations(self, kind: str, data: Any = None, initial: Any = None) -> Any:
        if kind != ActivityKind.INSPECTION:
            return None
        return forms.RecommendationFormSet(data, initial=initial, prefix="recs")

    def to_input(
        self, form: forms.ActivityForm, recs: Any, plan: Plan
    ) -> services.ActivityInput | None:
        """The form as the services take it; None (with the error shown) if the place is
        unknown on the activity's date."""
        d = form.cleaned_data
        place = place_by_code(form.place_code_value, d["start_date"])
        if place is None:
            # A date outside the plan is the first thing to fix: let the service say so
            # rather than send the user hunting for a place code of 2020.
            in_period = plan.period_start <= d["start_date"] <= plan.period_end
            place = None if in_period else place_by_code(form.place_code_value)
        if place is None:
            field = "place_code" if (d.get("place_code") or "").strip() else "commune"
            form.add_error(field, no_place_message(form.place_code_value, d["start_date"]))
            return None
        agencies = {a.pk: a for a in reporting_agencies(self.request.user)}
        task_ids = {int(pk) for pk in d["tasks"]}
        details = {name: d.get(name) for name in form.kind_names}
        if "community_model" in details:
            details["community_model"] = self.models.get(details["community_model"] or "")
        partner_ids = [int(pk) for pk in d.get("partners") or []]
        member_ids = [int(pk) for pk in d.get("member_agencies") or []]
        wanted = Agency.objects.in_bulk(set(partner_ids) | set(member_ids))
        kind = form.kind_value
        return services.ActivityInput(
            kind=kind,
            title=d["title"] or "",
            tasks=[t for t in self.tasks if t.pk in task_ids],
            agency=agencies[d["agency"]],
            place=place,
            start_date=d["start_date"],
            end_date=d["end_date"],
            participants_total=d.get("participants_total"),
            participants_female=d.get("participants_female") or 0,
            participants_male=d.get("participants_male") or 0,
            participants_other=d.get("participants_other") or 0,
            description=d["description"] or "",
            partners=[wanted[pk] for pk in partner_ids if pk in wanted],
            partners_other=d["partners_other"] or "",
            target_groups=list(d["target_groups"]),
            ages={name: d.get(name) for name, _label in AGE_BANDS},
            details=details,
            spending=form.spending(),
            trainees=form.trainee_list if kind == ActivityKind.TRAINING else None,
            members=[services.MemberInput(agency=wanted[pk]) for pk in member_ids if pk in wanted]
            if kind == ActivityKind.INSPECTION
            else None,
            recommendations=[f.to_input() for f in forms.filled_recommendations(recs)]
            if recs is not None
            else None,
        )


class ActivityNewView(ActivityFormMixin, View):
    def get(self, request):
        plan = plan_from_request(request.user, request.GET.get("plan"))
        kind = request.GET.get("kind", "")
        if kind not in ActivityKind.values:
            return render(
                request,
                "programme/activity_kind.html",
                {
                    "plan": plan,
                    "kinds": [(k, label, KIND_HELP[k]) for k, label in ActivityKind.choices],
                    "task": request.GET.get("task", ""),
                    **programme_nav(request, "activities"),
                },
            )
        agencies = reporting_agencies(request.user)
        initial: dict[str, Any] = {
            "kind": kind,
            "client_uuid": uuid.uuid4(),
            "agency": agencies[0].pk if agencies else None,
            "commune": default_place_code(request.user),
        }
        form = self.build_form(kind, plan, initial=initial)
        code = request.GET.get("task", "")
        chosen = [str(t.pk) for t in self.tasks if t.code == code]
        if chosen:
            form.initial["tasks"] = chosen
        return self.render_form(form, self.recommendations(kind), plan)

    def post(self, request):
        plan = plan_from_request(request.user, request.GET.get("plan") or request.POST.get("plan"))
        kind = request.POST.get("kind", "")
        if kind not in ActivityKind.values:
            return redirect("programme:activity_new")
        form = self.build_form(kind, plan, data=request.POST)
        recs = self.recommendations(kind, request.POST)
        valid = [form.is_valid(), recs is None or recs.is_valid()]
        data = self.to_input(form, recs, plan) if all(valid) else None
        if data is not None:
            try:
                activity, created = services.activity_create(
                    actor=request.user,
                    plan=plan,
                    data=data,
                    client_uuid=form.cleaned_data.get("client_uuid"),
                    request=request,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                form_draft_submitted(request, activity_draft_key(kind, None))
                if created:
                    messages.success(request, _("Đã ghi nhận hoạt động “%(t)s”.") % {"t": activity})
                else:
                    messages.info(request, _("Hoạt động này đã được ghi nhận trước đó."))
                return redirect("programme:activity", pk=activity.pk)
        return self.render_form(form, recs, plan, status=400)


def initial_of(activity: Activity) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "kind": activity.kind,
        "version": activity.version,
        "agency": activity.agency_id,
        "title": activity.title,
        "description": activity.description,
        "tasks": [str(pk) for pk in activity.tasks.values_list("pk", flat=True)],
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "place_code": activity.place.code,
        "partners": [str(pk) for pk in activity.partners.values_list("pk", flat=True)],
        "partners_other": activity.partners_other,
        "target_groups": list(activity.target_groups),
        "participants_total": activity.participants_total,
        "participants_female": activity.participants_female,
        "participants_male": activity.participants_male,
        "participants_other": activity.participants_other,
    }
    for name, _label in AGE_BANDS:
        initial[name] = getattr(activity, name)
    for name in services.KIND_FIELDS.get(activity.kind, {}):
        value = getattr(activity, name)
        initial[name] = str(value.pk) if isinstance(value, CommunityModel) else value
    for s in activity.spending.all():
        initial[f"spend_{s.source}"] = s.amount
    if activity.kind == ActivityKind.TRAINING:
        initial["trainees"] = forms.trainees_as_text(activity.trainees.all())
    if activity.kind == ActivityKind.INSPECTION:
        initial["member_agencies"] = [
            str(pk) for pk in activity.inspection_members.values_list("agency_id", flat=True)
        ]
    return initial


class ActivityEditView(ActivityFormMixin, View):
    def load(self, request, pk) -> Activity:
        activity = selectors.activity_get_for_user(request.user, pk)
        if not services.may_edit_activity(request.user, activity):
            raise PermissionDenied
        return activity

    def get(self, request, pk):
        activity = selectors.activity_get_for_user(request.user, pk)
        if not services.may_edit_activity(request.user, activity):
            year = selectors.locked_report_year(
                activity.plan_id, activity.agency_id, activity.start_date
            )
            if year and activity.agency_id in selectors.reporting_agency_ids(request.user):
                messages.warning(
                    request,
                    _(
                        "Báo cáo năm %(year)s đã nộp nên không sửa được hoạt động này. Hãy đề "
                        "nghị cán bộ điều phối trả lại báo cáo."
                    )
                    % {"year": year},
                )
                return redirect("programme:activity", pk=activity.pk)
            raise PermissionDenied
        initial = initial_of(activity)
        form = self.build_form(activity.kind, activity.plan, initial=initial)
        if initial["place_code"] in {code for code, _name in form.fields["commune"].choices}:
            form.initial["commune"] = initial["place_code"]
            form.initial["place_code"] = ""
        recs = self.recommendations(
            activity.kind,
            initial=[
                {
                    "text": r.text,
                    "responsible": r.responsible,
                    "due_date": r.due_date,
                    "status": r.status,
                    "follow_up": r.follow_up,
                }
                for r in activity.recommendations.all()
            ],
        )
        return self.render_form(form, recs, activity.plan, activity=activity)

    def post(self, request, pk):
        activity = self.load(request, pk)
        plan = activity.plan
        kind = activity.kind
        form = self.build_form(kind, plan, data=request.POST)
        recs = self.recommendations(kind, request.POST)
        valid = [form.is_valid(), recs is None or recs.is_valid()]
        data = self.to_input(form, recs, plan) if all(valid) else None
        conflict = None
        if data is not None:
            try:
                services.activity_update(
                    actor=request.user,
                    activity=activity,
                    version=form.cleaned_data.get("version") or 0,
                    data=data,
                    request=request,
                )
            except services.ActivityConflict as stale:
                conflict = stale.activity
                # What was typed stays; the version moves on so a second save, made knowingly
                # after looking at the current record, goes through.
                posted = request.POST.copy()
                posted["version"] = str(conflict.version)
                form = self.build_form(kind, plan, data=posted)
                recs = self.recommendations(kind, posted)
                form.is_valid()
                if recs is not None:
                    recs.is_valid()
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                form_draft_submitted(request, activity_draft_key(kind, activity))
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("programme:activity", pk=activity.pk)
        return self.render_form(
            form,
            recs,
            plan,
            activity=activity,
            conflict=conflict,
            status=409 if conflict is not None else 400,
        )
