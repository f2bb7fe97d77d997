"""The referral lifecycle through the services: consent, who acts, bad transitions, needs met."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from antoan.cases import services as case_services
from antoan.cases.services import ConsentInput
from antoan.core.models import AuditEvent
from antoan.referrals import selectors, services
from antoan.referrals.models import Notification, Referral, ServiceDelivery

pytestmark = pytest.mark.django_db


def fresh(referral):
    return Referral.objects.get(pk=referral.pk)


def snapshot(referral):
    r = fresh(referral)
    return (r.status, r.version, r.answered_at, r.delivered_on, ServiceDelivery.objects.count())


# --- Consent gate ------------------------------------------------------------------------------


def test_no_consent_for_services_refuses_the_referral(cast, clock, open_case, send, providers):
    case = open_case(cast["worker1"], consent=ConsentInput(services=False, reporting=True))
    with pytest.raises(services.ConsentRequired) as exc:
        send(case)
    assert exc.value.code == "consent_required"
    assert Referral.objects.count() == 0


def test_withdrawn_consent_refuses_the_referral(cast, case_a, send):
    case_services.consent_withdraw(case=case_a, actor=cast["worker1"], purpose="services")
    with pytest.raises(services.ConsentRequired):
        send(case_a)
    assert Referral.objects.count() == 0


def test_a_sharing_consent_naming_agencies_limits_the_addressees(
    cast, clock, open_case, send, providers
):
    hospital = providers["bv-da-khoa-tinh"].agency
    case = open_case(
        cast["worker1"],
        consent=ConsentInput(services=True, reporting=True, sharing_agencies=[hospital]),
    )
    with pytest.raises(services.ConsentRequired):
        send(case, provider="tro-giup-phap-ly", service="legal")
    assert send(case).status == "sent"


def test_a_supervisor_may_override_with_a_reason_which_is_audited(cast, clock, open_case, send):
    case = open_case(cast["worker1"], consent=ConsentInput(services=False, reporting=True))
    with pytest.raises(PermissionDenied):
        send(case, emergency_override=True, override_reason="Đang chảy máu")
    with pytest.raises(ValidationError):
        send(case, actor=cast["supervisor1"], emergency_override=True, override_reason="  ")
    referral = send(
        case, actor=cast["supervisor1"], emergency_override=True, override_reason="Đang chảy máu"
    )
    assert fresh(referral).emergency_override is True
    assert fresh(referral).override_reason == "Đang chảy máu"
    assert AuditEvent.objects.filter(action="consent_override", object_id=str(case.pk)).exists()


# --- Bad input ---------------------------------------------------------------------------------


def test_inactive_provider_and_service_not_offered_are_refused(case_a, send, providers):
    with pytest.raises(ValidationError) as exc:
        send(case_a, provider="tro-giup-phap-ly", service="health")
    assert "service" in exc.value.message_dict
    hospital = providers["bv-da-khoa-tinh"]
    hospital.active = False
    hospital.save()
    with pytest.raises(ValidationError) as exc:
        send(case_a)
    assert "provider" in exc.value.message_dict
    assert Referral.objects.count() == 0


def test_double_accept_accept_after_revoke_and_deliver_before_accept(cast, case_a, send, clock):
    referral = send(case_a)
    before = snapshot(referral)
    with pytest.raises(services.ReferralStateError):
        services.referral_deliver(
            referral=referral, actor=cast["health1"], delivered_on=clock.today(), description="x"
        )
    assert snapshot(referral) == before

    services.referral_accept(referral=referral, actor=cast["health1"])
    accepted = snapshot(referral)
    with pytest.raises(services.ReferralStateError):
        services.referral_accept(referral=referral, actor=cast["health1"])
    assert snapshot(referral) == accepted

    other = send(case_a, service="psychosocial")
    services.referral_revoke(referral=other, actor=cast["worker1"], reason="Đã tự đi khám")
    revoked = snapshot(other)
    with pytest.raises(services.ReferralStateError):
        services.referral_accept(referral=other, actor=cast["health1"])
    assert snapshot(other) == revoked


# --- Only the addressee acts -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["police1", "worker1", "supervisor1", "worker2", "hotline1"])
def test_only_the_addressee_agency_accepts_or_declines(cast, case_a, send, who):
    referral = send(case_a)
    with pytest.raises(PermissionDenied):
        services.referral_accept(referral=referral, actor=cast[who])
    with pytest.raises(PermissionDenied):
        services.referral_decline(referral=referral, actor=cast[who], reason="Không")
    assert fresh(referral).status == "sent"


def test_only_the_sender_side_closes_or_revokes(cast, case_a, send):
    referral = send(case_a)
    for who in ("health1", "worker2"):
        with pytest.raises(PermissionDenied):
            services.referral_revoke(referral=referral, actor=cast[who], reason="x")
    assert fresh(referral).status == "sent"


def test_full_lifecycle_meets_the_need_and_notifies_without_identifying_data(
    cast, case_a, send, clock, django_capture_on_commit_callbacks
):
    cast["health1"].email = "huy@example.vn"
    cast["health1"].save()
    cast["worker1"].email = "lan@example.vn"
    cast["worker1"].save()
    assert selectors.needs_met(case_a) == {"health": False, "legal": False}
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(case_a)
    assert Notification.objects.filter(user=cast["health1"], kind="new").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_accept(referral=referral, actor=cast["health1"])
    clock.advance(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_deliver(
            referral=referral,
            actor=cast["health1"],
            delivered_on=clock.today(),
            description="Khám và điều trị vết thương",
        )
    services.referral_close(referral=referral, actor=cast["worker1"])
    assert fresh(referral).status == "closed"
    assert selectors.needs_met(case_a) == {"health": True, "legal": False}
    assert ServiceDelivery.objects.get().agency == referral.to_agency
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert referral.number in message.body
        for secret in ("Hòa", "Nguyễn", case_a.number, "0912", "chồng", "vết thương"):
            assert secret not in message.body
            assert secret not in message.subject


def test_direct_service_counts_as_need_met(cast, case_a, clock):
    services.service_record(
        case=case_a,
        actor=cast["worker1"],
        service="legal",
        delivered_on=clock.today(),
        description="Tư vấn pháp lý tại UBND",
    )
    assert selectors.needs_met(case_a) == {"health": False, "legal": True}
    with pytest.raises(PermissionDenied):
        services.service_record(
            case=case_a,
            actor=cast["worker2"],
            service="health",
            delivered_on=clock.today(),
            description="x",
        )
    with pytest.raises(ValidationError):
        services.service_record(
            case=case_a,
            actor=cast["worker1"],
            service="health",
            delivered_on=clock.today() + dt.timedelta(days=1),
            description="x",
        )


# --- Need to know ------------------------------------------------------------------------------


def test_recipient_sees_only_shared_fields_while_open(cast, case_a, send):
    referral = send(case_a)
    found = selectors.referral_get_for_user(cast["health1"], referral.pk)
    assert found.side == "recipient"
    shared = selectors.shared_fields(found.referral)
    assert shared["alias"] == "Hòa"
    assert shared["phone"] is None  # no sharing consent names the hospital
    assert set(shared) == {"case_number", "alias", "phone", "service", "risk_level", "safety_notes"}
    assert selectors.referral_get_for_user(cast["worker1"], referral.pk).side == "sender"
    from django.http import Http404

    for who in ("police1", "worker2", "hotline1", "reporter1"):
        with pytest.raises(Http404):
            selectors.referral_get_for_user(cast[who], referral.pk)


def test_phone_is_shared_only_when_a_sharing_consent_names_the_agency(
    cast, clock, open_case, send, providers
):
    hospital = providers["bv-da-khoa-tinh"].agency
    case = open_case(
        cast["worker1"],
        phone="0912 777 888",
        consent=ConsentInput(services=True, reporting=True, sharing_agencies=[hospital]),
    )
    referral = send(case)
    assert selectors.shared_fields(fresh(referral))["phone"]


@pytest.mark.parametrize("end", ["decline", "deliver", "revoke"])
def test_recipient_loses_access_at_once(cast, case_a, send, clock, end):
    from django.http import Http404

    referral = send(case_a)
    if end == "decline":
        services.referral_decline(referral=referral, actor=cast["health1"], reason="Hết giường")
    elif end == "deliver":
        services.referral_accept(referral=referral, actor=cast["health1"])
        services.referral_deliver(
            referral=referral, actor=cast["health1"], delivered_on=clock.today(), description="x"
        )
    else:
        services.referral_revoke(referral=referral, actor=cast["worker1"], reason="Rút đồng ý")
    with pytest.raises(Http404):
        selectors.referral_get_for_user(cast["health1"], referral.pk)
    assert not selectors.referrals_incoming(cast["health1"]).exists()


def test_a_mail_server_that_is_down_keeps_the_referral_and_is_logged(
    cast, case_a, send, settings, caplog, django_capture_on_commit_callbacks
):
    # A real SMTP backend pointed at a port nobody listens on: the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    cast["health1"].email = "huy@example.vn"
    cast["health1"].save()

    with django_capture_on_commit_callbacks(execute=True):
        referral = send(case_a)

    assert fresh(referral).status == "sent"
    assert Notification.objects.filter(user=cast["health1"], kind="new").count() == 1
    failures = [r for r in caplog.records if r.getMessage() == "referral notification email failed"]
    assert len(failures) == 1
    assert "huy@example.vn" not in caplog.text


def test_only_a_supervisor_may_ask_for_an_override_even_with_consent(cast, case_a, send):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        send(case_a, emergency_override=True, override_reason="Khẩn cấp")
    assert not case_a.referrals.exists()
