"""Errors of place lookups: a code that names no place (or no current place) on a date.

They subclass Django's ``ValidationError`` so forms show them on the field and the API's error
handler turns them into a 400 in the project's error shape without extra glue. Catch
:class:`PlaceNotFound` to handle every lookup failure.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PlaceNotFound(ValidationError):
    """No place has this code on this date (a code alone is ambiguous across reorganisations)."""

    template: StrOrPromise = _("Không có đơn vị hành chính mã %(code)s vào ngày %(date)s.")
    error_code = "place_not_found"

    def __init__(self, *, code: str, on: dt.date) -> None:
        super().__init__(
            self.template,
            code=self.error_code,
            params={"code": code, "date": on.strftime("%d/%m/%Y")},
        )
        # Not ``self.code``: ValidationError keeps the error code there.
        self.place_code = code
        self.on = on


class NoSuccessor(PlaceNotFound):
    """The place existed but nothing that succeeds it is valid on the date (a district)."""

    template = _("Đơn vị hành chính mã %(code)s không có đơn vị kế thừa vào ngày %(date)s.")
    error_code = "place_no_successor"


class AmbiguousPlaceCode(PlaceNotFound):
    """An old code leads to different places on the date: the caller must pass the place."""

    template = _("Mã %(code)s ứng với nhiều đơn vị hành chính khác nhau vào ngày %(date)s.")
    error_code = "place_ambiguous"


def _listing(candidates: list[str]) -> str:
    return "; ".join(candidates)


class PlaceNameNotFound(PlaceNotFound):
    """No place of this name (or code) is valid on the date, where it was looked for."""

    error_code = "place_name_not_found"

    def __init__(self, *, text: str, on: dt.date, suggestions: list[str] | None = None) -> None:
        params = {"text": text, "date": on.strftime("%d/%m/%Y")}
        if suggestions:
            message = _(
                "Không tìm thấy đơn vị hành chính “%(text)s” vào ngày %(date)s. "
                "Có phải: %(candidates)s?"
            )
            params["candidates"] = _listing(suggestions)
        else:
            message = _(
                "Không tìm thấy đơn vị hành chính “%(text)s” vào ngày %(date)s. Hãy gõ tên xã, "
                "phường (có dấu hay không dấu đều được) hoặc mã thống kê."
            )
        ValidationError.__init__(self, message, code=self.error_code, params=params)
        self.place_code = text
        self.on = on
        self.suggestions = suggestions or []


class AmbiguousPlaceName(PlaceNotFound):
    """Several places of this name are valid on the date: the user must say which."""

    error_code = "place_name_ambiguous"

    def __init__(self, *, text: str, on: dt.date, candidates: list[str]) -> None:
        ValidationError.__init__(
            self,
            _(
                "Có nhiều đơn vị hành chính tên “%(text)s” vào ngày %(date)s: %(candidates)s. "
                "Hãy chọn một trong danh sách hoặc gõ kèm tên tỉnh, huyện."
            ),
            code=self.error_code,
            params={
                "text": text,
                "date": on.strftime("%d/%m/%Y"),
                "candidates": _listing(candidates),
            },
        )
        self.place_code = text
        self.on = on
        self.candidates = candidates
