"""The smaller programme forms: filters, task status, comments, evidence, models registry,
influencers, budget lines and yearly reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antoan.cases.choices import Sex
from antoan.cases.forms.base import BLANK, StyledForm, date_field, select, text_area
from antoan.places.forms import HELP_TEXT as PLACE_HELP
from antoan.places.forms import PlaceField, resolve_place
from antoan.places.selectors import place_labels
from antoan.programme.choices import (
    ActivityKind,
    EvidenceKind,
    FundingSource,
    InfluencerGroup,
    ModelKind,
    ModelStatus,
    TaskStatus,
)
from antoan.programme.forms.activity import MoneyField, number

ALL = ("", _("Tất cả"))


class ActivityFilterForm(StyledForm):
    """The activity list's filters. Bad values are ignored rather than refused."""

    q = forms.CharField(label=_("Tìm theo tên hoạt động"), max_length=100, required=False)
    plan = forms.TypedChoiceField(label=_("Kế hoạch"), coerce=int, required=False)
    task = forms.CharField(
        label=_("Mục nhiệm vụ"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "II.3.a", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Loại hoạt động"), choices=[ALL, *ActivityKind.choices], required=False
    )
    agency = forms.TypedChoiceField(label=_("Cơ quan tổ chức"), coerce=int, required=False)
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False)
    flagged = forms.BooleanField(label=_("Chỉ hoạt động có cảnh báo"), required=False)

    def __init__(
        self,
        *args: Any,
        plans: list[tuple[int, str]],
        years: list[int],
        agencies: list[tuple[int, str]] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [ALL, *plans]
        self.fields["year"].choices = [ALL, *[(y, str(y)) for y in years]]
        if agencies is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = [ALL, *agencies]

    def value(self, name: str) -> Any:
        if not self.is_bound or not self.is_valid():
            return self.initial.get(name) or None
        return self.cleaned_data.get(name) or None


class YearFilterForm(StyledForm):
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Cả giai đoạn")), *[(y, str(y)) for y in years]]


class TaskStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Tình trạng"), choices=TaskStatus.choices)
    comment = forms.CharField(
        label=_("Nhận xét"),
        required=False,
        widget=text_area(3),
        help_text=_("Bắt buộc khi đánh dấu đã hoàn thành hoặc có nguy cơ không đạt."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CommentForm(StyledForm):
    text = forms.CharField(label=_("Thêm nhận xét"), widget=text_area(3))


class EvidenceForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại minh chứng"), choices=EvidenceKind.choices)
    file = forms.FileField(
        label=_("Tệp"),
        help_text=_("Ảnh JPEG/PNG, PDF, Excel (.xlsx) hoặc Word (.docx), tối đa 10 MB."),
        error_messages={"required": _("Hãy chọn tệp để tải lên.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.xlsx,.docx"}),
    )

    def __init__(self, *args: Any, max_mb: float = 10, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Ảnh JPEG/PNG, PDF, Excel (.xlsx) hoặc Word (.docx), tối đa %(mb)s MB. Thông tin "
            "vị trí, thiết bị trong ảnh được xoá khi lưu."
        ) % {"mb": f"{max_mb:g}"}


# --- Models registry and influencers -------------------------------------------------------


class PlaceChoiceMixin(forms.Form):
    """The place typed by name (with or without accents) or by its statistics code, resolved
    on :meth:`place_on` (antoan.places.forms.PlaceField)."""

    commune = PlaceField(label=_("Địa bàn"), required=False, help_text=PLACE_HELP)

    def set_communes(self, communes: list[tuple[str, str]]) -> None:
        self.fields["commune"].choices = place_labels(communes)  # type: ignore[attr-defined]

    def place_on(self, data: dict[str, Any]) -> dt.date:
        """The day the typed name is read on: today (where the model or item is now)."""
        return timezone.localdate()

    @property
    def place_code_value(self) -> str:
        return (self.cleaned_data.get("commune") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("commune") or "").strip():
            if "commune" not in self.errors:
                self.add_error("commune", _("Hãy nhập địa bàn: tên hoặc mã đơn vị hành chính."))
        else:
            resolve_place(self, "commune", on=self.place_on(data))
        return data


class CommunityModelForm(PlaceChoiceMixin, StyledForm):
    kind = select(ModelKind.choices, _("Loại mô hình"))
    name = forms.CharField(label=_("Tên mô hình"), max_length=255)
    agency = forms.TypedChoiceField(label=_("Cơ quan chủ quản"), coerce=int)
    founded_on = date_field(_("Ngày thành lập"), required=False)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=ModelStatus.choices)
    members_total = number(_("Số thành viên"))
    members_female = number(_("trong đó nữ"))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=text_area(3))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ["kind", "name", "agency", "commune", "founded_on", "status"]

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[int, str]],
        communes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies if len(agencies) == 1 else [BLANK, *agencies]
        self.set_communes(communes)
        for name in ("members_total", "members_female"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")


class ModelFilterForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại mô hình"), choices=[ALL, *ModelKind.choices])
    status = forms.ChoiceField(label=_("Tình trạng"), choices=[ALL, *ModelStatus.choices])
    commune = forms.ChoiceField(label=_("Xã, phường"))

    def __init__(self, *args: Any, communes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [ALL, *communes]
        for field in self.fields.values():
            field.required = False


class InfluencerForm(StyledForm):
    name = forms.CharField(label=_("Họ và tên"), max_length=120)
    group = select(InfluencerGroup.choices, _("Nhóm"))
    title = forms.CharField(label=_("Chức danh, vị trí"), max_length=200, required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), choices=Sex.choices, initial=Sex.UNKNOWN)
    commune = forms.ChoiceField(label=_("Xã, phường"))
    agency = forms.TypedChoiceField(label=_("Cơ quan quản lý"), coerce=int)
    active = forms.BooleanField(label=_("Đang tham gia mạng lưới"), required=False, initial=True)
    note = forms.CharField(label=_("Ghi chú"), max_length=400, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        agencies: list[tuple[int, str]],
        communes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies if len(agencies) == 1 else [BLANK, *agencies]
        self.fields["commune"].choices = [BLANK, *communes]


# --- Budget and yearly reports -----------------------------------------------------------------


class BudgetFilterForm(StyledForm):
    plan = forms.TypedChoiceField(label=_("Kế hoạch"), coerce=int, required=False)
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False)
    agency = forms.TypedChoiceField(label=_("Cơ quan"), coerce=int, required=False)

    def __init__(
        self,
        *args: Any,
        plans: list[tuple[int, str]],
        years: list[int],
        agencies: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plans
        self.fields["year"].choices = [("", _("Cả giai đoạn")), *[(y, str(y)) for y in years]]
        self.fields["agency"].choices = [ALL, *agencies]


class BudgetLineForm(StyledForm):
    agency = forms.TypedChoiceField(label=_("Cơ quan"), coerce=int)
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int)
    source = select(FundingSource.choices, _("Nguồn kinh phí"))
    planned = MoneyField(
        label=_("Dự toán (đồng)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    allocated = MoneyField(
        label=_("Được giao (đồng)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)
    # The line's version when editing one; blank for a new line.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, agencies: list[tuple[int, str]], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies if len(agencies) == 1 else [BLANK, *agencies]
        self.fields["year"].choices = [(y, str(y)) for y in years]
        for name in ("planned", "allocated"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")
