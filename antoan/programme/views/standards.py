"""Standards of models and service facilities: assessments against a checklist, model reviews
and the facilities page. Every programme role reads them; the coordinator records them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin
from antoan.programme import forms, selectors, services
from antoan.programme.choices import AssessmentStatus, ReviewDecision
from antoan.programme.forms.standards import note_field, score_field
from antoan.programme.models import FACILITY_KINDS, Assessment, Checklist, CommunityModel
from antoan.programme.selectors import standards
from antoan.programme.views.common import add_errors, programme_nav


def _nav(request: Any, subject: Any) -> dict[str, Any]:
    return programme_nav(request, "facilities" if isinstance(subject, Agency) else "models")


def subject_url(assessment: Assessment) -> str:
    if assessment.community_model_id:
        return reverse("programme:model", args=[assessment.community_model_id])
    return reverse("programme:facility", args=[assessment.facility_id])


# --- Assessments ------------------------------------------------------------------------------


class _AssessmentFormView(PermissionRequiredMixin, View):
    """Score a model or a facility against one of the checklists that apply to it."""

    permission = Perm.PROGRAMME_COORDINATE

    def subject(self, pk: Any) -> tuple[CommunityModel | None, Agency | None]:
        raise NotImplementedError

    def back_url(self, subject: Any) -> str:
        raise NotImplementedError

    def checklist(self, request: Any, applicable: list[Checklist]) -> Checklist | None:
        value = request.POST.get("checklist") if request.method == "POST" else None
        value = value or request.GET.get("checklist")
        if value:
            if request.method == "POST":
                # Any stored version: the service says why a wrong one does not apply.
                try:
                    return standards.checklist_get_for_user(request.user, value)
                except Http404:
                    return None
            return next((c for c in applicable if str(c.pk) == value), None)
        return applicable[0] if len(applicable) == 1 else None

    def show(self, request, *, subject, applicable, checklist, form, status=200):
        context = {
            "subject": subject,
            "is_facility": isinstance(subject, Agency),
            "applicable": applicable,
            "checklist": checklist,
            "form": form,
            "assessment": None,
            "back_url": self.back_url(subject),
            **_nav(request, subject),
        }
        return render(request, "programme/assessment_form.html", context, status=status)

    def get(self, request, pk):
        model, facility = self.subject(pk)
        subject = model or facility
        applicable = standards.checklists_for(request.user, model=model, facility=facility)
        checklist = self.checklist(request, applicable)
        form = None
        if checklist is not None:
            form = forms.AssessmentForm(
                initial={"assessed_on": timezone.localdate(), "status": AssessmentStatus.DRAFT},
                criteria=list(checklist.criteria.all()),
            )
        return self.show(
            request, subject=subject, applicable=applicable, checklist=checklist, form=form
        )

    def post(self, request, pk):
        model, facility = self.subject(pk)
        subject = model or facility
        applicable = standards.checklists_for(request.user, model=model, facility=facility)
        checklist = self.checklist(request, applicable)
        if checklist is None:
            messages.error(request, _("Hãy chọn một bộ tiêu chí áp dụng được."))
            return self.show(
                request,
                subject=subject,
                applicable=applicable,
                checklist=None,
                form=None,
                status=400,
            )
        form = forms.AssessmentForm(request.POST, criteria=list(checklist.criteria.all()))
        if form.is_valid():
            try:
                assessment = services.assessment_save(
                    actor=request.user,
                    data=assessment_input(form, checklist),
                    model=model,
                    facility=facility,
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc, form.error_aliases)
            else:
                messages.success(request, _("Đã lưu đánh giá."))
                return redirect("programme:assessment", pk=assessment.pk)
        return self.show(
            request,
            subject=subject,
            applicable=applicable,
            checklist=checklist,
            form=form,
            status=400,
        )


def assessment_input(form: forms.AssessmentForm, checklist: Checklist) -> services.AssessmentInput:
    d = form.cleaned_data
    scores = {}
    for c in form.criteria:
        score = d.get(score_field(c))
        note = d.get(note_field(c)) or ""
        if score is not None or note.strip():
            scores[c.code] = services.ScoreInput(score=score, note=note)
    return services.AssessmentInput(
        checklist=checklist,
        assessed_on=d["assessed_on"],
        status=d["status"],
        note=d.get("note") or "",
        scores=scores,
    )


class ModelAssessmentNewView(_AssessmentFormView):
    def subject(self, pk):
        return selectors.community_model_get_for_user(self.request.user, pk), None

    def back_url(self, subject):
        return reverse("programme:model", args=[subject.pk])


class FacilityAssessmentNewView(_AssessmentFormView):
    def subject(self, pk):
        return None, standards.facility_get_for_user(self.request.user, pk)

    def back_url(self, subject):
        return reverse("programme:facility", args=[subject.pk])


class AssessmentView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        assessment = standards.assessment_get_for_user(request.user, pk)
        scores = {s.criterion_id: s for s in assessment.scores.all()}
        rows, group = [], None
        for c in assessment.checklist.criteria.all():
            rows.append(
                {
                    "criterion": c,
                    "new_group": c.group if c.group != group else None,
                    "score": scores.get(c.pk),
                }
            )
            group = c.group
        context = {
            "assessment": assessment,
            "checklist": assessment.checklist,
            "subject": assessment.subject,
            "subject_url": subject_url(assessment),
            "rows": rows,
            "may_edit": selectors.sees_all_activities(request.user) and not assessment.is_final,
            **_nav(request, assessment.subject),
        }
        return render(request, "programme/assessment.html", context)


class AssessmentEditView(PermissionRequiredMixin, View):
    """Go on scoring a draft. Two coordinators at once cannot overwrite each other."""

    permission = Perm.PROGRAMME_COORDINATE

    def show(self, request, assessment, form, *, stale=False, status=200):
        context = {
            "subject": assessment.subject,
            "is_facility": assessment.facility_id is not None,
            "applicable": [assessment.checklist],
            "checklist": assessment.checklist,
            "form": form,
            "assessment": assessment,
            "stale": stale,
            "back_url": reverse("programme:assessment", args=[assessment.pk]),
            **_nav(request, assessment.subject),
        }
        return render(request, "programme/assessment_form.html", context, status=status)

    def draft(self, request, pk):
        assessment = standards.assessment_get_for_user(request.user, pk)
        if assessment.is_final:
            messages.info(
                request,
                _("Đánh giá này đã hoàn thành nên không sửa được; hãy lập một lần đánh giá mới."),
            )
        return assessment

    def get(self, request, pk):
        assessment = self.draft(request, pk)
        if assessment.is_final:
            return redirect("programme:assessment", pk=assessment.pk)
        initial: dict[str, Any] = {
            "assessed_on": assessment.assessed_on,
            "status": assessment.status,
            "note": assessment.note,
            "version": assessment.version,
        }
        for s in assessment.scores.all():
            initial[score_field(s.criterion)] = s.score
            initial[note_field(s.criterion)] = s.note
        criteria = list(assessment.checklist.criteria.all())
        return self.show(
            request, assessment, forms.AssessmentForm(initial=initial, criteria=criteria)
        )

    def post(self, request, pk):
        assessment = self.draft(request, pk)
        if assessment.is_final:
            return redirect("programme:assessment", pk=assessment.pk)
        criteria = list(assessment.checklist.criteria.all())
        form = forms.AssessmentForm(request.POST, criteria=criteria)
        if form.is_valid():
            try:
                saved = services.assessment_save(
                    actor=request.user,
                    data=assessment_input(form, assessment.checklist),
                    instance=assessment,
                    version=form.cleaned_data.get("version"),
                    request=request,
                )
            except services.AssessmentConflict as exc:
                posted = request.POST.copy()
                posted["version"] = str(exc.assessment.version)
                form = forms.AssessmentForm(posted, criteria=criteria)
                form.is_valid()
                return self.show(request, exc.assessment, form, stale=True, status=409)
            except ValidationError as exc:
                add_errors(form, exc, form.error_aliases)
            else:
                messages.success(request, _("Đã lưu đánh giá."))
                return redirect("programme:assessment", pk=saved.pk)
        return self.show(request, assessment, form, status=400)


# --- Model reviews ----------------------------------------------------------------------------


class ReviewNewView(PermissionRequiredMixin, View):
    """Review a model's results over a period and decide whether to go on with it."""

    permission = Perm.PROGRAMME_COORDINATE

    def show(self, request, model, form, figures, *, status=200):
        context = {
            "model": model,
            "form": form,
            "figures": figures,
            "stop": ReviewDecision.STOP,
            **programme_nav(request, "models"),
        }
        return render(request, "programme/review_form.html", context, status=status)

    def get(self, request, pk):
        model = selectors.community_model_get_for_user(request.user, pk)
        start, end = standards.review_default_period(model)
        form = forms.ReviewForm(
            initial={
                "period_start": start,
                "period_end": end,
                "members_total": model.members_total,
                "members_female": model.members_female,
                "decided_on": timezone.localdate(),
            }
        )
        return self.show(request, model, form, standards.review_figures(model, start, end))

    def post(self, request, pk):
        model = selectors.community_model_get_for_user(request.user, pk)
        form = forms.ReviewForm(request.POST)
        figures = None
        if form.is_valid():
            d = form.cleaned_data
            figures = standards.review_figures(model, d["period_start"], d["period_end"])
            try:
                services.model_review_create(
                    actor=request.user,
                    model=model,
                    data=services.ReviewInput(
                        period_start=d["period_start"],
                        period_end=d["period_end"],
                        members_total=d["members_total"],
                        members_female=d["members_female"],
                        people_served=d["people_served"],
                        survivors_supported=d["survivors_supported"],
                        decision=d["decision"],
                        reasons=d["reasons"],
                        decided_on=d["decided_on"],
                    ),
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                if d["decision"] == ReviewDecision.STOP:
                    messages.success(
                        request, _("Đã lưu kết quả rà soát. Mô hình chuyển sang “Đã giải thể”.")
                    )
                else:
                    messages.success(request, _("Đã lưu kết quả rà soát."))
                return redirect("programme:model", pk=model.pk)
        return self.show(request, model, form, figures, status=400)


# --- Service facilities -----------------------------------------------------------------------


class FacilityListView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        kinds = [(k, Agency.Kind(k).label) for k in FACILITY_KINDS]
        kind = request.GET.get("kind", "")
        facilities = standards.facility_list(request.user)
        if kind in FACILITY_KINDS:
            facilities = facilities.filter(kind=kind)
        else:
            kind = ""
        rows = list(facilities)
        standards.attach_latest(rows)
        context = {
            "facilities": rows,
            "kinds": kinds,
            "kind": kind,
            **programme_nav(request, "facilities"),
        }
        return render(request, "programme/facilities.html", context)


class FacilityView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        facility = standards.facility_get_for_user(request.user, pk)
        context = {
            "facility": facility,
            "assessments": list(standards.assessment_list(request.user).filter(facility=facility)),
            "may_assess": selectors.sees_all_activities(request.user),
            **programme_nav(request, "facilities"),
        }
        return render(request, "programme/facility.html", context)
