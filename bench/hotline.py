"""Hotline benchmarks (issue 15), run by ``bench/run.py`` on its scratch database:

- **hotline chat delivery (20 chats)**: 20 web chats in the demo hotline's queue, each taken
  by its own operator; in each chat the visitor and the operator are two threads that write
  in turn (``chat_visitor_post``, ``contact_reply``) and poll for the other side's messages
  the way the chat's polling API does (``messages_after(contact, after=seq)``, every
  ``POLL_SECONDS``). Delivery latency = the time from a message's post returning to the other
  side's poll seeing it; the row's ``p95_ms`` (target under 1 s) and ``median_ms``. On SQLite
  (one writer; a shared in-memory test database that does not wait on locks) every database
  call holds one lock, so the threads take turns; on PostgreSQL they run free.
- **hotline queue page (N waiting)**: ``GET /hotline/queue/`` as an operator through the
  test client (middleware, permission, selector, template, the audit event) with 10 and with
  100 contacts waiting: the median time and the number of queries, which must be the same.

Fast: about ten seconds in the everyday ``make bench``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import connection

CHATS = 20
MESSAGES_PER_SIDE = 5
POLL_SECONDS = 0.25
THINK_SECONDS = 0.05  # between one's message seen and one's answer


def _operators(n: int) -> list[Any]:
    from antoan.accounts.models import Agency, Membership, User

    agency = Agency.objects.get(code="ctxh-tinh")
    users = []
    for i in range(n):
        user, _ = User.objects.get_or_create(username=f"bench-op-{i:02d}")
        Membership.objects.get_or_create(
            user=user, agency=agency, role="hotline_operator", valid_from=dt.date(2025, 1, 1)
        )
        users.append(user)
    return users


class _ReadWriteLock:
    """SQLite's shared in-memory test database refuses a read during a write (it does not
    wait): polls read together, a post writes alone."""

    def __init__(self):
        self._readers = 0
        self._mutex = threading.Lock()
        self._free = threading.Condition(self._mutex)

    @contextmanager
    def reading(self):
        with self._mutex:
            self._readers += 1
        try:
            yield
        finally:
            with self._mutex:
                self._readers -= 1
                if not self._readers:
                    self._free.notify_all()

    @contextmanager
    def writing(self):
        with self._free:
            while self._readers:
                self._free.wait()
            yield


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def bench_chat_delivery() -> dict[str, Any]:
    from antoan.accounts.models import Agency
    from antoan.hotline.services import contacts

    agency = Agency.objects.get(code="ctxh-tinh")
    operators = _operators(CHATS)
    chats = []
    for operator in operators:
        chat = contacts.chat_start(agency=agency).contact
        contacts.contact_take(contact=chat, actor=operator)
        chats.append((chat, operator))
    lock = _ReadWriteLock() if connection.vendor == "sqlite" else None
    posted: dict[tuple[int, int], float] = {}  # (contact, seq) -> when the post returned
    latencies: list[float] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def db(write: bool = False):
        if lock is None:
            return nullcontext()
        return lock.writing() if write else lock.reading()

    def side(chat, operator, *, visitor: bool) -> None:
        from django.db import connection as thread_connection

        from antoan.hotline.choices import Direction

        theirs = Direction.OUTBOUND if visitor else Direction.INBOUND
        last = sent = received = 0
        my_turn = visitor  # the visitor opens; then each answers what the other wrote
        deadline = time.perf_counter() + 30
        try:
            while (sent < MESSAGES_PER_SIDE or received < MESSAGES_PER_SIDE) and (
                time.perf_counter() < deadline
            ):
                if my_turn and sent < MESSAGES_PER_SIDE:
                    time.sleep(THINK_SECONDS)
                    body = f"tin nhắn thử {sent + 1}"
                    with db(write=True):
                        if visitor:
                            message = contacts.chat_visitor_post(contact=chat, body=body)
                        else:
                            message = contacts.contact_reply(
                                contact=chat, actor=operator, body=body
                            )
                    with guard:
                        posted[(chat.pk, message.seq)] = time.perf_counter()
                    sent += 1
                    my_turn = False
                    continue
                with db():
                    new = contacts.messages_after(chat, after=last)
                seen = time.perf_counter()
                for message in new:
                    last = max(last, message.seq)
                    if message.direction == theirs:
                        with guard:
                            # Not recorded yet: seen the instant its post returned.
                            at = posted.get((chat.pk, message.seq), seen)
                            latencies.append(seen - at)
                        received += 1
                        my_turn = True
                if not my_turn:
                    time.sleep(POLL_SECONDS)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=side, args=(chat, operator), kwargs={"visitor": visitor})
        for chat, operator in chats
        for visitor in (True, False)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return {
        "messages": len(latencies),
        "median_s": statistics.median(latencies),
        "p95_s": _p95(latencies),
        "elapsed_s": elapsed,
    }


def bench_queue_page(waiting: int, rounds: int = 7) -> tuple[float, int]:
    """Median seconds and queries of the queue page with ``waiting`` contacts waiting."""
    from django.test import Client
    from django.test.utils import override_settings

    from antoan.accounts.models import Agency
    from antoan.hotline.models import Call
    from antoan.hotline.services import contacts

    agency = Agency.objects.get(code="ctxh-tinh")
    have = Call.objects.filter(agency=agency, operator__isnull=True, ended_at__isnull=True).count()
    for _ in range(max(0, waiting - have)):
        contacts.chat_start(agency=agency)
    operator = _operators(1)[0]
    with override_settings(ALLOWED_HOSTS=["*"]):
        client = Client()
        client.force_login(operator)
        response = client.get("/hotline/queue/")
        assert response.status_code == 200, response.status_code
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        # (CaptureQueriesContext would be emptied by the request's own reset_queries.)
        with connection.execute_wrapper(counter):
            client.get("/hotline/queue/")
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            client.get("/hotline/queue/")
            samples.append(time.perf_counter() - start)
    return statistics.median(samples), count[0]


def bench_hotline() -> list[dict]:
    from common import row

    delivery = bench_chat_delivery()
    rows = [
        row(
            f"hotline chat delivery ({CHATS} chats, {delivery['messages']} messages)",
            "province",
            delivery["median_s"],
            p95_ms=round(delivery["p95_s"] * 1e3, 1),
            note=f"poll every {POLL_SECONDS} s",
        )
    ]
    for waiting in (10, 100):
        seconds, queries = bench_queue_page(waiting)
        rows.append(
            row(f"hotline queue page ({waiting} waiting)", "province", seconds, None, queries)
        )
    return rows
