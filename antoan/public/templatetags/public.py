"""Tags of the public pages, also used by the login page (its quick-exit button)."""

from __future__ import annotations

import re

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def quick_exit_url() -> str:
    return settings.ANTOAN_QUICK_EXIT_URL


@register.filter
def tel(number: str) -> str:
    """A ``tel:`` target from a number as people write it: "0221 3862 115" → "02213862115"."""
    return re.sub(r"[^0-9+]", "", number or "")
