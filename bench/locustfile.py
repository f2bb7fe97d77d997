"""The load test's users (``bench/load.py`` runs it headless against gunicorn).

Four kinds of user, each logged in once as the demo user of the matching role (password
``BENCH_PASSWORD``, default the bench's): a hotline operator who records a call and lists
calls, a case worker who lists cases (filtered) and opens one, a referral provider who opens
the inbox and a referral, and a leader who opens the province dashboard. Login is the real form
(CSRF token from the page); the server runs with ``ANTOAN_REQUIRE_2FA=0`` (bench only), so no
OTP step. Any non-2xx/3xx answer counts as a failure.

By hand: ``locust -f bench/locustfile.py --host http://127.0.0.1:8001`` (see
docs/performance.md, "Load test").
"""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-123")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUMMARY = "Người gọi báo bị chồng đánh tối qua, cần tư vấn và hỗ trợ an toàn."  # synthetic


class Staff(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "/accounts/login" in answer.headers.get("Location", ""):
                answer.failure(f"login of {self.username} refused ({answer.status_code})")

    def post_form(self, url: str, data: dict, name: str) -> None:
        page = self.client.get(url, name=f"{name} form")
        token = CSRF.search(page.text).group(1)
        self.client.post(url, {**data, "csrfmiddlewaretoken": token}, name=name)

    def open_one(self, listing: str, pattern: str, name: str) -> None:
        page = self.client.get(listing, name=f"{name} list")
        found = re.findall(pattern, page.text)
        if found:
            self.client.get(random.choice(found), name=name)


class HotlineOperator(Staff):
    username = "hotline1"
    weight = 2

    @task(1)
    def record_call(self) -> None:
        self.post_form(
            "/hotline/new/",
            {
                "channel": "phone",
                "caller_type": "survivor",
                "commune": "11953",
                "category": "dv",
                "summary": SUMMARY,
                "duration_minutes": "6",
            },
            "hotline: record a call",
        )

    @task(3)
    def list_calls(self) -> None:
        self.open_one("/hotline/", r'href="(/hotline/\d+/)"', "hotline: a call")


class CaseWorker(Staff):
    username = "worker1"
    weight = 3

    @task(2)
    def my_cases(self) -> None:
        self.open_one("/cases/mine/", r'href="(/cases/\d+/)"', "cases: a case")

    @task(1)
    def mine_filtered(self) -> None:
        self.client.get("/cases/mine/?status=open", name="cases: mine, filtered")


class ReferralProvider(Staff):
    username = "health1"
    weight = 2

    @task
    def inbox(self) -> None:
        self.open_one("/referrals/inbox/", r'href="(/referrals/\d+/)"', "referrals: a referral")


class Leader(Staff):
    username = "manager1"
    weight = 1

    @task
    def dashboard(self) -> None:
        self.client.get("/indicators/", name="indicators: province dashboard")
