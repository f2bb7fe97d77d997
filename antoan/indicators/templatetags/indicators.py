"""Figures the way people read them: "52,3 %", "1.234", "30,5 giờ"; words, not blanks, for
what cannot be shown."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def note_text(note: str) -> str:
    texts = {
        "no_estimate": _("chưa có ước tính"),
        "no_data": "—",
        "year_only": _("chỉ có theo năm"),
        "breakdown": _("không phân tổ"),
        "not_by_commune": _("không có theo xã"),
        "province_only_period": _("chỉ có toàn tỉnh"),
    }
    return texts.get(note, "—")


def number(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{number_format(value, decimal_pos=1)}\u00a0%"
    if unit == "hours":
        return _("%(n)s giờ") % {"n": number_format(value, decimal_pos=1)}
    if unit == "ratio":
        return number_format(value, decimal_pos=1)
    return number_format(value, decimal_pos=0, force_grouping=True)


@register.filter
def figure(v: Any) -> str:
    """The value of an indicator value (``selectors.values.Value``)."""
    if v is None:
        return "—"
    if v.suppressed:
        return _("ẩn")
    if v.value is None:
        return note_text(v.note)
    return number(v.value, v.indicator.unit)


@register.filter
def count(value: Any) -> str:
    """A numerator or denominator: whole numbers grouped, "—" when there is none."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, decimal_pos=1, force_grouping=True)
    return number_format(value, decimal_pos=0, force_grouping=True)


@register.filter
def target_text(v: Any) -> str:
    """ "≥ 50 % (2025)"."""
    target = getattr(v, "target", None)
    if target is None:
        return ""
    unit = "\u00a0%" if v.indicator.unit == "percent" else ""
    return f"{target.symbol} {number_format(target.value, decimal_pos=0)}{unit} ({target.year})"


@register.filter
def gap_text(v: Any) -> str:
    """ "+3,2 điểm" or "−12,4 điểm" (percentage points)."""
    gap = getattr(v, "gap", None)
    if gap is None:
        return ""
    sign = "+" if gap > 0 else ("−" if gap < 0 else "±")
    return _("%(sign)s%(n)s điểm") % {"sign": sign, "n": number_format(abs(gap), decimal_pos=1)}


@register.simple_tag(takes_context=True)
def with_params(context: Any, **changes: Any) -> str:
    """The current query string with some parameters changed ("" removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
