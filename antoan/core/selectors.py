"""Reads of the audit log, for the auditor's page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from antoan.accounts.roles import Perm
from antoan.core.models import AuditEvent
from antoan.core.permissions import has_perm

AUDIT_PAGE_SIZE = 50

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR = re.compile(r"^(\d{1,18})-(\d{1,18})$")

# What the results table shows; the hashes and ``extra`` stay in the database.
_COLUMNS = (
    "id",
    "seq",
    "occurred_at",
    "user",
    "username",
    "agency",
    "role",
    "action",
    "object_type",
    "object_id",
    "place_code",
    "request_id",
    "ip",
    "changed_fields",
    "user__username",
    "user__first_name",
    "user__last_name",
    "agency__name",
)


@dataclass(frozen=True)
class Cursor:
    """A position in the log, newest first: the (occurred_at, id) of an event.

    The id, not the seq: an event has an id from the moment it is written, a seq only once
    it is sealed (docs/audit.md), and the page lists unsealed events too.
    """

    occurred_at: dt.datetime
    id: int

    @classmethod
    def of(cls, event: AuditEvent) -> Cursor:
        return cls(event.occurred_at, event.pk)

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        match = _CURSOR.match(text or "")
        if match is None:
            return None
        micros, pk = (int(part) for part in match.groups())
        try:
            return cls(_EPOCH + dt.timedelta(microseconds=micros), pk)
        except OverflowError:
            return None

    def __str__(self) -> str:
        micros = (self.occurred_at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{micros}-{self.id}"


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    newer: Cursor | None  # show events newer than this (the previous page), if any
    older: Cursor | None  # show events older than this (the next page), if any


def audit_events_for_user(user: Any) -> QuerySet[AuditEvent]:
    """The events the user may read: the whole log for an auditor, nothing for anyone else."""
    if not has_perm(user, Perm.AUDIT_VIEW):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()


def audit_event_page(
    qs: QuerySet[AuditEvent],
    *,
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of ``qs``, newest first, by keyset: each page costs one bounded query."""
    qs = qs.select_related("user", "agency").only(*_COLUMNS)
    if after is not None:
        # Going back towards the newest events: read upwards, then flip.
        qs = qs.filter(
            Q(occurred_at__gt=after.occurred_at)
            | Q(occurred_at=after.occurred_at, id__gt=after.id),
            occurred_at__gte=after.occurred_at,
        )
        rows = list(qs.order_by("occurred_at", "id")[: size + 1])
        more_newer = len(rows) > size
        events = rows[:size][::-1]
        return AuditPage(
            events,
            newer=Cursor.of(events[0]) if events and more_newer else None,
            older=Cursor.of(events[-1]) if events else None,
        )
    if before is not None:
        # The redundant bound lets the database range-scan the occurred_at indexes.
        qs = qs.filter(
            Q(occurred_at__lt=before.occurred_at)
            | Q(occurred_at=before.occurred_at, id__lt=before.id),
            occurred_at__lte=before.occurred_at,
        )
    rows = list(qs.order_by("-occurred_at", "-id")[: size + 1])
    events = rows[:size]
    return AuditPage(
        events,
        newer=Cursor.of(events[0]) if events and before is not None else None,
        older=Cursor.of(events[-1]) if len(rows) > size else None,
    )


@dataclass(frozen=True)
class SignInSummary:
    previous_at: dt.datetime | None
    previous_ip: str | None
    failures_since: int


def sign_in_summary_for(user: Any) -> SignInSummary:
    """The user's own previous sign-in and the failed attempts on their name since then.

    Shown on the home page so that a user notices a sign-in that was not theirs.
    """
    logins = list(
        AuditEvent.objects.filter(user=user, action="login")
        .order_by("-id")  # ids, not seqs: the last sign-in may not be sealed yet
        .values("id", "occurred_at", "ip")[:2]
    )
    if len(logins) < 2:
        return SignInSummary(previous_at=None, previous_ip=None, failures_since=0)
    previous, current = logins[1], logins[0]
    failures = AuditEvent.objects.filter(
        username=user.get_username(),
        action="login_failed",
        id__gt=previous["id"],
        id__lt=current["id"],
    ).count()
    return SignInSummary(previous["occurred_at"], previous["ip"], failures)
