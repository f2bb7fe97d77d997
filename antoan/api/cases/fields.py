"""Input fields of the case endpoints: strict JSON types, Vietnamese messages, dotted errors.

DRF's own messages are only partly translated and some echo unbounded input back; these
subclasses say the same things in Vietnamese (the source language), quote at most a short
piece of what was sent, and accept JSON types only (``true``, never ``"yes"`` or ``1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from antoan.core.dates import check_date_range

REQUIRED = _("Trường này là bắt buộc.")
NOT_NULL = _("Trường này không được để trống (null).")
UNKNOWN_FIELD = _("Trường không xác định; kiểm tra lại tên trường.")
CONTROL_CHARACTER = _("Nội dung chứa ký tự điều khiển không hợp lệ.")

_COMMON = {"required": REQUIRED, "null": NOT_NULL}
MAX_INT = 2_147_483_647


def _shown(value: Any) -> str:
    # Echo a little of the input, never a 10,000-character string.
    return str(value)[:40]


class Text(serializers.CharField):
    """Text; its length and content rules are the services' (they give the precise message)."""

    default_error_messages = {
        **_COMMON,
        "invalid": _("Cần một chuỗi ký tự."),
        "blank": REQUIRED,
        "max_length": _("Nội dung dài quá {max_length} ký tự."),
        "min_length": _("Nội dung ngắn hơn {min_length} ký tự."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # DRF's NUL check speaks English; PostgreSQL would refuse NUL anyway.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        self.validators.append(ProhibitNullCharactersValidator(message=CONTROL_CHARACTER))

    def to_internal_value(self, data: Any) -> str:
        # A number is not text: "full_name": 12 is a client bug worth reporting.
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Code(serializers.ChoiceField):
    """One code of an enumeration (API.md), e.g. ``"female"``.

    ``Code(c.Sex)`` takes the TextChoices class, whose name names the enumeration in the
    OpenAPI schema (``CaseSexEnum``): a field name such as ``status`` or ``method`` means
    different code lists in different objects, which would otherwise collide.
    """

    default_error_messages = {
        **_COMMON,
        "invalid_choice": _("Mã “{input}” không hợp lệ."),
        "blank": REQUIRED,
    }

    def __init__(
        self,
        enum: type[models.TextChoices] | None = None,
        *,
        name: str = "",
        **kwargs: Any,
    ) -> None:
        if enum is not None:
            kwargs["choices"] = enum.choices
        self.enum_name = name or (enum.__name__ if enum is not None else "")
        if not self.enum_name:
            raise TypeError("Code needs a TextChoices class or a name")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        if not isinstance(data, str):
            self.fail("invalid_choice", input=_shown(data))
        try:
            return self.choice_strings_to_values[data]
        except KeyError:
            self.fail("invalid_choice", input=_shown(data))


class CodeSchema(OpenApiSerializerFieldExtension):
    """Each enumeration once in the schema, named after its TextChoices class."""

    target_class = Code
    match_subclasses = True

    def get_name(self) -> str:
        return f"Case{self.target.enum_name}{'OrBlank' if self.target.allow_blank else ''}Enum"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        values = [str(value) for value in self.target.choices]
        if self.target.allow_blank:
            values.append("")
        labels = "\n".join(f"* `{key}` - {label}" for key, label in self.target.choices.items())
        return {"type": "string", "enum": values, "description": labels}


class Codes(serializers.ListField):
    """A list of codes; repeats are dropped by the services."""

    default_error_messages = {
        **_COMMON,
        "not_a_list": _("Cần một danh sách."),
        "empty": _("Danh sách không được để trống."),
        "max_length": _("Danh sách có nhiều hơn {max_length} mục."),
        "min_length": _("Danh sách cần ít nhất {min_length} mục."),
    }

    def __init__(
        self, enum: type[models.TextChoices] | None = None, *, name: str = "", **kwargs: Any
    ) -> None:
        kwargs.setdefault("max_length", 50)
        choices = kwargs.pop("choices", None)
        child = Code(enum, name=name) if choices is None else Code(name=name, choices=choices)
        super().__init__(child=child, **kwargs)


class Items(serializers.ListField):
    """A list of objects (perpetrators, plan items)."""

    default_error_messages = Codes.default_error_messages


class Day(serializers.DateField):
    default_error_messages = {
        **_COMMON,
        "invalid": _("Ngày không hợp lệ: cần một ngày có thật, dạng YYYY-MM-DD."),
        "datetime": _("Cần một ngày (YYYY-MM-DD), không phải thời điểm."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> Any:
        day = super().to_internal_value(value)
        _in_range(day)
        return day


def _in_range(value: Any) -> None:
    """The common date range (``antoan.core.dates``), said as the API says errors."""
    try:
        check_date_range(value)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages, code="date_range") from None


class Moment(serializers.DateTimeField):
    default_error_messages = {
        **_COMMON,
        "invalid": _(
            "Thời điểm không hợp lệ: dùng dạng ISO 8601, ví dụ 2026-10-01T08:30:00+07:00."
        ),
        "date": _("Cần một thời điểm (ngày và giờ), không chỉ ngày."),
        "make_aware": _("Thời điểm không hợp lệ ở múi giờ {timezone}."),
        "overflow": _("Thời điểm nằm ngoài khoảng cho phép."),
    }

    def to_internal_value(self, value: Any) -> Any:
        moment = super().to_internal_value(value)
        _in_range(moment)
        return moment


class Whole(serializers.IntegerField):
    default_error_messages = {
        **_COMMON,
        "invalid": _("Cần một số nguyên."),
        "max_value": _("Giá trị phải nhỏ hơn hoặc bằng {max_value}."),
        "min_value": _("Giá trị phải lớn hơn hoặc bằng {min_value}."),
        "max_string_length": _("Số quá lớn."),
    }

    def __init__(self, **kwargs: Any) -> None:
        # Ids and versions are database integers: a larger number is refused, not sent to SQL.
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        # JSON numbers only: true is an int to Python, "12" a string to everyone else.
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class Flag(serializers.BooleanField):
    """``true`` or ``false``; never "yes", 1 or "on" (a consent must be unambiguous)."""

    default_error_messages = {**_COMMON, "invalid": _("Cần true hoặc false.")}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class Uuid(serializers.UUIDField):
    default_error_messages = {**_COMMON, "invalid": _("Cần một UUID hợp lệ.")}


class Answers(serializers.DictField):
    """An object of ``code: true|false`` (risk questions, closure checklist)."""

    # Braces doubled: DRF formats its messages, and "{mã...}" alone was a KeyError (a 500).
    default_error_messages = {
        **_COMMON,
        "not_a_dict": _("Cần một đối tượng {{mã: true/false}}."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=Flag(), **kwargs)


class StrictSerializer(serializers.Serializer):
    """Unknown keys are refused (400): a misspelt key must not be dropped silently, leaving
    the client to believe its change was made."""

    default_error_messages = {
        **_COMMON,
        "invalid": _("Cần một đối tượng JSON."),
    }

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = {}
        value = None
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, Mapping):
                raise
            errors.update(exc.detail)
        if isinstance(data, Mapping):
            for key in data:
                if key not in self.fields:
                    errors[_shown(key)] = [UNKNOWN_FIELD]
        if errors:
            raise serializers.ValidationError(errors)
        return value


def dotted(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as flat ``{"survivor.full_name": [...]}``, the API's error shape."""
    out: dict[str, list[str]] = {}

    def add(key: str, messages: list[str]) -> None:
        out.setdefault(key or "non_field_errors", []).extend(messages)

    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = str(key)
            if name in ("non_field_errors", "__all__"):
                name = prefix
            elif prefix:
                name = f"{prefix}.{name}"
            for inner, messages in dotted(value, name).items():
                add(inner, messages)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, Mapping | list):
                # A list serializer's errors: one entry per item, empty for valid items.
                for inner, messages in dotted(
                    item, f"{prefix}.{index}" if prefix else str(index)
                ).items():
                    add(inner, messages)
            else:
                add(prefix, [str(item)])
    else:
        add(prefix, [str(detail)])
    return out
