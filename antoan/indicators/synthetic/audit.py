"""Audit events for the generated history, written as a valid sealed hash chain.

Every chunk of cases, once written (so the rows have their ids), gets the audit events the
services would have written for it, in time order, continuing the chain from its head:

- each case timeline event (``CaseEvent``): the ``create`` (opening) or ``update`` event the
  case services write, by the same user, with ``extra.event`` naming the timeline kind;
- a ``view`` of the case by that user a few minutes before, for 40 % of the changes (the case
  page is opened before a change), and about one more ``view`` a case later (its worker
  reading it);
- each referral status change (``ReferralEvent`` with an actor): an ``update`` (``create`` for
  the sending) of the referral;
- each hotline call: a ``create`` of the call by its operator;
- a ``login`` (one time in two) of each user on each day of the chunk they acted on, shortly
  before their first event of that day (counted per chunk: a user acting for cases of two
  chunks on one day may log in twice, as people do).

Events are sealed exactly as :func:`antoan.core.audit.audit_record` seals them: consecutive
``seq``, ``prev_hash`` the previous event's ``hash``, ``hash = event_hash(event)``, and the
chain head updated, so ``manage.py audit_verify`` passes after a run. The chain's order is
the order of writing (chunk by chunk); within a chunk, time order. See docs/synthetic-data.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from types import SimpleNamespace

from django.db.models import JSONField, Model

from antoan.accounts.models import Membership
from antoan.cases.models import Case, CaseEvent
from antoan.core.audit import HASHED_FIELDS, event_hash
from antoan.core.models import AuditChainHead, AuditEvent
from antoan.hotline.models import Call
from antoan.indicators.synthetic.common import BATCH_SIZE, Clock, Rng, copy_rows, next_ids
from antoan.places.models import Place
from antoan.referrals.models import ReferralEvent

# A change is preceded by opening the case page in this share of cases (otherwise the user
# was already on it, changing several things in one visit).
VIEW_BEFORE_CHANGE = 0.4
# A user acting on a day logs in that day in this share of cases.
LOGIN_PER_DAY = 0.5


class AuditWriter:
    """Seals and writes the audit events of each chunk, continuing the chain's head."""

    def __init__(self, rng: Rng, clock: Clock):
        self.rng = rng
        self.clock = clock
        # Who acts in which agency and role: the user's first membership (by agency id, role).
        self.acting: dict[int, tuple[int, str]] = {}
        for user_id, agency_id, role in sorted(
            Membership.objects.values_list("user_id", "agency_id", "role")
        ):
            self.acting.setdefault(user_id, (agency_id, role))
        self.usernames: dict[int, str] = dict(
            Membership.objects.values_list("user_id", "user__username")
        )
        self.place_codes: dict[int, str] = dict(Place.objects.values_list("id", "code"))

    def _event(
        self,
        at: dt.datetime,
        user_id: int | None,
        action: str,
        object_type: str,
        object_id: object,
        place_code: str = "",
        extra: dict | None = None,
    ) -> SimpleNamespace:
        agency_id, role = self.acting.get(user_id, (None, "")) if user_id else (None, "")
        return SimpleNamespace(
            occurred_at=at,
            user_id=user_id,
            username=self.usernames.get(user_id, "") if user_id else "",
            agency_id=agency_id,
            role=role,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            place_code=place_code,
            request_id="",
            ip=None,
            changed_fields=[],
            extra=extra or {},
        )

    def events(self, rows: dict[type[Model], list[Model]]) -> list[SimpleNamespace]:
        """The chunk's events (unsealed), in time order; ``rows`` are written model instances.

        Plain objects with the event's fields, not model instances: building a million
        ``AuditEvent`` instances was a sixth of the run; ``event_hash`` takes any object."""
        rng, cutoff = self.rng, self.clock.cutoff
        events: list[SimpleNamespace] = []
        place_of: dict[int, str] = {}
        for case in rows.get(Case, []):
            commune_id = case.survivor.commune_id
            place_of[case.pk] = self.place_codes.get(commune_id, "") if commune_id else ""
        for ce in rows.get(CaseEvent, []):
            case_id = ce.case_id
            place = place_of.get(case_id, "")
            opened = ce.kind == "opened"
            viewed = ce.at - dt.timedelta(seconds=rng.randint(60, 1200))
            if not opened and rng.random() < VIEW_BEFORE_CHANGE:
                events.append(self._event(viewed, ce.actor_id, "view", "case", case_id, place))
            action = "create" if opened else "update"
            events.append(
                self._event(ce.at, ce.actor_id, action, "case", case_id, place, {"event": ce.kind})
            )
        for case in rows.get(Case, []):
            # About one more reading of the case: by its worker, within its first weeks.
            for _ in range(rng.choice((0, 1, 1, 2))):
                at = case.opened_at + dt.timedelta(hours=rng.uniform(2, 24 * 40))
                if at < cutoff and (case.closed_at is None or at < case.closed_at):
                    reader = case.assigned_to_id or case.created_by_id
                    events.append(
                        self._event(at, reader, "view", "case", case.pk, place_of.get(case.pk, ""))
                    )
        for step in rows.get(ReferralEvent, []):
            if step.actor_id is None:
                continue
            action = "create" if step.kind == "sent" else "update"
            extra = {"event": step.kind}
            referral_id = step.referral_id
            events.append(
                self._event(step.at, step.actor_id, action, "referral", referral_id, "", extra)
            )
        events.extend(
            self._event(call.received_at, call.operator_id, "create", "call", call.pk)
            for call in rows.get(Call, [])
        )
        # A login before each user's first event of each day.
        first: dict[tuple[int, dt.date], dt.datetime] = {}
        for event in events:
            key = (event.user_id, Clock.local_day(event.occurred_at))
            if key not in first or event.occurred_at < first[key]:
                first[key] = event.occurred_at
        for (user_id, _day), at in first.items():
            if rng.random() >= LOGIN_PER_DAY:
                continue  # still signed in from the day before (the session outlived the night)
            login = at - dt.timedelta(seconds=rng.randint(30, 900))
            events.append(self._event(login, user_id, "login", "accounts.user", user_id))
        events.sort(key=lambda e: (e.occurred_at, e.object_type, e.object_id, e.action))
        return events

    def write(self, rows: dict[type[Model], list[Model]], counts: Counter[str]) -> None:
        """Seal the chunk's events onto the chain and write them (in the caller's transaction)."""
        events = self.events(rows)
        self.seal(events)
        self.insert(events, counts)

    def seal(self, events: list[SimpleNamespace]) -> None:
        """Seal ``events`` onto the chain and move its head past them (in the caller's
        transaction, under the head's row lock). Each event's canonical text is prepared
        before the lock is taken, so that under it only the sequence numbers, the previous
        hashes and SHA-256 are left: two processes wait on the lock a fraction of a second a
        chunk instead of the many seconds ``event_hash`` and the events' COPY took."""
        if not events:
            return
        templates = [_template(event) for event in events]
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev = head.seq, head.hash
        for event, (before, between, after) in zip(events, templates, strict=True):
            seq += 1
            event.seq, event.prev_hash = seq, prev
            canonical = f'{before},"prev_hash":"{prev}"{between},"seq":{seq}{after}'
            event.hash = prev = hashlib.sha256(canonical.encode()).hexdigest()
        # The same seal as audit_record's (checked on the chunk's first and last events).
        for event in (events[0], events[-1]):
            if event.hash != event_hash(event):
                raise RuntimeError("synthetic audit events sealed differently from event_hash")
        AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=prev)

    def insert(self, events: list[SimpleNamespace], counts: Counter[str]) -> None:
        """Write sealed ``events`` (in the caller's transaction: with two processes, after the
        transaction that sealed them, so that writing them does not hold the head's lock)."""
        if events:
            _insert(events)
            counts[AuditEvent._meta.label] += len(events)


