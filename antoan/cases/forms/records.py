"""Forms that add records to a case or move it along, and the case lists' search."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.forms.base import (
    BLANK,
    StyledForm,
    VersionedForm,
    checkboxes,
    date_field,
    datetime_field,
    select,
    text_area,
)
from antoan.cases.services import PlanItemInput

# --- Assessment and plans ---------------------------------------------------------------------


class AssessmentForm(VersionedForm):
    answers = checkboxes(
        [(code, label) for code, (_weight, label) in rules.RISK_QUESTIONS.items()],
        _("Câu hỏi đánh giá nguy cơ (đánh dấu câu trả lời “Có”)"),
    )
    immediate_danger = forms.BooleanField(
        label=_("Đang gặp nguy hiểm tức thời"),
        required=False,
        help_text=_("Mức nguy cơ sẽ là “Nguy hiểm tức thời” bất kể các câu trả lời."),
    )
    needs = checkboxes(c.Need.choices, _("Nhu cầu hỗ trợ"))
    notes = forms.CharField(
        label=_("Ghi chú đánh giá"), required=False, max_length=10_000, widget=text_area(4)
    )

    def answers_dict(self) -> dict[str, bool]:
        ticked = set(self.cleaned_data.get("answers") or [])
        return {code: code in ticked for code in rules.RISK_QUESTIONS}


class SafetyPlanForm(VersionedForm):
    content = forms.CharField(
        label=_("Kế hoạch an toàn"),
        max_length=10_000,
        widget=text_area(6),
        help_text=_(
            "Nơi có thể đến khi nguy hiểm, người có thể gọi, giấy tờ và vật dụng cần mang theo, "
            "tín hiệu báo nguy hiểm."
        ),
    )


class CasePlanForm(VersionedForm):
    goals = forms.CharField(
        label=_("Mục tiêu kế hoạch hỗ trợ"), max_length=10_000, widget=text_area(4)
    )


class PlanItemForm(StyledForm):
    service = select(c.Need.choices, _("Dịch vụ"))
    responsible_agency = forms.ModelChoiceField(
        label=_("Cơ quan phụ trách"), queryset=None, empty_label=str(BLANK[1])
    )
    due_on = date_field(_("Hạn hoàn thành"))

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_agency"].queryset = agencies

    def has_changed(self) -> bool:
        # A suggested row (its service filled in from the assessment) is used once an agency
        # or a date is given; its service alone, kept, changed or cleared, leaves it unused.
        if self.initial.get("service") and set(self.changed_data) <= {"service"}:
            return False
        return super().has_changed()

    def to_input(self) -> PlanItemInput:
        d = self.cleaned_data
        return PlanItemInput(
            service=d["service"], responsible_agency=d["responsible_agency"], due_on=d["due_on"]
        )


class BasePlanItemFormSet(forms.BaseFormSet):
    """Rows suggested from the needs already assessed: a row's service is filled in, and a row
    left as suggested counts as empty (it is the rows' own initial, not the formset's, so the
    management form has no "initial" rows that would have to be completed)."""

    def __init__(self, *args: Any, suggestions: Iterable[str] = (), **kwargs: Any) -> None:
        self.suggestions = list(suggestions)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.suggestions):
            kwargs = {**kwargs, "initial": {"service": self.suggestions[index]}}
        return kwargs


PlanItemFormSet = forms.formset_factory(
    PlanItemForm,
    formset=BasePlanItemFormSet,
    extra=5,
    max_num=5,
    validate_max=True,
    absolute_max=5,
)


class FollowUpForm(VersionedForm):
    done_on = date_field(_("Ngày theo dõi"))
    method = select(c.FollowUpMethod.choices, _("Hình thức"))
    notes = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=10_000, widget=text_area(4)
    )
    next_due = date_field(_("Hẹn lần theo dõi tiếp"), required=False)


class NoteForm(VersionedForm):
    body = forms.CharField(label=_("Nội dung ghi chú"), max_length=20_000, widget=text_area(6))


# --- Protection measures ----------------------------------------------------------------------


class MeasureRequestForm(VersionedForm):
    type = select(c.MeasureType.choices, _("Biện pháp"))
    deciding_body = select(
        c.DecidingBody.choices,
        _("Cơ quan quyết định"),
        help_text=_(
            "Cấm tiếp xúc do Chủ tịch UBND xã quyết định trong 12 giờ, tối đa 3 ngày; "
            "do Tòa án quyết định tối đa 4 tháng."
        ),
    )
    requested_at = datetime_field(_("Thời điểm đề nghị"))


class MeasureDecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[
            (c.MeasureDecision.GRANTED.value, c.MeasureDecision.GRANTED.label),
            (c.MeasureDecision.REFUSED.value, c.MeasureDecision.REFUSED.label),
        ],
        widget=forms.RadioSelect,
    )
    decided_at = datetime_field(_("Thời điểm quyết định"))
    starts_at = datetime_field(_("Bắt đầu áp dụng"), required=False)
    ends_at = datetime_field(_("Kết thúc"), required=False)
    refusal_reason = forms.CharField(
        label=_("Lý do từ chối"), max_length=500, required=False, widget=text_area(2)
    )
    late_reason = forms.CharField(
        label=_("Lý do quyết định muộn (nếu quá thời hạn luật định)"),
        max_length=500,
        required=False,
        widget=text_area(2),
    )


# --- Closure, reopening, transfer, assignment -------------------------------------------------


class ClosureRequestForm(VersionedForm):
    reason = forms.CharField(label=_("Lý do đóng ca"), max_length=500, widget=text_area(3))
    checklist = checkboxes(
        list(rules.CLOSURE_CHECKLIST.items()),
        _("Danh mục kiểm tra trước khi đóng ca"),
        help_text=_("Phải hoàn thành mọi mục."),
    )
    # Required by the service only when the case still lacks something (the page lists it).
    missing_reason = forms.CharField(
        label=_("Lý do vẫn đóng ca khi còn thiếu"),
        max_length=1000,
        required=False,
        widget=text_area(3),
        help_text=_(
            "Ví dụ: người bị bạo lực đã chuyển đi nơi khác, hoặc từ chối dịch vụ. "
            "Giám sát sẽ đọc lý do này khi duyệt."
        ),
    )

    def checklist_dict(self) -> dict[str, bool]:
        ticked = set(self.cleaned_data.get("checklist") or [])
        return {code: code in ticked for code in rules.CLOSURE_CHECKLIST}


class ClosureDecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[("approve", _("Duyệt đóng ca")), ("return", _("Trả lại để bổ sung"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Ý kiến"),
        max_length=1000,
        required=False,
        widget=text_area(3),
        help_text=_(
            "Bắt buộc khi trả lại: ghi rõ cần bổ sung gì. Bắt buộc khi duyệt một hồ sơ còn "
            "thiếu mà người đề nghị chưa giải thích."
        ),
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("Lý do mở lại"), max_length=300, widget=text_area(3))


class TransferRequestForm(VersionedForm):
    to_agency = forms.ModelChoiceField(
        label=_("Chuyển đến cơ quan"), queryset=None, empty_label=str(BLANK[1])
    )
    reason = forms.CharField(label=_("Lý do chuyển"), max_length=500, widget=text_area(3))

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = agencies


class UserChoiceForm(StyledForm):
    """A choice among named users (case workers of one agency)."""

    user_field = "assigned_to"

    def __init__(self, *args: Any, users: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(user.pk): user for user in users}
        self.fields[self.user_field].choices = [
            BLANK,
            *((pk, user.get_full_name() or user.get_username()) for pk, user in self.users.items()),
        ]

    def chosen_user(self) -> Any:
        return self.users[self.cleaned_data[self.user_field]]


class AssignForm(UserChoiceForm, VersionedForm):
    assigned_to = forms.ChoiceField(label=_("Cán bộ quản lý ca"))


class TransferAcceptForm(UserChoiceForm):
    user_field = "assign_to"
    assign_to = forms.ChoiceField(label=_("Giao cho cán bộ quản lý ca"))


class TransferDeclineForm(StyledForm):
    decline_reason = forms.CharField(label=_("Lý do từ chối"), max_length=500, widget=text_area(2))


class LegalHoldForm(VersionedForm):
    """Setting a legal hold names why and the document asking; lifting it needs neither."""

    legal_hold_reason = forms.ChoiceField(
        label=_("Lý do lưu giữ"),
        choices=[BLANK, *c.LegalHoldReason.choices],
        required=False,
    )
    legal_hold_reference = forms.CharField(
        label=_("Văn bản yêu cầu"),
        max_length=100,
        required=False,
        help_text=_("Số và ngày của văn bản, ví dụ: Công văn 12/CV-CSHS ngày 05/01/2031."),
    )


class ConfirmForm(VersionedForm):
    """A confirmation with nothing to fill in (withdrawing a consent)."""


# --- Lists ----------------------------------------------------------------------------------


class CaseSearchForm(StyledForm):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        max_length=100,
        required=False,
        help_text=_("Số hồ sơ, số điện thoại, hoặc họ tên (có hoặc không dấu)."),
    )
    status = select(c.Status.choices, _("Trạng thái"), required=False)
    stage = select(c.Stage.choices, _("Giai đoạn"), required=False)
    risk_level = select(c.RiskLevel.choices, _("Mức độ nguy cơ"), required=False)
    commune = forms.ChoiceField(label=_("Xã, phường"), required=False)

    def __init__(self, *args: Any, communes: Iterable[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("Tất cả")), *communes]
        for name in ("status", "stage", "risk_level"):
            self.fields[name].choices = [("", _("Tất cả")), *self.fields[name].choices[1:]]
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> dict[str, str]:
        """The filters that were given and are valid (an invalid one is shown, not used)."""
        data = self.cleaned_data if self.is_bound else {}
        return {name: value for name, value in data.items() if value and name not in self.errors}
