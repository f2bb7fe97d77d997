"""Numbers on the programme pages the way Vietnamese officials write them: 15.000.000 đ."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """A whole number with the language's thousands separator (1.250 in Vietnamese)."""
    if value in (None, ""):
        return "—"
    return number_format(value, decimal_pos=0, force_grouping=True)


@register.filter
def dong(value: Any) -> str:
    """An amount of money in đồng: "15.000.000 đ" (a no-break space keeps the đ attached)."""
    if value in (None, ""):
        return "—"
    return f"{number_format(value, decimal_pos=0, force_grouping=True)}\u00a0đ"


@register.filter
def percent(value: Any) -> str:
    """An execution rate: "72,5 %"; a dash when nothing was allocated."""
    if value is None:
        return "—"
    return f"{number_format(value, decimal_pos=1)}\u00a0%"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ mapping|get:key }}`` for dicts keyed by something a template cannot spell."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def local(name: Any, province: Any) -> str:
    """ "Sở Y tế tỉnh Hưng Yên" → "Sở Y tế tỉnh" on pages about that province's plan: the plan
    names its agencies this way, and the province's name on every line is noise."""
    text = str(name or "")
    province = str(province or "").strip()
    if not province:
        return text
    tail = ""
    if text.endswith(")") and " (" in text:  # "… tỉnh Hưng Yên (cũ)"
        text, _sep, rest = text.rpartition(" (")
        tail = f" ({rest}"
    for word in ("tỉnh", "thành phố"):
        suffix = f" {word} {province}"
        if text.endswith(suffix):
            return text[: -len(province) - 1] + tail
    return text + tail
