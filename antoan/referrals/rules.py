"""Pure rules of the referral network: service-level deadlines and status transitions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from antoan.core import workdays

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """``days`` working days after ``start``, at the same time in Vietnam.

    Working days are those of the shared calendar (``antoan.core.workdays``): weekends, public
    holidays, Tết and the government's announced swaps do not count.
    """
    moment = start.astimezone(VN)
    day = workdays.add_working_days(moment.date(), days)
    return dt.datetime.combine(day, moment.timetz().replace(tzinfo=None), tzinfo=VN)


def due_at(*, urgency: str, sent_at: dt.datetime) -> dt.datetime:
    """When the addressee must have accepted or declined a referral of this urgency."""
    if urgency == "immediate":
        return sent_at + dt.timedelta(minutes=settings.ANTOAN_REFERRAL_SLA_IMMEDIATE_MINUTES)
    if urgency == "high":
        return sent_at + dt.timedelta(hours=settings.ANTOAN_REFERRAL_SLA_HIGH_HOURS)
    return add_working_days(sent_at, settings.ANTOAN_REFERRAL_SLA_NORMAL_WORKING_DAYS)


def alias_of(full_name: str) -> str:
    """What the recipient calls the survivor: the given name (the last word, Vietnamese order)."""
    words = (full_name or "").split()
    return words[-1] if words else ""
