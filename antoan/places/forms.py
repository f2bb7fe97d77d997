"""A place typed by name: a text box that offers names and takes a name or a code.

People know their commune by name ("Phố Hiến"), not by its statistics code, and a code names
different places in different years. So a place is typed, with or without accents, and the
server resolves it on the date that matters (the incident's, the activity's) with
:func:`~antoan.places.selectors.place_from_text`. Without JavaScript the box still works: a
``<datalist>`` offers the places given as ``choices`` and the server resolves what was typed.
With ``static/js/places.js`` the list is filled as the user types, from ``places:search``, for
the date typed in the form (old units for old dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from antoan.places.exceptions import PlaceNotFound
from antoan.places.models import Place
from antoan.places.selectors import place_from_text


class PlaceInput(forms.TextInput):
    """A text input with a ``<datalist>`` of place names; places.js fills it as one types."""

    template_name = "django/forms/widgets/text.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices: list[tuple[str, str]] = []
        self.level: str | None = None
        self.date_field: str | None = None

    def format_value(self, value: Any) -> str | None:
        # A code given as the initial value shows as its name when the list knows it.
        text = super().format_value(value)
        if text and text.isdigit():
            return dict(self.choices).get(text, text)
        return text

    @staticmethod
    def list_id(name: str, attrs: dict[str, Any] | None) -> str:
        return f"{(attrs or {}).get('id') or name}-options"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        list_id = self.list_id(name, widget_attrs)
        widget_attrs.update(
            {
                "list": list_id,
                "autocomplete": "off",
                "spellcheck": "false",
                "data-place-search": reverse("places:search"),
            }
        )
        if self.level:
            widget_attrs["data-place-level"] = self.level
        if self.date_field:
            # The date input of the same form: same prefix, the date field's name.
            prefix = name.rsplit("-", 1)[0] + "-" if "-" in name else ""
            widget_attrs["data-place-date"] = f"{prefix}{self.date_field}"
        return context

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        html = super().render(name, value, attrs, renderer)
        list_id = self.list_id(name, self.build_attrs(self.attrs, attrs))
        options = format_html_join(
            "", '<option value="{}"></option>', ((label,) for _code, label in self.choices)
        )
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class PlaceField(forms.CharField):
    """A place typed by name or code. ``clean`` keeps the text; the form resolves it on its
    date with :meth:`resolve` (the date is often another field of the same form)."""

    widget = PlaceInput

    def __init__(
        self,
        *,
        level: str | None = None,
        date_field: str | None = None,
        choices: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)
        self.level = level
        self.place_input.level = level
        self.place_input.date_field = date_field
        self.choices = list(choices)

    @property
    def place_input(self) -> PlaceInput:
        return cast(PlaceInput, self.widget)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return self.place_input.choices

    @choices.setter
    def choices(self, value: Iterable[tuple[str, str]]) -> None:
        # (code, label): offered in the list, and a code given as initial shows as its label.
        self.place_input.choices = [(code, label) for code, label in value if code]

    def __deepcopy__(self, memo: dict[int, Any]) -> PlaceField:
        result = super().__deepcopy__(memo)  # type: ignore[misc]
        # Widgets copy their attrs only: each form gets its own list of choices.
        result.place_input.choices = list(self.place_input.choices)
        return cast(PlaceField, result)

    def resolve(self, text: str, *, on: dt.date, within: Place | None = None) -> Place:
        """The place ``text`` names on ``on``; a ValidationError saying why not, otherwise."""
        return place_from_text(text, on=on, within=within, level=self.level)


def resolve_place(
    form: forms.Form, name: str, *, on: dt.date | None, within: Place | None = None
) -> Place | None:
    """Resolve the place typed in ``form[name]`` on ``on`` and keep its code in cleaned_data;
    the error goes on the field. None when nothing was typed, no date or it failed."""
    text = (form.cleaned_data.get(name) or "").strip()
    if not text or on is None:
        return None
    field = form.fields[name]
    level = getattr(field, "level", None)
    try:
        place = place_from_text(text, on=on, within=within, level=level)
    except PlaceNotFound as error:
        form.add_error(name, error)
        return None
    form.cleaned_data[name] = place.code
    return place


HELP_TEXT = _(
    "Gõ tên (có dấu hay không dấu đều được, ví dụ “pho hien”) rồi chọn trong danh sách; "
    "cũng có thể gõ mã thống kê."
)
