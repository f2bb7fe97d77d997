"""Phone numbers as people type them, stored in one form.

People write a Vietnamese number many ways: ``0912 345 678``, ``0912.345.678``,
``+84 912-345-678``, ``84912345678``, ``(024) 3825 1234``. Every phone field (a survivor's and
a guardian's at intake, the referral directory's numbers, a breach's contact) goes through
:func:`parse_phone`, which stores digits only with the country prefix turned into the leading
0 (what :func:`antoan.core.crypto.phone_index` searches by), so the same number typed two ways
is one number. Numbers abroad keep their digits (8 to 15, the ITU E.164 limit).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from antoan.core.crypto import normalise_phone

# What people put between digit groups; a no-break space comes from copying out of documents.
_SEPARATORS = re.compile(r"[\s.\-()/\u00a0]")
# [0-9], not \d: "²" and Arabic-Indic digits are digits to Python's regex, not to a phone.
_NUMBER = re.compile(r"\+?[0-9]+")
# Short numbers the directory may list: 111 (child helpline), 113/114/115 (police, fire,
# ambulance), and free or shared-cost numbers 1800/1900 followed by 4 or 6 digits.
_SERVICE = re.compile(r"11[1-5]|1[89]00(?:[0-9]{4}|[0-9]{6})")

INVALID = _(
    "Số điện thoại không hợp lệ: cần từ 8 đến 15 chữ số, ví dụ 0912 345 678 hoặc +84 912 345 678."
)
DOMESTIC_LENGTH = _(
    "Số điện thoại trong nước có 10 chữ số (ví dụ 0912 345 678) hoặc 11 chữ số với máy cố "
    "định (ví dụ 024 3825 1234)."
)


def parse_phone(value: str | None, *, allow_service: bool = False) -> str:
    """The number as stored ('' when none is given); ``ValidationError`` (code
    ``invalid_phone``) when it cannot be a phone number. ``allow_service`` also takes the short
    numbers of public services (113, 1800 1567), which a survivor's number never is."""
    compact = _SEPARATORS.sub("", value or "")
    if not compact:
        return ""
    if compact.startswith("00"):  # 0084..., 0044...: the international call prefix
        compact = "+" + compact[2:]
    if not _NUMBER.fullmatch(compact):
        raise ValidationError(INVALID, code="invalid_phone")
    if allow_service and _SERVICE.fullmatch(compact):
        return compact
    digits = compact.lstrip("+")
    if compact.startswith("+84") or (digits.startswith("84") and len(digits) in (11, 12)):
        # +84 0912... happens too: the 0 is written out of habit.
        digits = "0" + digits[2:].removeprefix("0")
    # normalise_phone is what the blind index uses: stored and searched numbers must agree.
    digits = normalise_phone(digits)
    if not 8 <= len(digits) <= 15:
        raise ValidationError(INVALID, code="invalid_phone")
    if digits.startswith("0") and len(digits) not in (10, 11):
        raise ValidationError(DOMESTIC_LENGTH, code="invalid_phone")
    return digits


def is_phone(value: str, *, allow_service: bool = False) -> bool:
    try:
        parse_phone(value, allow_service=allow_service)
    except ValidationError:
        return False
    return True


class PhoneField(forms.CharField):
    """A form field for a phone number: typed any common way, cleaned to the stored form."""

    def __init__(self, *, allow_service: bool = False, **kwargs: Any) -> None:
        self.allow_service = allow_service
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", _("Ví dụ 0912 345 678 hoặc +84 912 345 678."))
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # The phone keypad on a phone, and no spelling correction of digits.
        attrs.update({"inputmode": "tel", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> str:
        return parse_phone(super().to_python(value), allow_service=self.allow_service)


def format_phone(number: str | None) -> str:
    """A stored number grouped as people read it aloud: ``0912345678`` → ``0912 345 678``,
    ``02438251234`` → ``024 3825 1234``, ``02213862115`` → ``0221 3862 115``, ``18001567`` →
    ``1800 1567``. Anything else (numbers abroad, a value stored before numbers were cleaned)
    is shown as it is."""
    value = number or ""
    if not value.isdigit():
        return value
    if value[:4] in ("1800", "1900") and len(value) in (8, 10):
        rest = value[4:]
        return f"{value[:4]} {rest}" if len(rest) == 4 else f"{value[:4]} {rest[:3]} {rest[3:]}"
    if len(value) == 10 and value.startswith("0"):
        return f"{value[:4]} {value[4:7]} {value[7:]}"
    if len(value) == 11 and value.startswith(("024", "028")):
        return f"{value[:3]} {value[3:7]} {value[7:]}"
    if len(value) == 11 and value.startswith("02"):
        return f"{value[:4]} {value[4:8]} {value[8:]}"
    return value
