"""``{{ number|phone }}``: a stored phone number grouped for reading (antoan.core.phones)."""

from __future__ import annotations

from django import template

from antoan.core.phones import format_phone

register = template.Library()


@register.filter
def phone(number: str | None) -> str:
    return format_phone(number)
