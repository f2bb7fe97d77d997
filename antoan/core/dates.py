"""The range every date typed into the system must fall in, whatever the form, API or file.

A date outside it is a typing slip (0205 for 2025, 9999 as "no end"), and such dates crash
arithmetic further on: 31/12/9999 plus three days is past ``date.max`` (OverflowError, a 500).
Each domain has narrower rules of its own (an incident is not in the future, an activity lies
in its plan's period); this bound is the net under all of them, applied where text becomes a
date: the form fields (``antoan.core.forms.BoundedDateField``...), the API's ``Day`` and
``Moment`` fields and the Excel import's date cells.

- **Floor: 01/01/1900.** The oldest birth date a living person can have (``rules.MIN_BIRTH_YEAR``
  for cases); no event, plan or place of this system is older.
- **Ceiling: today + 10 years.** Future dates are meaningful only for what is planned or ordered:
  measure end dates, deadlines, plan periods (a plan runs at most to 2030), due dates. Ten years
  covers the longest of these with room to spare; nothing of this system is decided further
  ahead.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = dt.date(1900, 1, 1)
FUTURE_YEARS = 10


def latest(today: dt.date | None = None) -> dt.date:
    """The last date accepted: ``FUTURE_YEARS`` after today (28/02 for a 29/02)."""
    today = today or timezone.localdate()
    year = today.year + FUTURE_YEARS
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def out_of_range_message(today: dt.date | None = None) -> str:
    return _(
        "Ngày phải trong khoảng từ %(earliest)s đến %(latest)s. Hãy kiểm tra lại năm đã nhập."
    ) % {"earliest": EARLIEST.strftime("%d/%m/%Y"), "latest": latest(today).strftime("%d/%m/%Y")}


def check_date_range(day: dt.date, *, today: dt.date | None = None) -> dt.date:
    """``day`` itself, or a ValidationError (code ``date_range``) when it is implausible."""
    if isinstance(day, dt.datetime):
        # A moment is judged by its date in Việt Nam, as the person who typed it sees it.
        try:
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        except OverflowError:  # 31/12/9999 23:00 UTC is already year 10000 in Việt Nam
            raise ValidationError(out_of_range_message(today), code="date_range") from None
    if not EARLIEST <= day <= latest(today):
        raise ValidationError(out_of_range_message(today), code="date_range")
    return day


def validate_date_range(value: dt.date | dt.datetime) -> None:
    """Field validator form of :func:`check_date_range`."""
    check_date_range(value)
