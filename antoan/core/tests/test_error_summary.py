"""{% error_summary %}: every field error listed at the top, linked to its field."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


class Call(forms.Form):
    phone = forms.CharField(label="Số điện thoại")
    needs = forms.MultipleChoiceField(
        label="Nhu cầu", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Cuộc gọi trùng với cuộc gọi trước.")


Items = forms.formset_factory(forms.Form, extra=0)


def render(text: str, **context) -> str:
    return Template("{% load antoan_forms %}" + text).render(Context(context))


def test_each_field_error_links_to_its_field_and_loose_errors_are_listed():
    html = render("{% error_summary form %}", form=Call(data={"token": "x"}))
    assert "Có lỗi cần sửa" in html
    assert 'href="#id_phone"' in html and "Số điện thoại: " in html
    assert 'href="#id_needs_0"' in html  # a group of boxes: its first box
    assert "Cuộc gọi trùng với cuộc gọi trước." in html
    assert "data-error-summary" in html and 'tabindex="-1"' in html


def test_a_tampered_hidden_field_reads_as_a_stale_page_and_an_unbound_form_shows_nothing():
    html = render("{% error_summary form %}", form=Call(data={"phone": "1", "needs": ["a"]}))
    assert "Trang này đã cũ hoặc bị sửa đổi" in html
    assert render("{% error_summary form %}", form=Call()).strip() == ""


def test_formsets_and_several_forms_share_one_summary():
    broken = Items(data={"form-TOTAL_FORMS": "x"})
    html = render("{% error_summary a b message='Chưa tạo được' %}", a=Call(data={}), b=broken)
    assert html.count("data-error-summary") == 1
    assert "Chưa tạo được" in html
    assert "Trang này đã cũ hoặc bị sửa đổi" in html
