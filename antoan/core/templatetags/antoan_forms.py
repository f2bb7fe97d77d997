"""``{% error_summary form [form ...] %}``: the box of errors at the top of a form.

GOV.UK's error summary pattern: a titled box ("Có lỗi cần sửa") listing every field with an
error as a link to that field, focused when the page loads (static/js/antoan.js) so that a
screen reader reads it and a keyboard user starts from it. The errors also stay next to each
field (templates/cases/_errors.html). Forms and formsets may be mixed; ``None`` is skipped.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()

STALE = "stale"


def _forms(items):
    for item in items:
        if item is None:
            continue
        if hasattr(item, "forms") and hasattr(item, "non_form_errors"):  # a formset
            yield from _formset(item)
        else:
            yield item, None


def _formset(formset):
    for error in formset.non_form_errors():
        yield None, error
    if formset.management_form.errors:
        yield None, STALE
    for form in formset.forms:
        yield form, None


def summary_of(*items, message: str = "") -> dict:
    """What the summary shows: messages not tied to a field, then one link per field error."""
    messages: list[str] = []
    links: list[dict] = []
    stale = False
    for form, loose in _forms(items):
        if form is None:
            if loose == STALE:
                stale = True
            else:
                messages.append(str(loose))
            continue
        group_errors = getattr(form, "group_errors", None) or {}  # errors of a group of fields
        if not form.is_bound or not (form.errors or group_errors):
            continue
        messages.extend(str(e) for e in form.non_field_errors())
        for errors in group_errors.values():
            messages.extend(str(e) for e in errors)
        for field in form:
            if not field.errors:
                continue
            if field.is_hidden:
                stale = True
                continue
            target = field.id_for_label or field.auto_id
            if field.widget_type in ("checkboxselectmultiple", "radioselect") and field.subwidgets:
                target = field.subwidgets[0].id_for_label  # a group of boxes: its first box
            links.extend(
                {"target": target, "label": field.label, "error": str(error)}
                for error in field.errors
            )
    if stale:
        messages.append(_("Trang này đã cũ hoặc bị sửa đổi; hãy tải lại trang rồi nhập lại."))
    return {
        "messages": messages,
        "links": links,
        "intro": message or _("Chưa lưu được: hãy sửa các ô được đánh dấu bên dưới."),
        "show_intro": bool(links) or stale,
        "show": bool(messages or links),
    }


@register.inclusion_tag("core/_error_summary.html")
def error_summary(*items, message: str = ""):
    """``message``: the sentence above the links (by default "not saved: fix the fields")."""
    return summary_of(*items, message=message)
