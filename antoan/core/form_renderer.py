"""The form renderer: Django's, with drop-down lists written in Python.

Django draws a ``<select>`` through one template per option, each including a template for its
attributes. A list of a province's agencies or communes (130 to 300 options) then costs 6 to 9
ms of a page's CPU, the largest single part of the hotline's call page and of the case lists
(docs/performance.md, "Load test at national scale"). :class:`FormRenderer` writes the same
markup, byte for byte, without the templates; every other widget, and any select with its own
templates, goes through Django's. ``antoan/core/tests/test_form_renderer.py`` compares the two.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# What the templates render values in: autoescape on, localisation as the settings say.
_CONTEXT = Context()


def _value(value: Any) -> str:
    """``{{ value }}``."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe string safe."""
    out = stringformat(value, "s")
    return _value(mark_safe(out) if isinstance(value, SafeData) else out)  # noqa: S308


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        shown = _value(name)
        parts.append(f" {shown}" if value is True else f' {shown}="{_formatted(value)}"')
    return "".join(parts)


def _select(widget: dict[str, Any]) -> str | None:
    """``select.html`` and ``select_option.html`` as Django renders them (then stripped), or
    None when an option has a template of its own."""
    out = [f'<select name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_value(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            out.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_value(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out).strip()


class FormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's template renderer, but selects written directly."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT:
            html = _select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)
