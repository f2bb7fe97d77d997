# ruff: noqa: F811 - pytest fixtures imported from the case tests are redefined as parameters
"""Fixtures of the referral tests: the case fixtures, the demo directory and helpers."""

from __future__ import annotations

import pytest

from antoan.cases.tests.conftest import (  # noqa: F401 - fixtures and hooks reused as they are
    START,
    agencies,
    clock,
    open_case,
    open_result,
    supervisor2,
    vietnamese,
)


@pytest.fixture
def providers(cast):
    """The demo directory, keyed by agency code."""
    from antoan.referrals.demo import build_demo_providers
    from antoan.referrals.models import Provider

    build_demo_providers()
    return {p.agency.code: p for p in Provider.objects.select_related("agency")}


@pytest.fixture
def case_a(cast, clock, open_case):
    """A case of worker1 (agency A) with consent for services and needs health and legal."""
    return open_case(cast["worker1"], needs=["health", "legal"])


@pytest.fixture
def send(cast, providers, clock):
    """Send a referral from worker1 through the service (defaults: health to the hospital)."""
    from antoan.referrals import services

    def send_(case, *, actor=None, provider="bv-da-khoa-tinh", service="health", **kw):
        kw.setdefault("urgency", "high")
        kw.setdefault("note", "Không gọi vào buổi tối; chồng kiểm tra điện thoại.")
        return services.referral_send(
            case=case,
            actor=actor or cast["worker1"],
            provider=providers[provider],
            service=service,
            **kw,
        )

    return send_
