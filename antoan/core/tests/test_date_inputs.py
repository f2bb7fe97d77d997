"""Dates are typed day first, the way people in Vietnam write them, and the error shows how."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from antoan.core.forms import BoundedDateField, BoundedDateTimeField


class _Form(forms.Form):
    day = BoundedDateField()
    moment = BoundedDateTimeField(required=False)


@pytest.mark.parametrize(
    "typed",
    ["05/03/2021", "5/3/2021", "05-03-2021", "5-3-2021", "05.03.2021", "5.3.2021", "2021-03-05"],
)
def test_a_date_typed_day_first_with_any_separator_or_iso(typed):
    form = _Form({"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2021, 3, 5)


@pytest.mark.parametrize("typed", ["31/02/2021", "2021/03/05", "03/05", "hôm qua", "5/3/21"])
def test_a_date_that_is_not_one_says_the_format_in_vietnamese(typed):
    form = _Form({"day": typed})
    assert not form.is_valid()
    assert form.errors["day"] == ["Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/05/2021."]


def test_a_moment_typed_day_first():
    form = _Form({"day": "05/03/2021", "moment": "5.3.2021 14:30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["moment"].strftime("%d/%m/%Y %H:%M") == "05/03/2021 14:30"


def test_a_moment_not_typed_right_shows_the_format():
    form = _Form({"day": "05/03/2021", "moment": "14:30"})
    assert not form.is_valid()
    assert "ngày/tháng/năm giờ:phút" in form.errors["moment"][0]
