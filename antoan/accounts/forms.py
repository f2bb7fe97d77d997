"""Forms of login security. Field labels are Vietnamese first, like every user-facing string."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# Codes may be typed with a space or dash in the middle, as authenticator apps show them.
_CODE_SEPARATORS = re.compile(r"[\s-]")
_CODE = re.compile(r"^[0-9]{6,8}$")


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    # A bound on length keeps a huge body from costing an Argon2 hash of megabytes.
    password = forms.CharField(
        label=_("Mật khẩu"), max_length=4096, strip=False, widget=forms.PasswordInput
    )


class OtpCodeForm(forms.Form):
    code = forms.CharField(label=_("Mã xác thực"), max_length=20)

    def clean_code(self) -> str:
        code = _CODE_SEPARATORS.sub("", self.cleaned_data["code"])
        if not _CODE.match(code):
            raise forms.ValidationError(
                _("Hãy nhập mã gồm 6 chữ số đang hiện trong ứng dụng xác thực.")
            )
        return code


class PasswordChangeForm(forms.Form):
    """One's own password: the current one, and the new one twice."""

    current = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new = forms.CharField(
        label=_("Mật khẩu mới"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Ít nhất 12 ký tự. Nên dùng một câu dễ nhớ với bạn; không dùng mật khẩu phổ biến "
            "hay tên hệ thống."
        ),
    )
    repeat = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new") and data.get("repeat") and data["new"] != data["repeat"]:
            self.add_error("repeat", _("Hai lần nhập mật khẩu mới không giống nhau."))
        return data


class ReauthForm(forms.Form):
    """The password or a current authenticator code, before a sensitive act."""

    secret = forms.CharField(
        label=_("Mật khẩu hoặc mã OTP"), max_length=4096, strip=False, widget=forms.PasswordInput
    )
