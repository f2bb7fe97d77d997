"""The upload form: which plan, for which agency, and the file (which says each row's kind)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.programme import selectors
from antoan.programme.models import Plan


class ImportForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Kế hoạch"), queryset=Plan.objects.none(), empty_label=None
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan tổ chức"),
        queryset=Agency.objects.none(),
        empty_label=None,
        help_text=_("Bạn báo cáo cho nhiều cơ quan: chọn cơ quan đã tổ chức các hoạt động."),
    )
    file = forms.FileField(
        label=_("Tệp Excel đã điền (.xlsx)"),
        help_text=_(
            "Tệp phải là mẫu tải từ trang này. Nếu có dòng sai, không dòng nào được nhập và hệ "
            "thống báo từng dòng cần sửa."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"empty": _("Tệp rỗng."), "required": _("Hãy chọn tệp Excel đã điền.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = selectors.plan_list(user)
        current = selectors.plan_current(user)
        if current is not None:
            self.fields["plan"].initial = current.pk
        agencies = Agency.objects.filter(pk__in=selectors.reporting_agency_ids(user)).order_by(
            "name"
        )
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        if len(agencies) == 1:
            # One agency: nothing to ask; it is filled in below.
            self.only_agency = agencies[0]
            self.fields["agency"].required = False
            self.fields["agency"].widget = forms.HiddenInput()
        else:
            self.only_agency = None
        for name, field in self.fields.items():
            if name == "agency" and self.only_agency is not None:
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_agency(self) -> Agency:
        return self.cleaned_data.get("agency") or self.only_agency
