"""Reads of the call log, always scoped to the acting user.

- An operator (``hotline.log_call``) sees their own calls and the open queue of their hotline.
- A supervisor (``hotline.view_all``) sees every call of their hotline agency.
- Everyone else sees nothing; a call they may not see answers 404, like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.accounts.selectors import agency_list
from antoan.cases.models import Case
from antoan.cases.selectors import cases_for_user
from antoan.core.audit import audit_record
from antoan.core.permissions import agency_ids_with
from antoan.hotline import choices as h
from antoan.hotline.models import Call, CallNotification
from antoan.indicators.selectors.places import rollup


def call_scope(user: Any) -> Q:
    """The condition selecting the calls ``user`` may see."""
    condition = Q(pk__in=[])
    supervised = agency_ids_with(user, Perm.CALL_VIEW_ALL)
    operated = agency_ids_with(user, Perm.CALL_LOG)
    if supervised:
        condition |= Q(agency_id__in=supervised)
    if operated:
        condition |= Q(agency_id__in=operated) & (Q(operator=user) | Q(status=h.Status.OPEN))
    return condition


def may_see_calls(user: Any) -> bool:
    return bool(agency_ids_with(user, Perm.CALL_VIEW_ALL) or agency_ids_with(user, Perm.CALL_LOG))


def calls_for_user(user: Any) -> QuerySet[Call]:
    return Call.objects.filter(call_scope(user)).select_related("operator", "commune", "case")


@dataclass
class CallFilters:
    status: str = ""
    mine: bool = False
    immediate_danger: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def call_list(user: Any, filters: CallFilters | None = None, *, request: Any = None) -> QuerySet:
    """The calls ``user`` may see, filtered; the listing is audited (filter names only)."""
    filters = filters or CallFilters()
    calls = calls_for_user(user)
    used = []
    if filters.status:
        calls = calls.filter(status=filters.status)
        used.append("status")
    if filters.mine:
        calls = calls.filter(operator=user)
        used.append("mine")
    if filters.immediate_danger is not None:
        calls = calls.filter(immediate_danger=filters.immediate_danger)
        used.append("immediate_danger")
    audit_record(
        action="list", request=request, user=user, object_type="call", extra={"filters": used}
    )
    return calls


def call_get_for_user(user: Any, call_id: Any, *, request: Any = None, audit: bool = True) -> Call:
    """The call if ``user`` may see it, else Http404 (missing and forbidden alike)."""
    try:
        pk = int(call_id)
    except (TypeError, ValueError):
        raise Http404 from None
    call = (
        calls_for_user(user)
        .prefetch_related(
            Prefetch(
                "notifications",
                queryset=CallNotification.objects.select_related("agency", "notified_by"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if call is None:
        raise Http404
    if audit:
        audit_record(
            action="view",
            request=request,
            user=user,
            object_type="call",
            object_id=call.pk,
            place_code=call.commune.code if call.commune is not None else "",
        )
    return call


def case_link(user: Any, call: Call) -> dict[str, Any] | None:
    """What the call shows of its case: the number, and its id only if ``user`` may open it."""
    if call.case_id is None:
        return None
    number = Case.objects.values_list("number", flat=True).get(pk=call.case_id)
    visible = cases_for_user(user).filter(pk=call.case_id).exists()
    return {"number": number, "id": call.case_id if visible else None}


def emergency_contacts_for(call: Call) -> list[Any] | None:
    """On-duty police and commune contacts for the caller's commune, from the directory.

    None when the call names no commune or the service directory is not installed.
    """
    if call.commune is None:
        return None
    from antoan.referrals.selectors import emergency_contacts

    return list(emergency_contacts(call.commune))


def ringing_for(user: Any) -> QuerySet[Call]:
    """Calls ringing at ``user``'s phone now (the PBX named their extension): not answered, not
    ended, newest first. The operator's queue page opens them (docs/hotline-telephony.md)."""
    if not getattr(user, "is_authenticated", False):
        return Call.objects.none()
    return Call.objects.filter(
        call_scope(user),
        operator=user,
        channel=h.Channel.PHONE,
        answered_at__isnull=True,
        ended_at__isnull=True,
    ).order_by("-received_at", "-pk")


def earlier_contacts_label(call: Call) -> str:
    """ "đã gọi N lần trước" for the operator: how many earlier contacts this hotline had from
    the same number or account (the count only: the other contacts are not shown, and no one
    can search by number). Empty when there are none or the number is unknown."""
    from django.utils.translation import ngettext

    from antoan.hotline.services.contacts import earlier_contacts

    count = earlier_contacts(call)
    if not count:
        return ""
    if call.channel == h.Channel.PHONE:
        return ngettext("đã gọi %(count)d lần trước", "đã gọi %(count)d lần trước", count) % {
            "count": count
        }
    return ngettext("đã liên hệ %(count)d lần trước", "đã liên hệ %(count)d lần trước", count) % {
        "count": count
    }


