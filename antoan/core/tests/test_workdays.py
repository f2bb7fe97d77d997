"""The working-day calendar: weekends, public holidays and Tết, announced swaps.

Every date below was checked against the ``holidays`` package (0.108) and the government's
announcements: Tết 2026 is 16–20/02 (Monday to Friday), Tết 2027 is 04–10/02; 30/04 and 01/05
2026 are Thursday and Friday; National Day 2026 is 01–02/09 with 31/08 off in exchange for
Saturday 22/08, which is worked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from antoan.core import workdays

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 3, 16), True),  # an ordinary Monday
        (D(2026, 3, 21), False),  # Saturday
        (D(2026, 2, 16), False),  # Tết 2026: 29 Tết (Lunar New Year's Eve)
        (D(2026, 2, 20), False),  # Tết 2026: 4 Tết
        (D(2026, 2, 23), True),  # back to work
        (D(2026, 4, 27), False),  # Hùng Kings (26/04 a Sunday), observed on Monday
        (D(2026, 4, 30), False),
        (D(2026, 5, 1), False),
        (D(2026, 8, 22), True),  # a Saturday worked in exchange for 31/08
        (D(2026, 8, 31), False),
        (D(2026, 9, 1), False),
        (D(2026, 9, 2), False),
        (D(2027, 2, 4), False),  # Tết 2027 runs 04–10/02
        (D(2027, 2, 10), False),
        (D(2027, 2, 11), True),
        (D(2027, 5, 3), False),  # 01/05/2027 is a Saturday: observed on Monday
    ],
)
def test_which_days_are_working_days(day, working):
    assert workdays.is_working_day(day) is working


def test_the_day_itself_does_not_count():
    assert workdays.add_working_days(D(2026, 3, 16), 0) == D(2026, 3, 16)
    assert workdays.add_working_days(D(2026, 3, 16), 1) == D(2026, 3, 17)
    # Friday + 1: Saturday and Sunday do not count.
    assert workdays.add_working_days(D(2026, 3, 20), 1) == D(2026, 3, 23)


def test_tet_2026_stops_the_clock():
    # Received Friday 13/02/2026: Tết (16–20/02) and two weekends pass before day 1.
    assert workdays.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert workdays.add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert workdays.add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 6)


def test_tet_2027_stops_the_clock():
    # Received Wednesday 03/02/2027: Tết runs 04–10/02, so day 1 is Thursday 11/02.
    assert workdays.add_working_days(D(2027, 2, 3), 1) == D(2027, 2, 11)
    assert workdays.add_working_days(D(2027, 2, 3), 2) == D(2027, 2, 12)


def test_reunification_and_labour_day_2026():
    # Wednesday 29/04/2026: Thursday 30/04 and Friday 01/05 are off, then the weekend.
    assert workdays.add_working_days(D(2026, 4, 29), 1) == D(2026, 5, 4)
    assert workdays.add_working_days(D(2026, 4, 29), 2) == D(2026, 5, 5)


def test_national_day_2026_and_its_swapped_saturday():
    # Friday 21/08/2026: Saturday 22/08 is worked (day 1); 31/08, 01/09 and 02/09 are off.
    assert workdays.add_working_days(D(2026, 8, 21), 1) == D(2026, 8, 22)
    assert workdays.add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 3)


def test_working_days_between():
    assert workdays.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert workdays.working_days_between(D(2026, 3, 16), D(2026, 3, 16)) == 0
    assert workdays.working_days_between(D(2026, 3, 23), D(2026, 3, 16)) == -5


def test_announced_swaps_come_from_the_settings(settings):
    monday = D(2026, 3, 16)
    settings.ANTOAN_EXTRA_DAYS_OFF = ["2026-03-17"]
    settings.ANTOAN_EXTRA_WORKING_DAYS = ["2026-03-21"]
    assert not workdays.is_working_day(D(2026, 3, 17))
    assert workdays.is_working_day(D(2026, 3, 21))
    assert workdays.add_working_days(monday, 1) == D(2026, 3, 18)


def test_a_bad_date_in_the_settings_fails_loudly(settings):
    settings.ANTOAN_EXTRA_DAYS_OFF = ["17/03/2026"]
    with pytest.raises(ImproperlyConfigured):
        workdays.is_working_day(D(2026, 3, 17))


def test_deadline_ends_at_midnight_in_vietnam():
    received = dt.datetime(2026, 2, 13, 20, 0, tzinfo=dt.UTC)  # 03:00 on Saturday 14/02 in VN
    deadline = workdays.deadline_after(received, 2)
    assert deadline == dt.datetime(2026, 2, 24, 23, 59, 59, tzinfo=workdays.VN)