_PREV, _SEQ = ',"prev_hash":""', ',"seq":0'


def _template(event: SimpleNamespace) -> tuple[str, str, str]:
    """``event_hash``'s canonical JSON of ``event`` cut around its ``prev_hash`` and ``seq``:
    the text before, between and after them. The top-level keys are sorted and every string
    value is escaped, so the last unescaped occurrence of each key is the top-level one."""
    event.seq, event.prev_hash = 0, ""
    payload = {name: getattr(event, name) for name in HASHED_FIELDS}
    payload["occurred_at"] = event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    i = text.rindex(_PREV)
    j = text.rindex(_SEQ)
    if not i < j:  # "prev_hash" sorts before "seq"
        raise RuntimeError("unexpected canonical form of an audit event")
    return text[:i], text[i + len(_PREV) : j], text[j + len(_SEQ) :]


def _insert(events: list[SimpleNamespace]) -> None:
    """Write sealed events: COPY of plain tuples on PostgreSQL, ``bulk_create`` elsewhere."""
    from django.db import DEFAULT_DB_ALIAS, connections

    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        AuditEvent.objects.bulk_create(
            [AuditEvent(**vars(event)) for event in events], batch_size=BATCH_SIZE
        )
        return
    meta = AuditEvent._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    json_fields = {f.attname for f in fields if isinstance(f, JSONField)}
    ids = next_ids(meta.db_table, meta.pk.column, len(events))

    def values(pk: int, event: SimpleNamespace) -> list:
        row = [pk]
        for name in names:
            value = getattr(event, name)
            row.append(json.dumps(value, ensure_ascii=False) if name in json_fields else value)
        return row

    copy_rows(
        meta.db_table,
        [meta.pk.column, *(f.column for f in fields)],
        (values(pk, event) for pk, event in zip(ids, events, strict=True)),
    )