# --- The live queue and the supervisors' board ----------------------------------------------
#
# Both read the contacts still in conversation (``ended_at`` empty: the partial index
# ``call_live_queue``) of the user's hotline(s) in one query and sort them out in Python, so the
# number of queries does not grow with the number of contacts. Neither shows a summary, a
# message or a caller's number: only channels, times and operators.


@dataclass
class QueueEntry:
    contact: Call
    waiting_seconds: int  # since it arrived (waiting, ringing) or was answered (in conversation)
    escalated: bool = False
    open_url: str = ""  # where the operator continues it (the conversation page), if any

    @property
    def clock(self) -> str:
        return clock(self.waiting_seconds)


def clock(seconds: int | None) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour: how long someone has waited."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class OperatorQueue:
    agency_ids: list[int]
    waiting: list[QueueEntry]  # nobody has it: oldest first
    ringing: list[QueueEntry]  # put through to this operator, not answered yet
    mine: list[QueueEntry]  # this operator's contacts in conversation
    presence: Any  # OperatorPresence | None
    at: Any


def _seconds(since: Any, at: Any) -> int:
    return max(0, int((at - since).total_seconds()))


def _live(agency_ids: Any) -> QuerySet[Call]:
    # Neither the queue nor the board shows encrypted values: not loaded, not decrypted.
    return (
        Call.objects.filter(agency_id__in=list(agency_ids), ended_at__isnull=True)
        .select_related("operator", "agency")
        .defer("summary", "caller_address", "row_key", "visitor_token_hash")
        .order_by("received_at", "pk")
    )


def operator_queue(user: Any, *, request: Any = None, audit: bool = True) -> OperatorQueue:
    """What an operator (``hotline.log_call``) sees in their queue: the waiting contacts of
    their hotline(s) oldest first, those ringing for them, and their own in conversation.
    Three queries whatever the number of contacts (memberships are cached per request)."""
    from antoan.hotline.models import OperatorPresence
    from antoan.hotline.services import now

    at = now()
    ids = sorted(agency_ids_with(user, Perm.CALL_LOG))
    waiting: list[QueueEntry] = []
    ringing: list[QueueEntry] = []
    mine: list[QueueEntry] = []
    presence = None
    if ids:
        live = _live(ids).filter(Q(operator__isnull=True) | Q(operator=user))
        for contact in live:
            if contact.operator_id is None:
                waiting.append(
                    QueueEntry(
                        contact,
                        _seconds(contact.received_at, at),
                        escalated=contact.escalated_at is not None,
                    )
                )
            elif contact.answered_at is None:
                ringing.append(QueueEntry(contact, _seconds(contact.received_at, at)))
            else:
                mine.append(QueueEntry(contact, _seconds(contact.answered_at, at)))
        presence = (
            OperatorPresence.objects.filter(user=user, agency_id__in=ids).order_by("pk").first()
        )
    if audit:
        audit_record(
            action="list", request=request, user=user, object_type="call", extra={"view": "queue"}
        )
    return OperatorQueue(ids, waiting, ringing, mine, presence, at)


@dataclass
class OperatorLine:
    user: Any
    state: str  # a Presence code; "away" when the queue page has not been seen lately
    stale: bool  # marked available/busy but the queue page is closed
    active: int = 0
    ringing: int = 0


@dataclass
class Board:
    agency_ids: list[int]
    at: Any
    waiting: list[QueueEntry]
    active: list[QueueEntry]
    waiting_by_channel: dict[str, int]
    active_by_channel: dict[str, int]
    operators: list[OperatorLine]
    longest_wait: int | None  # seconds, the oldest waiting contact's
    escalated: list[QueueEntry]
    today: dict[str, dict[str, int]]  # channel -> {"total", "answered", "missed"}
    today_total: int
    channels: list[tuple[str, Any]]  # (code, label: a lazy translation)

    @property
    def longest_clock(self) -> str:
        return clock(self.longest_wait)

    @property
    def by_channel(self) -> list[dict[str, Any]]:
        """One row per channel: waiting, in conversation, today's totals."""
        return [
            {
                "code": code,
                "label": label,
                "waiting": self.waiting_by_channel[code],
                "active": self.active_by_channel[code],
                **self.today[code],
            }
            for code, label in self.channels
        ]


