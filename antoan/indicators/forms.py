"""Forms of the indicator pages: the dashboard's filters and the estimate form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antoan.cases import choices as c
from antoan.cases.forms.base import StyledForm
from antoan.indicators.periods import period_choices
from antoan.indicators.selectors.places import rollup
from antoan.indicators.selectors.values import trend_start
from antoan.places.models import Place

SORTS = [
    ("name", _("Tên xã, phường")),
    ("value", _("Giá trị tăng dần")),
    ("-value", _("Giá trị giảm dần")),
    ("gap", _("Chênh lệch với chỉ tiêu")),
]


def year_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    return [(str(y), str(y)) for y in range(today.year, trend_start() - 1, -1)]


def place_choices(province: Place) -> list[tuple[str, str]]:
    communes = rollup().communes_of(province.code)
    return [
        (province.code, province.name),
        *[(p.code, p.name) for p in communes],
    ]


class FilterForm(StyledForm):
    """GET parameters of the province dashboard. Semantic checks (combinations that could point
    at a person, periods without commune figures) are made by ``selectors.values.parse_query``."""

    year = forms.ChoiceField(label=_("Năm"), required=False)
    period = forms.ChoiceField(label=_("Kỳ"), required=False)
    place = forms.ChoiceField(label=_("Địa bàn"), required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), required=False)
    age_band = forms.ChoiceField(label=_("Nhóm tuổi"), required=False)
    gbv_type = forms.ChoiceField(label=_("Loại bạo lực"), required=False)

    def __init__(self, *args: Any, province: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("Tất cả"))]
        self.fields["year"].choices = year_choices()
        self.fields["period"].choices = period_choices()
        self.fields["place"].choices = place_choices(province)
        self.fields["sex"].choices = everyone + list(c.Sex.choices)
        self.fields["age_band"].choices = everyone + list(c.AgeGroup.choices)
        self.fields["gbv_type"].choices = everyone + list(c.GbvType.choices)

    def params(self) -> dict[str, str]:
        """What was chosen, as the API's parameters."""
        return {k: v for k, v in self.cleaned_data.items() if v}


class NationalFilterForm(StyledForm):
    """GET parameters of the national dashboard: the province dashboard's, without a place."""

    year = forms.ChoiceField(label=_("Năm"), required=False)
    period = forms.ChoiceField(label=_("Kỳ"), required=False)
    sex = forms.ChoiceField(label=_("Giới tính"), required=False)
    age_band = forms.ChoiceField(label=_("Nhóm tuổi"), required=False)
    gbv_type = forms.ChoiceField(label=_("Loại bạo lực"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("Tất cả"))]
        self.fields["year"].choices = year_choices()
        self.fields["period"].choices = period_choices()
        self.fields["sex"].choices = everyone + list(c.Sex.choices)
        self.fields["age_band"].choices = everyone + list(c.AgeGroup.choices)
        self.fields["gbv_type"].choices = everyone + list(c.GbvType.choices)

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class TableForm(StyledForm):
    """Which indicator the commune table and tiles show, and their order."""

    indicator = forms.ChoiceField(label=_("Chỉ số"), required=False)
    sort = forms.ChoiceField(label=_("Sắp xếp"), required=False, choices=SORTS)

    def __init__(self, *args: Any, indicators: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.code, f"{i.code} · {i.name}") for i in indicators]


class EstimateForm(StyledForm):
    indicator = forms.ChoiceField(label=_("Chỉ số"))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2200)
    place = forms.ChoiceField(label=_("Địa bàn"))
    value = forms.IntegerField(
        label=_("Giá trị ước tính"),
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("Số người, không có dấu chấm hay dấu phẩy."),
    )
    source = forms.CharField(
        label=_("Nguồn"),
        max_length=300,
        help_text=_(
            "Ví dụ: Điều tra quốc gia về bạo lực đối với phụ nữ năm 2019, Tổng cục Thống kê."
        ),
    )
    method = forms.CharField(
        label=_("Phương pháp ước tính"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, indicators: list[Any], province: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [
            (i.code, f"{i.code} · {i.denominator_label}") for i in indicators
        ]
        self.fields["place"].choices = place_choices(province)
