"""An emergency override of consent asks for the password or a code again (web and API)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from antoan.accounts.tests.helpers import PASSWORD, api_token, bearer
from antoan.cases.services import ConsentInput
from antoan.core.models import AuditEvent
from antoan.referrals.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_consent(cast, clock, open_case):
    return open_case(cast["worker1"], consent=ConsentInput(services=False, reporting=True))


def _stale():
    """The login-security clock ten minutes on: past the step-up window."""
    return mock.patch(
        "antoan.accounts.services.now", return_value=timezone.now() + dt.timedelta(minutes=10)
    )


def _form(providers, **extra):
    return {
        "provider": providers["bv-da-khoa-tinh"].pk,
        "service": "health",
        "urgency": "immediate",
        "emergency_override": "on",
        "override_reason": "Đang chảy máu, cần cấp cứu",
        **extra,
    }


def test_the_page_keeps_the_form_and_asks_for_the_password(cast, client_for, no_consent, providers):
    client = client_for(cast["supervisor1"])
    url = f"/referrals/cases/{no_consent.pk}/new/"
    with _stale():
        refused = client.post(url, _form(providers))
        wrong = client.post(url, _form(providers, reauth_secret="không-đúng-mật-khẩu"))
        sent = client.post(url, _form(providers, reauth_secret=PASSWORD))

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "cần bạn xác nhận lại mật khẩu hoặc mã OTP" in page
    assert "Đang chảy máu, cần cấp cứu" in page  # what was typed is still there
    assert wrong.status_code == 400
    assert "Mật khẩu hoặc mã OTP không đúng" in wrong.content.decode()
    assert sent.status_code == 302
    referral = Referral.objects.get(case=no_consent)
    assert referral.emergency_override is True
    assert AuditEvent.objects.filter(action="consent_override").count() == 1
    assert AuditEvent.objects.filter(action="reauth_failed", username="supervisor1").count() == 1
    assert AuditEvent.objects.get(action="reauth").extra["method"] == "password"


def test_a_referral_with_consent_asks_nothing(cast, client_for, case_a, providers):
    client = client_for(cast["worker1"])
    # A case worker may not override, so the form has no password field for them.
    assert (
        'name="reauth_secret"'
        not in client.get(f"/referrals/cases/{case_a.pk}/new/").content.decode()
    )
    supervisor_page = client_for(cast["supervisor1"]).get(f"/referrals/cases/{case_a.pk}/new/")
    assert 'name="reauth_secret"' in supervisor_page.content.decode()
    client = client_for(cast["worker1"])
    with _stale():
        response = client.post(
            f"/referrals/cases/{case_a.pk}/new/",
            {"provider": providers["bv-da-khoa-tinh"].pk, "service": "health", "urgency": "high"},
        )
    assert response.status_code == 302
    assert case_a.referrals.get().status == "sent"


def test_the_api_wants_a_fresh_token_for_an_override(cast, client, no_consent, providers):
    token = api_token(client, "supervisor1").json()["token"]
    body = {
        "provider": providers["bv-da-khoa-tinh"].pk,
        "service": "health",
        "urgency": "immediate",
        "note": "",
        "emergency_override": True,
        "override_reason": "Đang chảy máu",
    }
    url = f"/api/v1/cases/{no_consent.pk}/referrals"
    with _stale():
        stale = client.post(url, body, content_type="application/json", **bearer(token))
    fresh = client.post(url, body, content_type="application/json", **bearer(token))

    assert stale.status_code == 403
    assert stale.json()["error"]["code"] == "reauth_required"
    assert fresh.status_code == 201, fresh.json()
    assert Referral.objects.filter(case=no_consent, emergency_override=True).count() == 1


def test_only_supervisors_are_offered_the_override(cast, client_for, no_consent):
    url = f"/referrals/cases/{no_consent.pk}/new/"
    worker_page = client_for(cast["worker1"]).get(url).content.decode()
    supervisor_page = client_for(cast["supervisor1"]).get(url).content.decode()
    assert 'name="emergency_override"' not in worker_page
    assert "Quyết định khẩn cấp" not in worker_page
    assert 'name="emergency_override"' in supervisor_page


def test_a_forged_override_by_a_non_supervisor_is_refused_and_audited(
    cast, client_for, no_consent, case_a, providers
):
    client = client_for(cast["worker1"])
    for case in (no_consent, case_a):  # refused whether or not consent would have allowed it
        response = client.post(
            f"/referrals/cases/{case.pk}/new/", _form(providers, reauth_secret=PASSWORD)
        )
        assert response.status_code == 403
    assert not Referral.objects.exists()
    refusals = AuditEvent.objects.filter(action="permission_denied", username="worker1")
    assert refusals.count() == 2
    assert refusals.first().extra["permission"] == "cases.approve"
    assert not AuditEvent.objects.filter(action="consent_override").exists()


def test_the_api_refuses_an_override_by_a_non_supervisor(cast, client, case_a, providers):
    token = api_token(client, "worker1").json()["token"]
    response = client.post(
        f"/api/v1/cases/{case_a.pk}/referrals",
        {
            "provider": providers["bv-da-khoa-tinh"].pk,
            "service": "health",
            "urgency": "high",
            "emergency_override": True,
            "override_reason": "Khẩn cấp",
        },
        content_type="application/json",
        **bearer(token),
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()
