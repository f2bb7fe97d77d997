"""Forms of the referral pages: shape and types; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.cases.choices import Need
from antoan.cases.forms.base import BLANK, StyledForm, date_field, select
from antoan.referrals.models import Urgency


class DirectoryFilter(forms.Form):
    commune = forms.ChoiceField(label=_("Xã, phường"), required=False)
    service = forms.ChoiceField(
        label=_("Dịch vụ"), required=False, choices=[("", _("Tất cả")), *list(Need.choices)]
    )

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", _("Tất cả")), *list(communes)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class ReferralForm(StyledForm):
    provider = forms.TypedChoiceField(label=_("Cơ sở cung cấp dịch vụ"), coerce=int)
    service = select(Need.choices, _("Dịch vụ"))
    urgency = forms.ChoiceField(label=_("Mức khẩn"), choices=Urgency.choices, initial="normal")
    note = forms.CharField(
        label=_("Ghi chú an toàn cho nơi nhận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nơi nhận đọc được ghi chú này. Chỉ ghi điều họ cần biết để giữ an toàn."),
    )
    emergency_override = forms.BooleanField(
        label=_("Quyết định khẩn cấp khi chưa có sự đồng ý"), required=False
    )
    override_reason = forms.CharField(
        label=_("Lý do quyết định khẩn cấp"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Step-up (accounts/reauth.py): an override asks for the password or a code again unless
    # one was given within the last minutes. In the form itself, so nothing typed is lost.
    reauth_secret = forms.CharField(
        label=_("Mật khẩu hoặc mã OTP của bạn (khi quyết định khẩn cấp)"),
        required=False,
        strip=False,
        max_length=4096,
        # Not "current-password": a browser that fills a saved password by itself would let
        # anyone at an unattended screen through the step-up.
        widget=forms.PasswordInput(attrs={"autocomplete": "one-time-code"}),
        help_text=_("Quyết định khẩn cấp cần xác nhận lại rằng chính bạn đang dùng máy."),
    )

    OVERRIDE_FIELDS = ("emergency_override", "override_reason", "reauth_secret")

    def __init__(self, *args, providers=(), can_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [BLANK, *((p.pk, p.agency.name) for p in providers)]
        if not can_override:
            # Only a supervisor may send without consent; nobody else sees the choice at all.
            for name in self.OVERRIDE_FIELDS:
                self.fields.pop(name)
        # The preview of what the provider will see follows these fields (htmx, no script).
        for name in ("provider", "service", "note", "emergency_override"):
            if name in self.fields:
                self.fields[name].widget.attrs["data-preview"] = ""


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))


class DeliverForm(StyledForm):
    delivered_on = date_field(_("Ngày cung cấp"))
    description = forms.CharField(
        label=_("Dịch vụ đã cung cấp"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ServiceForm(DeliverForm):
    service = select(Need.choices, _("Dịch vụ"))

    field_order = ("service", "delivered_on", "description")


class OccupancyForm(forms.Form):
    occupancy = forms.IntegerField(label=_("Số người đang ở"), min_value=0)
    version = forms.IntegerField(widget=forms.HiddenInput)
