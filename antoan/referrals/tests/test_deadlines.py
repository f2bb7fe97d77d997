"""Service-level deadlines by urgency and the escalation of overdue referrals."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from antoan.referrals import rules, services
from antoan.referrals.models import Notification, Referral, ReferralEvent

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def test_deadlines_by_urgency():
    monday = dt.datetime(2026, 3, 16, 9, 0, tzinfo=VN)
    friday = dt.datetime(2026, 3, 20, 16, 30, tzinfo=VN)
    assert rules.due_at(urgency="immediate", sent_at=monday) == monday + dt.timedelta(hours=1)
    assert rules.due_at(urgency="high", sent_at=monday) == monday + dt.timedelta(hours=24)
    assert rules.due_at(urgency="normal", sent_at=monday) == dt.datetime(
        2026, 3, 19, 9, 0, tzinfo=VN
    )
    # Friday afternoon: Saturday and Sunday do not count.
    assert rules.due_at(urgency="normal", sent_at=friday) == dt.datetime(
        2026, 3, 25, 16, 30, tzinfo=VN
    )


def test_deadlines_follow_settings(settings):
    settings.ANTOAN_REFERRAL_SLA_IMMEDIATE_MINUTES = 30
    monday = dt.datetime(2026, 3, 16, 9, 0, tzinfo=VN)
    assert rules.due_at(urgency="immediate", sent_at=monday) == monday + dt.timedelta(minutes=30)


def test_overdue_referrals_are_escalated_once_to_the_senders_supervisors(cast, case_a, send, clock):
    referral = send(case_a, urgency="immediate")
    assert referral.due_at == clock.now() + dt.timedelta(hours=1)
    clock.advance(minutes=59)
    call_command("escalate_referrals", "--now")
    assert Referral.objects.get(pk=referral.pk).escalated_at is None
    clock.advance(minutes=2)
    call_command("escalate_referrals", "--now")
    call_command("escalate_referrals", "--now")  # cron runs it again: nothing new
    escalated = Referral.objects.get(pk=referral.pk)
    assert escalated.escalated_at == clock.now()
    assert ReferralEvent.objects.filter(referral=referral, kind="escalated").count() == 1
    overdue = Notification.objects.filter(kind="overdue")
    assert set(overdue.values_list("user__username", flat=True)) == {"supervisor1", "worker1"}
    assert overdue.count() == 2


def test_an_accepted_referral_is_not_escalated(cast, case_a, send, clock):
    referral = send(case_a, urgency="immediate")
    services.referral_accept(referral=referral, actor=cast["health1"])
    clock.advance(hours=5)
    assert services.referrals_escalate_overdue() == 0


def test_normal_deadlines_skip_tet_and_public_holidays():
    # Friday 13/02/2026 before Tết (16–20/02): three working days end on Wednesday 25/02.
    before_tet = dt.datetime(2026, 2, 13, 16, 30, tzinfo=VN)
    assert rules.due_at(urgency="normal", sent_at=before_tet) == dt.datetime(
        2026, 2, 25, 16, 30, tzinfo=VN
    )
    # Wednesday 29/04/2026: 30/04 and 01/05 are holidays, then a weekend.
    before_may_day = dt.datetime(2026, 4, 29, 10, 0, tzinfo=VN)
    assert rules.due_at(urgency="normal", sent_at=before_may_day) == dt.datetime(
        2026, 5, 6, 10, 0, tzinfo=VN
    )
