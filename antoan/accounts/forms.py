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


class ReauthForm(forms.Form):
    """The password or a current authenticator code, before a sensitive act."""

    secret = forms.CharField(
        label=_("Mật khẩu hoặc mã OTP"), max_length=4096, strip=False, widget=forms.PasswordInput
    )
