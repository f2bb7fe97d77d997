"""The provider's history ("Đã xử lý"): what it handled, without the survivor (issue 12)."""

from __future__ import annotations

import pytest

from antoan.core.models import AuditEvent
from antoan.referrals import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(cast, case_a, send, clock):
    """Three referrals to the hospital: delivered and closed, declined, still waiting."""
    delivered = send(case_a, note="Gọi trước cho chị Hòa")
    services.referral_accept(referral=delivered, actor=cast["health1"])
    services.referral_deliver(
        referral=delivered,
        actor=cast["health1"],
        delivered_on=clock.today(),
        description="Khám cho chị Hòa",
    )
    services.referral_close(referral=delivered, actor=cast["worker1"])
    # The police's own answer: in the police's history, never in the hospital's.
    police = send(case_a, service="safety", provider="cong-an-tinh")
    services.referral_decline(referral=police, actor=cast["police1"], reason="Không thuộc địa bàn")
    hospital_declined = send(case_a)
    services.referral_decline(
        referral=hospital_declined, actor=cast["health1"], reason="Hết giường"
    )
    waiting = send(case_a)
    return {
        "delivered": delivered,
        "declined": hospital_declined,
        "waiting": waiting,
        "police": police,
    }


def test_the_provider_keeps_what_it_handled_after_delivery(cast, client_for, handled, case_a):
    health = client_for(cast["health1"])
    page = health.get("/referrals/history/").content.decode()
    history = page.split('data-testid="history"', 1)[1]
    assert handled["delivered"].number in history
    assert handled["declined"].number in history
    assert handled["waiting"].number not in history  # still in the inbox
    assert handled["police"].number not in history  # another agency's
    assert "Đã cung cấp dịch vụ" in history and "Đã từ chối" in history
    assert "Y tế" in history
    # No survivor identity: no name, no case number, no free text written about her.
    for secret in ("Hòa", "Nguyễn", case_a.number, "Gọi trước", "Khám cho", "Hết giường"):
        assert secret not in page, secret
    item = health.get(f"/referrals/history/{handled['delivered'].pk}/").content.decode()
    assert handled["delivered"].number in item and "Đã cung cấp dịch vụ" in item
    for secret in ("Hòa", case_a.number, "Gọi trước", "Khám cho"):
        assert secret not in item, secret
    assert AuditEvent.objects.filter(action="list", extra__box="history").exists()
    assert AuditEvent.objects.filter(action="view", extra__side="history").exists()


def test_the_history_is_a_tab_next_to_the_inbox(cast, client_for, handled):
    inbox = client_for(cast["health1"]).get("/referrals/inbox/").content.decode()
    assert 'href="/referrals/history/"' in inbox and "Đã xử lý" in inbox


@pytest.mark.parametrize("who", ["police1", "worker1", "worker2"])
def test_another_agency_sees_none_of_them_and_cannot_open_them(cast, client_for, handled, who):
    client = client_for(cast[who])
    hospitals = [handled[k] for k in ("delivered", "declined", "waiting")]
    listing = client.get("/referrals/history/")
    if who == "police1":
        assert handled["police"].number in listing.content.decode()
    if listing.status_code == 200:
        for referral in hospitals:
            assert referral.number not in listing.content.decode()
    else:
        assert listing.status_code == 403
    for referral in hospitals:
        assert client.get(f"/referrals/history/{referral.pk}/").status_code in (403, 404)


def test_an_open_referral_is_not_in_the_history_by_id(cast, client_for, handled):
    health = client_for(cast["health1"])
    assert health.get(f"/referrals/history/{handled['waiting'].pk}/").status_code == 404


def test_the_history_page_query_count_does_not_grow(
    cast, client_for, handled, send, case_a, django_assert_max_num_queries
):
    health = client_for(cast["health1"])
    health.get("/referrals/history/")
    for _ in range(3):
        referral = send(case_a)
        services.referral_decline(referral=referral, actor=cast["health1"], reason="x")
    with django_assert_max_num_queries(30):
        assert health.get("/referrals/history/").status_code == 200
