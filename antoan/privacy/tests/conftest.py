# ruff: noqa: F811 - pytest fixtures imported from the case and referral tests are parameters
"""Fixtures of the privacy tests: the case fixtures, a clock that moves privacy's services too,
a second supervisor of agency A (the two-person rule needs one), and helpers."""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from unittest import mock

import pytest

from antoan.cases.tests.conftest import (  # noqa: F401 - fixtures and hooks reused as they are
    START,
    VN,
    Clock,
    _modules_using_the_clock,
    agencies,
    open_case,
    open_result,
    supervisor2,
    vietnamese,
)
from antoan.referrals.tests.conftest import providers, send  # noqa: F401


@pytest.fixture
def clock():
    """The services' clock (cases and privacy), stopped at 09:00 on Monday 16/03/2026."""
    fake = Clock(START)
    targets = [*_modules_using_the_clock(), "antoan.privacy.services", "antoan.privacy.views"]
    with ExitStack() as stack:
        for target in targets:
            stack.enter_context(mock.patch(f"{target}.now", fake))
        yield fake


@pytest.fixture
def supervisor1b(agencies):
    """A second case supervisor of agency A: the second person of the two-person rule."""
    from antoan.accounts.models import Membership, User
    from antoan.accounts.roles import Role

    user = User.objects.create(
        username="supervisor1b", first_name="Thu", last_name="Đỗ Thị", email="sup1b@example.org"
    )
    Membership.objects.create(
        user=user, agency=agencies["a"], role=Role.CASE_SUPERVISOR, valid_from=dt.date(2025, 7, 1)
    )
    return user


@pytest.fixture
def case_a(cast, clock, open_case):
    """A case of worker1 (agency A), consent to services and statistics."""
    return open_case(cast["worker1"], needs=["health", "legal"])


@pytest.fixture
def register(cast, clock):
    """Register a request through the service (default: an access request by the survivor)."""
    from antoan.privacy import services

    def register_(case, *, actor=None, kind="access", **kw):
        data = services.RequestInput(
            kind=kind,
            channel=kw.pop("channel", "in_person"),
            requester=kw.pop("requester", "survivor"),
            details=kw.pop("details", ""),
            received_at=kw.pop("received_at", None),
        )
        return services.request_register(case=case, actor=actor or cast["worker1"], data=data)

    return register_


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)
