"""What every case form shares: date and time fields typed the Vietnamese way, Bootstrap
classes, and the hidden ``version`` a form that changes a case carries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from antoan.core.forms import (
    DATE_ERROR,
    DATE_INPUTS,
    DATETIME_ERROR,
    DATETIME_INPUTS,
    EMPTY_CHOICE_LABEL,
    BoundedDateField,
    BoundedDateTimeField,
    bound_dates,
    label_empty_choices,
)

BLANK = ("", EMPTY_CHOICE_LABEL)


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return BoundedDateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_INPUTS,
        error_messages={"invalid": DATE_ERROR},
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
        ),
    )


def datetime_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.Field:
    return BoundedDateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATETIME_INPUTS,
        error_messages={"invalid": DATETIME_ERROR},
        widget=forms.DateTimeInput(
            format="%d/%m/%Y %H:%M",
            attrs={"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"},
        ),
    )


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def checkboxes(choices: Iterable[tuple[str, Any]], label: Any, **kwargs: Any) -> forms.Field:
    return forms.MultipleChoiceField(
        label=label,
        choices=list(choices),
        required=kwargs.pop("required", False),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


def select(choices: Iterable[tuple[str, Any]], label: Any, **kwargs: Any) -> forms.ChoiceField:
    required = kwargs.pop("required", True)
    return forms.ChoiceField(label=label, choices=[BLANK, *choices], required=required, **kwargs)


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; no browser-side ``required`` (its bubbles would be
    in the browser's language, and the server's Vietnamese errors say more)."""

    use_required_attribute = False
    # Names the services use for a field that this form calls differently.
    error_aliases: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)
        label_empty_choices(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class VersionedForm(StyledForm):
    """A form that changes a case: it names the version of the case it was filled in on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def filled(formset: Any) -> list[Any]:
    """The rows of a formset that were filled in, in order (the services number these)."""
    return [form for form in formset.forms if form.has_changed()]
