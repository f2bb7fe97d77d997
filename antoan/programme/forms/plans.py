"""Forms of building a plan: its header, a task, a target, a local plan's budget, and the
actions that move it from draft to published."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.cases.forms.base import StyledForm, date_field, select, text_area
from antoan.programme.choices import FundingSource
from antoan.programme.forms.activity import MoneyField

COMPARISONS = [(">=", "≥"), ("<=", "≤"), ("=", "="), (">", ">"), ("<", "<")]
# The sources a commune's plan budgets from (district budgets ended with the districts).
LOCAL_SOURCES = [
    FundingSource.COMMUNE_BUDGET,
    FundingSource.PROVINCIAL_BUDGET,
    FundingSource.CENTRAL_BUDGET,
    FundingSource.DONOR,
    FundingSource.OTHER,
]


class PlanHeaderForm(StyledForm):
    number = forms.CharField(
        label=_("Số, ký hiệu"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "12/KH-UBND"}),
    )
    title = forms.CharField(label=_("Trích yếu"), max_length=400, widget=text_area(2))
    issued_on = date_field(_("Ngày ban hành"))
    period_start = date_field(_("Thực hiện từ ngày"))
    period_end = date_field(_("Đến ngày"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PlanCreateForm(PlanHeaderForm):
    """A new draft: a copy of an earlier plan, or a commune's local plan."""

    copy_from = forms.TypedChoiceField(label=_("Sao chép từ"), coerce=int, required=False)
    agency = forms.TypedChoiceField(label=_("Ủy ban nhân dân xã, phường"), coerce=int)

    def __init__(
        self,
        *args: Any,
        copy_choices: list[tuple[int, str]],
        agency_choices: list[tuple[int, str]] | None,
        copy_required: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        copy = self.fields["copy_from"]
        copy.choices = copy_choices if copy_required else [("", _("— Không —")), *copy_choices]
        copy.required = copy_required
        if not copy_choices and not copy_required:
            del self.fields["copy_from"]
        if agency_choices is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = agency_choices


class PlanEditForm(PlanHeaderForm):
    implements = forms.CharField(
        label=_("Căn cứ"), max_length=4000, required=False, widget=text_area(3)
    )
    budget_text = forms.CharField(
        label=_("Kinh phí thực hiện (lời văn của kế hoạch)"),
        max_length=4000,
        required=False,
        widget=text_area(3),
    )


class TaskForm(StyledForm):
    """A task of a draft. A provincial plan numbers its own tasks; a local plan adopts a task
    of the provincial plan or adds one under a task it adopted."""

    carries = forms.TypedChoiceField(label=_("Nhiệm vụ của tỉnh được nhận"), coerce=int)
    parent = forms.TypedChoiceField(label=_("Thuộc mục"), coerce=int, required=False)
    code = forms.CharField(
        label=_("Mục"), max_length=30, widget=forms.TextInput(attrs={"placeholder": "II.3.a"})
    )
    title = forms.CharField(label=_("Tên nhiệm vụ"), max_length=400, required=False)
    text = forms.CharField(
        label=_("Nội dung"), max_length=10_000, required=False, widget=text_area(4)
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        local: bool,
        editing: bool,
        carries_choices: list[tuple[int, str]],
        parent_choices: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        if local:
            del self.fields["code"]
            if editing:
                del self.fields["carries"], self.fields["parent"]
            else:
                self.fields["carries"].required = False
                self.fields["carries"].choices = [("", _("— Chọn —")), *carries_choices]
                self.fields["carries"].help_text = _(
                    "Chọn một nhiệm vụ của kế hoạch tỉnh mà xã, phường thực hiện; hoặc để trống "
                    "và chọn mục bên dưới để thêm việc cụ thể của xã dưới nhiệm vụ đã nhận."
                )
                parent.label = _("Hoặc thêm việc cụ thể dưới nhiệm vụ đã nhận")
                parent.choices = [("", _("— Không —")), *parent_choices]
        else:
            del self.fields["carries"]
            parent.choices = [("", _("— Mục cao nhất —")), *parent_choices]


class ObjectiveForm(StyledForm):
    code = forms.CharField(
        label=_("Mục"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "I.2.a"})
    )
    text = forms.CharField(label=_("Nội dung mục tiêu"), max_length=4000, widget=text_area(3))
    indicator_code = forms.CharField(
        label=_("Mã chỉ số (nếu có)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "GBV-01"}),
    )
    target_comparison = select(COMPARISONS, _("So sánh"), required=False)
    target_value = forms.DecimalField(
        label=_("Chỉ tiêu"), max_digits=9, decimal_places=2, required=False, min_value=0
    )
    target_unit = forms.CharField(
        label=_("Đơn vị"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "%"}),
    )
    target_year = forms.IntegerField(label=_("Năm đạt chỉ tiêu"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class BudgetForm(StyledForm):
    """A local plan's budget: the total, and each year's amount from each source."""

    total = MoneyField(label=_("Tổng kinh phí của kế hoạch (đồng)"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = years
        self.cells: list[tuple[int, list[Any]]] = []
        for year in years:
            row = []
            for source in LOCAL_SOURCES:
                name = f"y{year}_{source}"
                self.fields[name] = MoneyField(
                    label=FundingSource(source).label,
                    required=False,
                    widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
                )
                row.append(name)
            self.cells.append((year, row))

    def grid(self) -> list[tuple[int, list[Any]]]:
        return [(year, [self[name] for name in names]) for year, names in self.cells]

    def lines(self) -> dict[tuple[int, str], int | None]:
        out: dict[tuple[int, str], int | None] = {}
        for year in self.years:
            for source in LOCAL_SOURCES:
                out[(year, source)] = self.cleaned_data.get(f"y{year}_{source}")
        return out


class PlanActionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Lý do trả lại"), max_length=4000, required=False, widget=text_area(3)
    )


class AssignmentForm(StyledForm):
    agency = forms.TypedChoiceField(label=_("Cơ quan"), coerce=int, required=False)
    group = forms.ChoiceField(label=_("Hoặc cả nhóm cơ quan"), required=False)
    role = forms.ChoiceField(label=_("Vai trò"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[int, str]],
        groups: list[tuple[str, Any]],
        roles: list[tuple[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— Chọn —")), *agencies]
        self.fields["group"].choices = [("", _("— Không —")), *groups]
        self.fields["role"].choices = roles