def day_bounds(at: Any) -> tuple[Any, Any]:
    """The start and end of the Vietnamese day (Asia/Ho_Chi_Minh) of ``at``, aware."""
    import datetime as dt

    from django.utils import timezone

    day = timezone.localdate(at)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def hotline_board(user: Any, *, request: Any = None, audit: bool = True) -> Board:
    """The live board of a hotline's supervisors (``hotline.view_all``): contacts waiting and
    in conversation by channel and by operator, the longest wait, the escalated ones, today's
    totals by channel (the Vietnamese day), the operators' availability. Three queries."""
    from django.db.models import Count

    from antoan.hotline.models import OperatorPresence
    from antoan.hotline.services import now
    from antoan.hotline.services.contacts import PRESENCE_FRESH, escalate_after

    at = now()
    ids = sorted(agency_ids_with(user, Perm.CALL_VIEW_ALL))
    channels = list(h.Channel.choices)
    waiting: list[QueueEntry] = []
    active: list[QueueEntry] = []
    waiting_by = dict.fromkeys(h.Channel.values, 0)
    active_by = dict.fromkeys(h.Channel.values, 0)
    lines: dict[int, OperatorLine] = {}
    today = {code: {"total": 0, "answered": 0, "missed": 0} for code in h.Channel.values}
    late = escalate_after()
    if ids:
        for presence in OperatorPresence.objects.filter(agency_id__in=ids).select_related("user"):
            fresh = presence.seen_at >= at - PRESENCE_FRESH
            line = lines.setdefault(
                presence.user_id,
                OperatorLine(presence.user, presence.state, False),
            )
            line.stale = presence.state != h.Presence.AWAY and not fresh
        for contact in _live(ids):
            if contact.answered_at is None and contact.operator_id is None:
                seconds = _seconds(contact.received_at, at)
                escalated = contact.escalated_at is not None or seconds >= late.total_seconds()
                waiting.append(QueueEntry(contact, seconds, escalated=escalated))
                waiting_by[contact.channel] += 1
                continue
            if contact.operator_id is None:  # answered means an operator (constraint)
                continue
            line = lines.setdefault(
                contact.operator_id, OperatorLine(contact.operator, h.Presence.AWAY, False)
            )
            if contact.answered_at is None:
                line.ringing += 1
                waiting.append(QueueEntry(contact, _seconds(contact.received_at, at)))
                waiting_by[contact.channel] += 1
            else:
                line.active += 1
                active.append(QueueEntry(contact, _seconds(contact.answered_at, at)))
                active_by[contact.channel] += 1
        start, end = day_bounds(at)
        rows = (
            Call.objects.filter(agency_id__in=ids, received_at__gte=start, received_at__lt=end)
            .values("channel")
            .annotate(
                total=Count("pk"),
                answered=Count("pk", filter=Q(answered_at__isnull=False)),
                missed=Count("pk", filter=Q(answered_at__isnull=True, ended_at__isnull=False)),
            )
            .order_by()
        )
        for row in rows:
            today[row["channel"]] = {k: row[k] for k in ("total", "answered", "missed")}
    if audit:
        audit_record(
            action="list", request=request, user=user, object_type="call", extra={"view": "board"}
        )
    operators = sorted(
        lines.values(),
        key=lambda line: (line.user.get_full_name() or line.user.get_username()).lower(),
    )
    unanswered = [entry for entry in waiting if entry.contact.operator_id is None]
    return Board(
        agency_ids=ids,
        at=at,
        waiting=waiting,
        active=active,
        waiting_by_channel=waiting_by,
        active_by_channel=active_by,
        operators=operators,
        longest_wait=max((e.waiting_seconds for e in unanswered), default=None),
        escalated=[e for e in waiting if e.escalated],
        today=today,
        today_total=sum(v["total"] for v in today.values()),
        channels=channels,
    )


def notice_agencies(call: Call, user: Any) -> Any:
    """The agencies an operator may name as told: those of the hotline's province, and of the
    province of the call's commune when it lies elsewhere. A few hundred, by name; the whole
    country's list (3,500 agencies on the national data) made the call page take 150 ms to
    draw and was no list to pick from (docs/hotline.md)."""
    places = rollup()
    hotline_place = Agency.objects.filter(pk=call.agency_id).values_list("place_id", flat=True)
    provinces = {places.province_of.get(place_id) for place_id in hotline_place}
    if call.commune_id:
        provinces.add(places.province_of.get(call.commune_id))
    place_ids = [
        pk
        for code in sorted(filter(None, provinces))
        for pk in places.ids_by_province.get(code, [])
    ]
    return agency_list(user=user).filter(place_id__in=place_ids).order_by("name")
