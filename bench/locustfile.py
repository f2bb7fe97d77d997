"""The load test's users (Locust), run by ``bench/load.py`` against gunicorn; by hand::

    locust -f bench/locustfile.py --host http://127.0.0.1:8000 --headless -u 50 -r 10 -t 60s

Four kinds of people, in the proportions of a working day, each signed in once (as a demo user
of ``antoan/accounts/demo.py``, password ``BENCH_PASSWORD``, default the bench's) through the
login form with its CSRF token, then working with about a second's thought between pages:

- hotline operators (``hotline1``): the call queue, the form, a call recorded, its page;
- case workers (``worker1``, ``worker2``): their cases, searched by a common name, a case;
- referral providers (``health1``, ``police1``): the inbox and a referral in it;
- the province's leadership (``manager1``; a commune leader such as ``leader1`` has no
  province dashboard): the province dashboard, last year or this one; while the task worker
  computes its figures the page asks every 2 s, as its htmx poll does, then reloads.

People sign in at the start of their day, not between pages: ``bench/load.py`` signs the 50
users in before the test (a production-cost Argon2 check is ~0.5 s of CPU, so 50 sign-ins at
once would be a login storm measured instead of the work) and hands their session cookies over
in the JSON file ``BENCH_LOAD_SESSIONS`` names (``{"username": [{cookie: value}, ...]}``).
Without it (by hand), each user signs in through the form, counted as "login".

The server must not ask these roles for a second factor (``ANTOAN_REQUIRE_2FA=false``, as in
the test profile; ``bench/load.py`` sets it). Only successful sign-ins happen, so django-axes
never counts a failure; a failed one is reported as a failure, not retried.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import time
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events, task
from requests.cookies import create_cookie

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-123")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
CALL_LINK = re.compile(r'href="/hotline/(\d+)/"')
REFERRAL_LINK = re.compile(r'href="/referrals/(\d+)/"')
# A dashboard whose figures the task worker is computing, and how long a page waits for them.
PENDING = 'data-testid="figures-pending"'
POLLS = 30
# Common Vietnamese family and given names: searches that find many cases, as people's do.
NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Lan", "Hương", "Thị Mai", "nguyen thi"]
SESSIONS: dict[str, list[dict[str, str]]] = (
    json.loads(open(os.environ["BENCH_LOAD_SESSIONS"]).read())  # noqa: SIM115
    if os.environ.get("BENCH_LOAD_SESSIONS")
    else {}
)
TURNS: dict[str, itertools.count] = {}
# Every request's start, name and milliseconds, when BENCH_LOAD_TIMES names a file: how the
# latency moved during the run (Locust's own percentiles cover the whole run).
TIMES_FILE = os.environ.get("BENCH_LOAD_TIMES")
TIMES = open(TIMES_FILE, "w", buffering=1) if TIMES_FILE else None  # noqa: SIM115


if TIMES is not None:

    @events.request.add_listener
    def _time(name: str, response_time: float, start_time: float, **kwargs) -> None:
        TIMES.write(f"{start_time:.3f},{name},{response_time:.1f}\n")


CATEGORIES = ["gbv", "dv", "child_abuse", "trafficking"]
CHANNELS = ["phone", "zalo"]
CALLERS = ["survivor", "neighbour"]


class Worker(FastHttpUser):
    """Someone signed in, with the pages' CSRF token at hand.

    A ``FastHttpUser`` (geventhttpclient), not an ``HttpUser`` (requests): Locust runs on the
    cores that serve the pages, and the lighter client leaves them more of those cores.
    """

    abstract = True
    wait_time = between(0.5, 1.5)
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        # In turn, so each username gets its share (bench/load.py signs in that many).
        turn = TURNS.setdefault(type(self).__name__, itertools.count())
        self.username = self.usernames[next(turn) % len(self.usernames)]
        ready = SESSIONS.get(self.username)
        if ready:
            host = urlsplit(self.host).hostname
            for name, value in ready.pop().items():
                self.client.cookiejar.set_cookie(create_cookie(name, value, domain=host))
            return
        page = self.client.get("/accounts/login/", name="login form")
        with self.client.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": self.token(page.text),
                "username": self.username,
                "password": PASSWORD,
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{self.username}: sign-in answered {response.status_code}")

    def token(self, text: str) -> str:
        found = CSRF.search(text)
        if found:
            return found.group(1)
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def pick(self, pattern: re.Pattern, text: str) -> str | None:
        ids = pattern.findall(text)
        return random.choice(ids) if ids else None


class HotlineOperator(Worker):
    weight = 3
    usernames = ("hotline1",)

    @task(3)
    def queue(self) -> None:
        page = self.client.get("/hotline/", name="hotline: queue")
        call = self.pick(CALL_LINK, page.text)
        if call:
            self.client.get(f"/hotline/{call}/", name="hotline: call")

    @task(1)
    def record_a_call(self) -> None:
        form = self.client.get("/hotline/new/", name="hotline: form")
        with self.client.post(
            "/hotline/new/",
            {
                "csrfmiddlewaretoken": self.token(form.text),
                "channel": random.choice(CHANNELS),
                "caller_type": random.choice(CALLERS),
                "category": random.choice(CATEGORIES),
                "summary": "Người gọi cần tư vấn về bạo lực gia đình (thử tải).",
                "duration_minutes": str(random.randint(2, 15)),
            },
            name="hotline: record a call",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"call not recorded ({response.status_code})")
                return
            location = response.headers["Location"]
        self.client.get(location, name="hotline: call")


class CaseWorker(Worker):
    weight = 4
    usernames = ("worker1", "worker2")

    @task(2)
    def my_cases(self) -> None:
        page = self.client.get("/cases/mine/", name="cases: mine")
        case = self.pick(CASE_LINK, page.text)
        if case:
            self.client.get(f"/cases/{case}/", name="cases: case")

    @task(2)
    def search(self) -> None:
        page = self.client.get("/cases/mine/", name="cases: mine")
        found = self.client.post(
            "/cases/mine/",
            {"csrfmiddlewaretoken": self.token(page.text), "q": random.choice(NAMES)},
            name="cases: search",
        )
        case = self.pick(CASE_LINK, found.text)
        if case:
            self.client.get(f"/cases/{case}/", name="cases: case")


class ReferralProvider(Worker):
    weight = 2
    usernames = ("health1", "police1")

    @task
    def inbox(self) -> None:
        page = self.client.get("/referrals/inbox/", name="referrals: inbox")
        referral = self.pick(REFERRAL_LINK, page.text)
        if referral:
            self.client.get(f"/referrals/{referral}/", name="referrals: referral")


class Leader(Worker):
    weight = 1
    usernames = ("manager1",)

    @task
    def dashboard(self) -> None:
        year = dt.date.today().year - random.choice((0, 1))  # noqa: DTZ011
        url = f"/indicators/?year={year}"
        page = self.client.get(url, name="dashboard: province")
        if PENDING not in page.text:
            return
        # The figures are being computed by the task worker: the page asks every 2 s (htmx)
        # until they are there, then reloads itself.
        for _ in range(POLLS):
            time.sleep(2)
            answer = self.client.get(url, headers={"HX-Request": "true"}, name="dashboard: poll")
            if answer.status_code != 204:
                break
        self.client.get(url, name="dashboard: province")
