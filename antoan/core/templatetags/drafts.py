"""``{% form_draft key bound %}``: the attributes that give a form a server-side draft."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def form_draft(key: str, bound: bool = False) -> str:
    """Attributes for the ``<form>`` tag; nothing when the page keeps no draft (``key`` '').

    ``bound``: the form is shown again with what was just submitted, so there is nothing to
    restore (static/js/drafts.js saves it instead).
    """
    if not key:
        return ""
    return format_html(
        'data-draft-url="{}" data-draft-restore="{}" data-draft-failed="{}"',
        reverse("core:draft", args=[key]),
        "0" if bound else "1",
        _("Chưa lưu được bản nháp lên máy chủ; hãy kiểm tra kết nối mạng. Đang thử lại…"),
    )
