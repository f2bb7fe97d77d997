"""Reporting periods: a year, its quarters and months, and the plan's reporting year.

The reporting year ``R`` of year Y runs from the first day of ``ANTOAN_REPORTING_START_MONTH``
(default December) of Y-1 to the day before it in Y: plan 64/KH-UBND's agencies report before
10 December on the twelve months to 30 November. Period ids follow DHIS2 where it has one
("2024", "2024Q1", "202403"); the reporting year is "2024R".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Codes of the ``period`` parameter, in the order a menu lists them.
PERIOD_CODES = ["year", "reporting", "q1", "q2", "q3", "q4", *[f"m{m}" for m in range(1, 13)]]
FIRST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    year: int
    code: str  # "year", "reporting", "q1".."q4", "m1".."m12"
    start: dt.date
    end: dt.date  # inclusive

    @property
    def kind(self) -> str:
        if self.code in ("year", "reporting"):
            return self.code
        return "quarter" if self.code.startswith("q") else "month"

    @property
    def id(self) -> str:
        if self.code == "year":
            return str(self.year)
        if self.code == "reporting":
            return f"{self.year}R"
        if self.kind == "quarter":
            return f"{self.year}Q{self.code[1:]}"
        return f"{self.year}{int(self.code[1:]):02d}"

    @property
    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs the period covers."""
        out = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    @property
    def label(self) -> str:
        if self.code == "year":
            return _("Năm %(year)s") % {"year": self.year}
        if self.code == "reporting":
            return _("Kỳ báo cáo năm %(year)s (%(start)s – %(end)s)") % {
                "year": self.year,
                "start": self.start.strftime("%d/%m/%Y"),
                "end": self.end.strftime("%d/%m/%Y"),
            }
        if self.kind == "quarter":
            return _("Quý %(q)s/%(year)s") % {"q": self.code[1:], "year": self.year}
        return _("Tháng %(m)s/%(year)s") % {"m": int(self.code[1:]), "year": self.year}

    def started(self, today: dt.date) -> bool:
        return self.start <= today


def reporting_start_month() -> int:
    return int(getattr(settings, "ANTOAN_REPORTING_START_MONTH", 12))


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def period_for(year: int, code: str = "year") -> Period:
    """The period ``code`` of ``year``; ValidationError for an unknown code."""
    if code == "year":
        return Period(year, code, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if code == "reporting":
        start_month = reporting_start_month()
        if start_month == 1:
            return Period(year, code, dt.date(year, 1, 1), dt.date(year, 12, 31))
        start = dt.date(year - 1, start_month, 1)
        return Period(year, code, start, _month_end(year, start_month - 1))
    if code in ("q1", "q2", "q3", "q4"):
        q = int(code[1])
        return Period(year, code, dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
    if code.startswith("m") and code[1:].isdigit() and 1 <= int(code[1:]) <= 12:
        m = int(code[1:])
        return Period(year, f"m{m}", dt.date(year, m, 1), _month_end(year, m))
    raise ValidationError(
        {
            "period": [
                _("Kỳ “%(code)s” không có. Dùng: %(codes)s.")
                % {"code": code, "codes": ", ".join(PERIOD_CODES)}
            ]
        },
        code="invalid",
    )


def check_year(year: int, today: dt.date) -> None:
    if not FIRST_YEAR <= year <= today.year:
        raise ValidationError(
            {
                "year": [
                    _("Năm phải từ %(first)s đến %(last)s.")
                    % {"first": FIRST_YEAR, "last": today.year}
                ]
            },
            code="invalid",
        )


def period_choices() -> list[tuple[str, str]]:
    """(code, label) for a menu, in the language of the request."""
    start = reporting_start_month()
    end = 12 if start == 1 else start - 1
    choices = [
        ("year", _("Cả năm")),
        (
            "reporting",
            _("Kỳ báo cáo (01/%(start)02d năm trước – %(end)s)")
            % {"start": start, "end": _month_end(2001, end).strftime("%d/%m")},
        ),
    ]
    choices += [(f"q{q}", _("Quý %(q)s") % {"q": q}) for q in range(1, 5)]
    choices += [(f"m{m}", _("Tháng %(m)s") % {"m": m}) for m in range(1, 13)]
    return choices
