"""The forms that add to a case or move it along: one page each, one service each."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases import forms, rules, selectors, services
from antoan.cases.models import Case
from antoan.cases.services.retention import case_legal_hold_set, retention_years
from antoan.cases.views.common import (
    CaseActionView,
    case_workers_of,
    commune_options,
    current_agencies,
    today,
)


class AssessmentAddView(CaseActionView):
    form_class = forms.AssessmentForm
    fields_template = "cases/_fields_assessment.html"
    title = gettext_lazy("Đánh giá nguy cơ và nhu cầu")
    intro = gettext_lazy(
        "Hỏi người bị bạo lực từng câu. Mức độ nguy cơ được tính từ các câu trả lời “Có”; "
        "đánh giá mới có thể nâng mức nguy cơ của hồ sơ, không hạ xuống."
    )
    anchor = "assessments"
    draft_form = "cases:assessment"

    def initial(self, case: Case) -> dict[str, Any]:
        return {"needs": list(case.needs), "immediate_danger": case.immediate_danger}

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        record = services.assessment_add(
            case=case,
            actor=self.request.user,
            needs=d["needs"],
            answers=form.answers_dict(),
            immediate_danger=d["immediate_danger"],
            notes=d["notes"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã lưu đánh giá. Mức độ nguy cơ: %(risk)s.") % {
            "risk": record.get_risk_level_display()
        }


class SafetyPlanAddView(CaseActionView):
    form_class = forms.SafetyPlanForm
    title = gettext_lazy("Lập kế hoạch an toàn")
    intro = gettext_lazy("Cùng người bị bạo lực lập kế hoạch ứng phó khi nguy hiểm.")
    anchor = "safety-plans"

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        services.safety_plan_add(
            case=case,
            actor=self.request.user,
            content=d["content"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã lưu kế hoạch an toàn.")


class CasePlanAddView(CaseActionView):
    form_class = forms.CasePlanForm
    fields_template = "cases/_fields_case_plan.html"
    title = gettext_lazy("Lập kế hoạch hỗ trợ")
    intro = gettext_lazy(
        "Ghi mục tiêu đã thống nhất với người bị bạo lực và các dịch vụ cần có: "
        "cơ quan nào phụ trách, hạn khi nào (tối đa 5 dịch vụ mỗi kế hoạch)."
    )
    anchor = "case-plans"

    def formsets(self, case, data) -> dict[str, Any]:
        agencies = current_agencies(self.request.user)
        return {
            "items": forms.PlanItemFormSet(
                data,
                prefix="items",
                form_kwargs={"agencies": agencies},
                suggestions=self.suggested(case),
            )
        }

    def suggested(self, case: Case) -> list[str]:
        if not hasattr(self, "_suggested"):
            self._suggested = selectors.assessed_needs(case)[:5]
        return self._suggested

    def extra_context(self, case: Case) -> dict[str, Any]:
        labels = dict(c.Need.choices)
        return {"suggested_needs": [labels.get(need, need) for need in self.suggested(case)]}

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        rows = forms.filled(formsets["items"])
        services.case_plan_add(
            case=case,
            actor=self.request.user,
            goals=d["goals"],
            items=[row.to_input() for row in rows],
            version=d["version"],
            request=self.request,
        )
        return _("Đã lưu kế hoạch hỗ trợ.")


class FollowUpAddView(CaseActionView):
    form_class = forms.FollowUpForm
    title = gettext_lazy("Ghi nhận theo dõi")
    anchor = "follow-ups"

    def initial(self, case: Case) -> dict[str, Any]:
        return {"done_on": today()}

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        services.follow_up_add(
            case=case,
            actor=self.request.user,
            done_on=d["done_on"],
            method=d["method"],
            notes=d["notes"],
            next_due=d["next_due"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã lưu lần theo dõi.")


class NoteAddView(CaseActionView):
    form_class = forms.NoteForm
    title = gettext_lazy("Thêm ghi chú")
    intro = gettext_lazy("Ghi chú được mã hóa khi lưu và chỉ người phụ trách hồ sơ xem được.")
    anchor = "notes"

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        services.note_add(
            case=case,
            actor=self.request.user,
            body=d["body"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã lưu ghi chú.")


class IncidentAddView(CaseActionView):
    form_class = forms.IncidentAddForm
    fields_template = "cases/_fields_incident.html"
    title = gettext_lazy("Ghi nhận vụ việc")
    anchor = "incidents"

    def initial(self, case: Case) -> dict[str, Any]:
        return {"first_reported_on": today()}

    def form_kwargs(self, case: Case) -> dict[str, Any]:
        communes = commune_options(self.request.user, Perm.CASE_VIEW_ASSIGNED)
        return {**super().form_kwargs(case), "communes": communes}

    def formsets(self, case, data) -> dict[str, Any]:
        return {"perpetrators": forms.PerpetratorFormSet(data, prefix="perpetrators")}

    def perform(self, case, form, formsets) -> str:
        rows = forms.filled(formsets["perpetrators"])
        record = services.incident_add(
            case=case,
            actor=self.request.user,
            incident=form.to_input([row.to_input() for row in rows]),
            version=form.cleaned_data["version"],
            request=self.request,
        )
        return _("Đã ghi nhận vụ việc: %(type)s.") % {"type": record.get_gbv_type_display()}


class ConsentRecordView(CaseActionView):
    form_class = forms.ConsentRecordForm
    title = gettext_lazy("Ghi nhận ý kiến đồng ý")
    intro = gettext_lazy(
        "Ý kiến mới thay thế ý kiến trước cho từng mục đích. Với trẻ em dưới 18 tuổi, người "
        "giám hộ cho ý kiến; trẻ từ đủ 7 tuổi cũng phải đồng ý."
    )
    anchor = "consents"
    needs_open = False

    def form_kwargs(self, case: Case) -> dict[str, Any]:
        return {"agencies": current_agencies(self.request.user, exclude=case.agency_id)}

    def initial(self, case: Case) -> dict[str, Any]:
        # Start from the decisions in force: saving without a change must not withdraw one.
        return {
            "services": selectors.consent_current(case, c.ConsentPurpose.SERVICES),
            "reporting": selectors.consent_current(case, c.ConsentPurpose.REPORTING),
        }

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        services.consent_record(
            case=case,
            actor=self.request.user,
            consent=form.to_input(d["sharing_agencies"]),
            version=d["version"],
            request=self.request,
        )
        return _("Đã ghi nhận ý kiến đồng ý.")


class ConsentWithdrawView(CaseActionView):
    form_class = forms.ConfirmForm
    title = gettext_lazy("Rút lại đồng ý")
    submit_label = gettext_lazy("Rút lại đồng ý")
    anchor = "consents"
    needs_open = False

    def purpose(self) -> str:
        purpose = self.kwargs["purpose"]
        if purpose not in c.ConsentPurpose.values:
            raise Http404
        return purpose

    def extra_context(self, case: Case) -> dict[str, Any]:
        label = c.ConsentPurpose(self.purpose()).label
        return {
            "intro": _(
                "Người bị bạo lực rút lại đồng ý cho mục đích “%(purpose)s”. Việc rút lại có "
                "hiệu lực ngay."
            )
            % {"purpose": label},
            "danger_submit": True,
        }

    def perform(self, case, form, formsets) -> str:
        services.consent_withdraw(
            case=case,
            actor=self.request.user,
            purpose=self.purpose(),
            version=form.cleaned_data["version"],
            request=self.request,
        )
        return _("Đã rút lại đồng ý: %(purpose)s.") % {
            "purpose": c.ConsentPurpose(self.purpose()).label
        }


class MeasureRequestView(CaseActionView):
    form_class = forms.MeasureRequestForm
    title = gettext_lazy("Đề nghị biện pháp bảo vệ")
    intro = gettext_lazy(
        "Biện pháp ngăn chặn, bảo vệ theo Điều 23 Luật Phòng, chống bạo lực gia đình 2022. "
        "Đề nghị cấm tiếp xúc gửi Chủ tịch UBND xã phải được quyết định trong 12 giờ."
    )
    anchor = "measures"

    def initial(self, case: Case) -> dict[str, Any]:
        return {"requested_at": timezone.localtime(services.now()).replace(second=0, microsecond=0)}

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        measure = services.measure_request(
            case=case,
            actor=self.request.user,
            type=d["type"],
            deciding_body=d["deciding_body"],
            requested_at=d["requested_at"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã ghi nhận đề nghị: %(type)s.") % {"type": measure.get_type_display()}


class MeasureDecideView(CaseActionView):
    form_class = forms.MeasureDecisionForm
    fields_template = "cases/_fields_measure_decision.html"
    title = gettext_lazy("Ghi nhận quyết định về biện pháp bảo vệ")
    anchor = "measures"
    needs_open = False

    def measure(self, case: Case) -> Any:
        if not hasattr(self, "_measure"):
            self._measure = selectors.measure_get(case, self.kwargs["measure_id"])
        return self._measure

    def unavailable(self, case: Case) -> str:
        if self.measure(case).decision != c.MeasureDecision.PENDING:
            return _("Biện pháp này đã có quyết định.")
        return super().unavailable(case)

    def initial(self, case: Case) -> dict[str, Any]:
        moment = timezone.localtime(services.now()).replace(second=0, microsecond=0)
        return {"decided_at": moment}

    def extra_context(self, case: Case) -> dict[str, Any]:
        measure = self.measure(case)
        deadline = rules.decision_deadline(
            measure_type=measure.type, requested_at=measure.requested_at
        )
        left = rules.countdown(deadline=deadline, now=services.now()) if deadline else None
        return {"measure": measure, "deadline": deadline, "countdown": left}

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        measure = services.measure_decide(
            measure=self.measure(case),
            actor=self.request.user,
            decision=d["decision"],
            decided_at=d["decided_at"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            refusal_reason=d["refusal_reason"],
            late_reason=d["late_reason"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã ghi nhận quyết định: %(type)s — %(decision)s.") % {
            "type": measure.get_type_display(),
            "decision": measure.get_decision_display(),
        }


class ClosureRequestView(CaseActionView):
    form_class = forms.ClosureRequestForm
    title = gettext_lazy("Đề nghị đóng ca")
    intro = gettext_lazy(
        "Giám sát quản lý ca sẽ xem xét và duyệt hoặc trả lại đề nghị. Trong khi chờ duyệt, "
        "hồ sơ vẫn được theo dõi bình thường."
    )
    submit_label = gettext_lazy("Gửi đề nghị đóng ca")
    fields_template = "cases/_fields_closure_request.html"
    anchor = "closure"

    def unavailable(self, case: Case) -> str:
        if case.stage == c.Stage.CLOSURE_REQUESTED:
            return _("Hồ sơ đang chờ giám sát duyệt đóng ca.")
        return super().unavailable(case)

    def extra_context(self, case: Case) -> dict[str, Any]:
        return {"gaps": selectors.closure_gaps(case)}

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        services.closure_request(
            case=case,
            actor=self.request.user,
            reason=d["reason"],
            checklist=form.checklist_dict(),
            missing_reason=d["missing_reason"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã gửi đề nghị đóng ca cho giám sát.")


class ClosureDecideView(CaseActionView):
    form_class = forms.ClosureDecisionForm
    fields_template = "cases/_fields_closure_decision.html"
    title = gettext_lazy("Duyệt đề nghị đóng ca")
    submit_label = gettext_lazy("Ghi quyết định")
    requires = "approve"
    anchor = "closure"

    def unavailable(self, case: Case) -> str:
        if case.stage != c.Stage.CLOSURE_REQUESTED:
            return _("Không có đề nghị đóng ca nào đang chờ duyệt.")
        return ""

    def extra_context(self, case: Case) -> dict[str, Any]:
        # The case came through the scoped selector: its own records may be read from it.
        pending = (
            case.closure_requests.filter(decision=c.ClosureDecision.PENDING)
            .select_related("requested_by")
            .last()
        )
        checklist = (
            [
                (label, pending.checklist.get(code) is True)
                for code, label in rules.CLOSURE_CHECKLIST.items()
            ]
            if pending
            else []
        )
        gaps = selectors.closure_gaps(case)
        explained = set(pending.missing) if pending and pending.missing_reason else set()
        return {
            "pending": pending,
            "checklist": checklist,
            "gaps": gaps,
            # Gaps the worker did not explain: approving needs the supervisor's own reason.
            "unexplained": [gap for gap in gaps if gap.code not in explained],
        }

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        approve = d["decision"] == "approve"
        services.closure_decide(
            case=case,
            actor=self.request.user,
            approve=approve,
            comment=d["comment"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã duyệt đóng ca.") if approve else _("Đã trả lại đề nghị đóng ca.")


class ReopenView(CaseActionView):
    form_class = forms.ReopenForm
    title = gettext_lazy("Mở lại hồ sơ")
    intro = gettext_lazy("Lịch sử của hồ sơ được giữ nguyên khi mở lại.")
    requires = "approve"
    needs_open = False

    def unavailable(self, case: Case) -> str:
        if case.status != c.Status.CLOSED:
            return _("Chỉ mở lại được hồ sơ đã đóng.")
        return ""

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        services.case_reopen(
            case=case,
            actor=self.request.user,
            reason=d["reason"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã mở lại hồ sơ.")


class TransferRequestView(CaseActionView):
    form_class = forms.TransferRequestForm
    title = gettext_lazy("Chuyển hồ sơ sang cơ quan khác")
    intro = gettext_lazy(
        "Giám sát của cơ quan nhận sẽ tiếp nhận hoặc từ chối. Đến khi được tiếp nhận, hồ sơ "
        "vẫn do cơ quan của bạn quản lý."
    )
    submit_label = gettext_lazy("Gửi đề nghị chuyển")
    requires = "approve"
    anchor = "transfers"

    def form_kwargs(self, case: Case) -> dict[str, Any]:
        return {"agencies": current_agencies(self.request.user, exclude=case.agency_id)}

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        services.transfer_request(
            case=case,
            actor=self.request.user,
            to_agency=d["to_agency"],
            reason=d["reason"],
            version=d["version"],
            request=self.request,
        )
        return _("Đã gửi đề nghị chuyển hồ sơ đến %(agency)s.") % {"agency": d["to_agency"].name}


class AssignView(CaseActionView):
    form_class = forms.AssignForm
    title = gettext_lazy("Giao hồ sơ cho cán bộ quản lý ca")
    requires = "assign"

    def form_kwargs(self, case: Case) -> dict[str, Any]:
        return {"users": case_workers_of(case.agency_id)}

    def initial(self, case: Case) -> dict[str, Any]:
        return {"assigned_to": str(case.assigned_to_id or "")}

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        user = form.chosen_user()
        services.case_update(
            case=case,
            actor=self.request.user,
            version=d["version"],
            changes={"assigned_to": user},
            request=self.request,
        )
        return _("Đã giao hồ sơ cho %(name)s.") % {"name": user.get_full_name()}


class LegalHoldView(CaseActionView):
    """A supervisor keeps a case past its retention period, or lets it go again."""

    form_class = forms.LegalHoldForm
    fields_template = "cases/_fields_legal_hold.html"
    requires = "hold"
    needs_open = False
    anchor = "retention"

    def extra_context(self, case: Case) -> dict[str, Any]:
        years = retention_years()
        if case.legal_hold:
            return {
                "title": _("Bỏ lưu giữ theo yêu cầu pháp lý"),
                "intro": _(
                    "Khi bỏ lưu giữ, hồ sơ sẽ được ẩn danh nếu đã quá thời hạn lưu trữ "
                    "(%(years)s năm sau khi đóng)."
                )
                % {"years": years},
                "submit_label": _("Bỏ lưu giữ"),
                "danger_submit": True,
            }
        return {
            "title": _("Lưu giữ theo yêu cầu pháp lý"),
            "intro": _(
                "Hồ sơ được lưu giữ không bị ẩn danh khi hết thời hạn lưu trữ (%(years)s năm sau "
                "khi đóng) cho đến khi bỏ lưu giữ."
            )
            % {"years": years},
            "submit_label": _("Lưu giữ"),
        }

    def perform(self, case, form, formsets) -> str:
        d = form.cleaned_data
        hold = not case.legal_hold
        case_legal_hold_set(
            case=case,
            actor=self.request.user,
            hold=hold,
            reason=d["legal_hold_reason"] if hold else "",
            reference=d["legal_hold_reference"] if hold else "",
            version=d["version"],
            request=self.request,
        )
        return _("Đã lưu giữ hồ sơ theo yêu cầu pháp lý.") if hold else _("Đã bỏ lưu giữ hồ sơ.")
