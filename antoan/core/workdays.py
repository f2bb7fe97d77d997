"""Vietnamese working days: the calendar every legal and service deadline is counted in.

A working day is Monday to Friday, except the public holidays and Tết of the Labour Code
(Art. 112) as the ``holidays`` package knows them (its data ships inside the package: no network
at run time), plus the compensatory days off and the Saturdays worked in exchange that the
government announces each year. The package knows most of these swaps (e.g. 22/08/2026 worked,
31/08/2026 off); a swap it does not know yet is added by the operator through
``ANTOAN_EXTRA_DAYS_OFF`` and ``ANTOAN_EXTRA_WORKING_DAYS`` (ISO dates, comma separated).

Counting follows the civil rule for periods (Civil Code Art. 147): the day of the event does not
count; the period starts the next day. See docs/privacy/requests.md.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Safety stop: no legal period here is longer than a few months of working days.
_MAX_DAYS = 3660


@lru_cache(maxsize=1)
def _calendar() -> holidays.HolidayBase:
    # One object, filled year by year as dates are asked about.
    return holidays.country_holidays("VN")


def _dates(name: str) -> frozenset[dt.date]:
    raw = getattr(settings, name, ()) or ()
    try:
        return frozenset(dt.date.fromisoformat(str(item)) for item in raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} holds ISO dates (YYYY-MM-DD): {exc}") from exc


def is_working_day(day: dt.date) -> bool:
    """True for a day an office of the state works in Vietnam."""
    if day in _dates("ANTOAN_EXTRA_WORKING_DAYS"):
        return True
    if day in _dates("ANTOAN_EXTRA_DAYS_OFF"):
        return False
    calendar = _calendar()
    if day in calendar:  # also loads the year, and with it the year's swapped Saturdays
        return False
    if day.weekday() >= 5:
        return day in calendar.weekend_workdays
    return True


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    steps = 0
    while counted < days:
        day += dt.timedelta(days=1)
        steps += 1
        if steps > _MAX_DAYS:
            raise ValueError("no working days in ten years: check ANTOAN_EXTRA_DAYS_OFF")
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of ``day`` in Vietnam: a period of days ends at midnight."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=VN)


def deadline_after(moment: dt.datetime, working_days: int) -> dt.datetime:
    """The end of the ``working_days``-th working day after the Vietnamese date of ``moment``."""
    return end_of_day(add_working_days(moment.astimezone(VN).date(), working_days))
