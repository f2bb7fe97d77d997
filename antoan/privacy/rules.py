"""Pure rules of the personal data law: the clocks of requests and breaches.

Periods from Law 91/2025/QH15 and Decree 356/2025/NĐ-CP (in force 01/01/2026), counted in
Vietnamese working days (``antoan.core.workdays``) from the day after the request is received,
each ending at midnight in Vietnam. See docs/privacy/requests.md for the assumptions.
"""

from __future__ import annotations

import datetime as dt

from antoan.cases.rules import Countdown, countdown
from antoan.core import workdays
from antoan.privacy.choices import RequestKind

# The controller confirms it has received a request within 2 working days.
ACKNOWLEDGE_WORKING_DAYS = 2

# Working days to carry out (or refuse, with reasons) each kind of request.
RESPONSE_WORKING_DAYS: dict[str, int] = {
    RequestKind.ACCESS: 10,
    RequestKind.CORRECTION: 10,
    RequestKind.WITHDRAWAL: 15,
    RequestKind.RESTRICTION: 15,
    RequestKind.OBJECTION: 15,
    RequestKind.DELETION: 20,
}

# One extension, with reasons given to the data subject. The decree's text on its length was
# not available to us: we assume an extension may add at most the original period once
# (documented in docs/privacy/requests.md; change here if the decree says otherwise).
MAX_EXTENSIONS = 1

# A suspected breach is notified to the specialised authority (A05, Ministry of Public
# Security) within 72 hours of its detection.
BREACH_NOTIFY_HOURS = 72


def acknowledge_due(received_at: dt.datetime) -> dt.datetime:
    return workdays.deadline_after(received_at, ACKNOWLEDGE_WORKING_DAYS)


def response_due(kind: str, received_at: dt.datetime) -> dt.datetime:
    return workdays.deadline_after(received_at, RESPONSE_WORKING_DAYS[kind])


def extended_due(kind: str, current_due: dt.datetime) -> dt.datetime:
    """The response deadline after the one extension: the original period again."""
    return workdays.deadline_after(current_due, RESPONSE_WORKING_DAYS[kind])


def breach_notify_due(detected_at: dt.datetime) -> dt.datetime:
    return detected_at + dt.timedelta(hours=BREACH_NOTIFY_HOURS)


def clock(*, deadline: dt.datetime, now: dt.datetime) -> Countdown:
    return countdown(deadline=deadline, now=now)
