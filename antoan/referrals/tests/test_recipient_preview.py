"""The referral form tells the sender exactly what the provider will see (issue 12)."""

from __future__ import annotations

import pytest

from antoan.cases.services import ConsentInput
from antoan.referrals import rules, selectors

pytestmark = pytest.mark.django_db


def _preview(client, case, **params):
    return client.get(f"/referrals/cases/{case.pk}/preview/", params)


def test_the_preview_is_the_providers_page(cast, client_for, clock, open_case, send, providers):
    """Same selector, same words: what the form promised is what the hospital then sees."""
    hospital = providers["bv-da-khoa-tinh"]
    case = open_case(
        cast["worker1"],
        phone="0912 777 888",
        consent=ConsentInput(services=True, reporting=True, sharing_agencies=[hospital.agency]),
    )
    note = "Đi cùng cán bộ xã"
    preview = _preview(
        client_for(cast["worker1"]), case, provider=hospital.pk, service="health", note=note
    ).content.decode()
    referral = send(case, note=note)
    page = client_for(cast["health1"]).get(f"/referrals/{referral.pk}/").content.decode()

    def view(html):
        return html.split('data-testid="recipient-view">', 1)[1].split("</dl>", 1)[0]

    assert view(preview) == view(page)
    assert "777" in view(preview) and "888" in view(preview)
    assert "Hòa" in view(preview) and "Nguyễn Thị Hòa" not in view(preview)


def test_the_preview_follows_the_provider_and_the_consent_on_record(
    cast, client_for, clock, open_case, providers
):
    hospital, legal = providers["bv-da-khoa-tinh"], providers["tro-giup-phap-ly"]
    case = open_case(
        cast["worker1"],
        phone="0912 777 888",
        consent=ConsentInput(services=True, reporting=True, sharing_agencies=[hospital.agency]),
    )
    worker = client_for(cast["worker1"])
    to_hospital = _preview(worker, case, provider=hospital.pk, service="health").content.decode()
    to_legal = _preview(worker, case, provider=legal.pk, service="legal").content.decode()
    assert "888" in to_hospital.split("recipient-view", 1)[1]
    # Legal aid is not named in the sharing consent: no phone, and no sending without override.
    assert "888" not in to_legal.split("recipient-view", 1)[1] and "Không được chia sẻ" in to_legal
    assert 'data-testid="preview-consent"' in to_legal
    assert 'data-testid="preview-consent"' not in to_hospital


def test_phone_not_shared_but_note_says_call_is_warned(cast, client_for, case_a, providers):
    worker = client_for(cast["worker1"])
    hospital = providers["bv-da-khoa-tinh"].pk
    warned = _preview(
        worker, case_a, provider=hospital, service="health", note="Hãy gọi chị trước khi đến"
    ).content.decode()
    calm = _preview(
        worker, case_a, provider=hospital, service="health", note="Đi cùng cán bộ xã"
    ).content.decode()
    assert 'data-testid="preview-warning"' in warned
    assert "không thấy số điện thoại" in warned
    assert 'data-testid="preview-warning"' not in calm


def test_the_form_page_shows_the_preview_without_javascript(cast, client_for, case_a, providers):
    page = client_for(cast["worker1"]).get(f"/referrals/cases/{case_a.pk}/new/").content.decode()
    assert "Nơi nhận sẽ thấy gì" in page
    assert f'hx-get="/referrals/cases/{case_a.pk}/preview/"' in page
    # A refused POST keeps the preview of what was chosen.
    refused = client_for(cast["worker1"]).post(
        f"/referrals/cases/{case_a.pk}/new/",
        {
            "provider": providers["bv-da-khoa-tinh"].pk,
            "service": "",
            "urgency": "high",
            "note": "Gọi trước",
        },
    )
    assert refused.status_code == 400
    assert 'data-testid="preview-warning"' in refused.content.decode()


def test_the_preview_never_sends_the_password_field(cast, client_for, case_a):
    page = (
        client_for(cast["supervisor1"]).get(f"/referrals/cases/{case_a.pk}/new/").content.decode()
    )
    password = page.split('name="reauth_secret"', 1)[0].rsplit("<input", 1)[1]
    assert "data-preview" not in password
    assert 'hx-include="[data-preview]"' in page


@pytest.mark.parametrize("who", ["worker2", "health1", "police1", "reporter1"])
def test_others_get_no_preview(cast, client_for, case_a, providers, who):
    response = _preview(
        client_for(cast[who]), case_a, provider=providers["bv-da-khoa-tinh"].pk, service="health"
    )
    assert response.status_code in (403, 404)
    assert "Hòa" not in response.content.decode()


def test_a_provider_outside_the_form_choices_shows_nothing(cast, client_for, case_a):
    page = _preview(client_for(cast["worker1"]), case_a, provider=999999).content.decode()
    assert 'data-testid="preview-empty"' in page


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Hãy gọi trước khi đến", True),
        ("goi dien truoc cho chi", True),
        ("Liên hệ qua Zalo", True),
        ("SĐT chỉ nghe buổi sáng", True),
        ("Gói hỗ trợ y tế", False),
        ("Chấn thương vùng đầu; đi cùng cán bộ xã", False),
        ("", False),
    ],
)
def test_note_expects_phone(note, expected):
    assert rules.note_expects_phone(note) is expected


def test_recipient_view_is_the_one_definition(cast, case_a, send):
    referral = send(case_a)
    assert selectors.shared_fields(referral) == selectors.recipient_view(
        case=case_a, to_agency_id=referral.to_agency_id, service="health", note=referral.note
    )


def test_the_preview_says_when_a_supervisor_overrides(
    cast, client_for, clock, open_case, providers
):
    case = open_case(cast["worker1"], consent=ConsentInput(services=False, reporting=True))
    params = {
        "provider": providers["bv-da-khoa-tinh"].pk,
        "service": "health",
        "emergency_override": "on",
    }
    supervisor = _preview(client_for(cast["supervisor1"]), case, **params).content.decode()
    worker = _preview(client_for(cast["worker1"]), case, **params).content.decode()
    assert "theo quyết định khẩn cấp của bạn" in supervisor
    assert "theo quyết định khẩn cấp" not in worker and "chưa gửi được" in worker
