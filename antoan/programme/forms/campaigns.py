"""Forms of the campaign pages: they parse what was typed; the services enforce the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.cases.forms.base import BLANK, StyledForm, date_field, select, text_area
from antoan.programme.choices import ActivityKind
from antoan.programme.forms.activity import MoneyField, number
from antoan.programme.forms.other import PlaceChoiceMixin


class CampaignForm(StyledForm):
    """An ad-hoc campaign (all fields), or a campaign's title, theme and expected agencies
    (``dates=False``: a recurring campaign keeps its usual window)."""

    title = forms.CharField(label=_("Tên chiến dịch"), max_length=255)
    start_date = date_field(_("Từ ngày"))
    end_date = date_field(_("Đến ngày"))
    theme = forms.CharField(
        label=_("Chủ đề"),
        max_length=1_000,
        required=False,
        widget=text_area(2),
        help_text=_("Chủ đề của năm, theo hướng dẫn của cấp trên."),
    )
    expected_agencies = forms.TypedMultipleChoiceField(
        label=_("Cơ quan dự kiến tham gia"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Các cơ quan này được nhắc trước 30 ngày và 7 ngày khi chiến dịch bắt đầu."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, agencies: list[tuple[int, str]], dates: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_agencies"].choices = agencies
        if not dates:
            del self.fields["start_date"]
            del self.fields["end_date"]


class PlanItemForm(PlaceChoiceMixin, StyledForm):
    agency = forms.TypedChoiceField(label=_("Cơ quan"), coerce=int)
    title = forms.CharField(label=_("Tên hoạt động dự kiến"), max_length=255)
    kind = select(ActivityKind.choices, _("Loại hoạt động"))
    start_date = date_field(_("Từ ngày"))
    end_date = date_field(_("Đến ngày"))
    expected_people = number(_("Số người dự kiến tiếp cận"))
    budget = MoneyField(
        label=_("Kinh phí dự kiến (đồng)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=2_000, required=False, widget=text_area(2)
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    field_order = ["agency", "title", "kind", "start_date", "end_date", "commune"]

    def place_on(self, data: dict[str, Any]) -> dt.date:
        # The unit as it was when the activity is to start (old units for old dates).
        return data.get("start_date") or super().place_on(data)

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
        self.fields["commune"].place_input.date_field = "start_date"  # type: ignore[attr-defined]
        for name in ("expected_people", "budget"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")


class CampaignYearForm(StyledForm):
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Tất cả các năm")), *[(y, str(y)) for y in years]]
