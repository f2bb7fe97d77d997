"""The form renderer writes drop-down lists exactly as Django's templates do."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from antoan.accounts.models import Agency
from antoan.core.form_renderer import FormRenderer
from antoan.hotline.forms import NotificationForm


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "Một"), ("b", "Hai & <ba>")])
    numbers = forms.TypedChoiceField(choices=[(2025, 2025), (12345, 12345)], coerce=int)
    grouped = forms.ChoiceField(
        choices=[
            ("Hà Nội", [("hn-1", "Ba Đình"), ("hn-2", "Hoàn Kiếm")]),
            ("x", "Ngoài nhóm"),
            (_("Hồ sơ"), [("q-1", mark_safe("<b>an toàn</b>"))]),
        ]
    )
    several = forms.MultipleChoiceField(choices=[("1", "một"), ("2", 'hai "2"'), ("3", "ba")])
    optional = forms.ChoiceField(
        required=False,
        choices=[("1", "một")],
        widget=forms.Select(
            attrs={"class": "form-select", "disabled": True, "data-x": 'a"b', "hidden": False}
        ),
    )
    agency = forms.ModelChoiceField(queryset=Agency.objects.order_by("name"), required=False)


def both(form: forms.Form, name: str) -> tuple[str, str]:
    """The field's widget drawn by our renderer and by Django's."""
    form.renderer = FormRenderer()
    ours = str(form[name])
    form.renderer = DjangoTemplates()
    return ours, str(form[name])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "b", "numbers": "12345", "grouped": "q-1", "several": ["1", "3"]},
        {"plain": "<script>", "grouped": "hn-2", "several": ["2"], "optional": "1"},
    ],
)
def test_selects_are_written_as_djangos_templates_write_them(language, data, cast):
    with override(language):
        form = Choices(data=data)
        for name in form.fields:
            ours, django = both(form, name)
            assert ours == django, name
            assert ours.startswith("<select") and ours.endswith("</select>")


@pytest.mark.django_db
def test_the_hotline_notice_form_lists_the_agencies_as_before(cast):
    form = NotificationForm(agencies=Agency.objects.order_by("name"))
    ours, django = both(form, "agency")
    assert ours == django
    assert ours.count("<option") == Agency.objects.count() + 1


def test_other_widgets_still_use_djangos_templates():
    radios = forms.RadioSelect(choices=[("1", "một")]).render("r", "1", renderer=FormRenderer())
    assert radios == forms.RadioSelect(choices=[("1", "một")]).render(
        "r", "1", renderer=DjangoTemplates()
    )
    assert 'type="radio"' in radios and "checked" in radios


def test_the_site_uses_it(settings):
    assert settings.FORM_RENDERER == "antoan.core.form_renderer.FormRenderer"
