"""A health worker records a contact on one page; anything but codes and ticks is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from antoan.accounts.models import Agency, Membership
from antoan.accounts.roles import Role
from antoan.core.models import AuditEvent
from antoan.health.models import ServiceContact
from antoan.health.tests.conftest import NAME, page_data, today

pytestmark = pytest.mark.django_db
NEW = "/health/contacts/new/"


def test_a_nurse_records_a_contact_and_sees_only_a_confirmation(client_for, nurse, station):
    client = client_for(nurse)
    page = client.get(NEW)
    html = page.content.decode()
    assert page.status_code == 200
    # One facility: it is already chosen; the date is today's, typed the Vietnamese way.
    assert f'value="{station.pk}"' in html and "checked" in html
    assert today().strftime("%d/%m/%Y") in html

    response = client.post(NEW, page_data(), follow=True)

    assert response.redirect_chain[-1][0] == reverse("health:recorded")
    text = response.content.decode()
    assert "Đã ghi nhận" in text and "Ghi nhận lượt khác" in text
    contact = ServiceContact.objects.get()
    assert (contact.facility, contact.recorded_by, contact.sex) == (station, nurse, "female")
    assert contact.violence_forms == ["physical"] and contact.emergency_care
    assert not contact.referral_accepted and contact.referral_offered
    event = AuditEvent.objects.filter(object_type="health_contact").get()
    assert (event.action, event.object_id) == ("create", str(contact.pk))
    assert event.changed_fields == [] and set(event.extra) <= {"facility", "referral", "path"}


def test_saving_twice_records_once(client_for, nurse):
    client = client_for(nurse)
    data = page_data()
    client.post(NEW, data)
    client.post(NEW, data)
    assert ServiceContact.objects.count() == 1


# A name typed (or forged) into any field of the page.
SPOILED = [
    "facility",
    "contact_date",
    "sex",
    "age_band",
    "gbv_type",
    "violence_forms",
    "perpetrator_relation",
    "emergency_care",
    "forensic_exam",
    "counselling",
    "contraception_pep",
    "referral_offered",
    "referral_accepted",
    "case_opened",
    "referral_number",
    "client_uuid",
    "name",  # a field the page does not have
    "phone",
    "note",
]


@pytest.mark.parametrize("field", SPOILED)
def test_a_name_in_any_field_of_the_page_is_refused(client_for, nurse, field):
    response = client_for(nurse).post(NEW, page_data(**{field: NAME}))

    assert response.status_code == 200
    assert "Chưa lưu được" in response.content.decode() or "không xác định" in (
        response.content.decode()
    )
    assert not ServiceContact.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"contact_date": (today() + dt.timedelta(days=2)).strftime("%d/%m/%Y")},
            "tương lai",
        ),
        ({"contact_date": "01/01/2024"}, "trước ngày cơ sở bắt đầu hoạt động (01/03/2024)"),
        ({"referral_offered": None, "referral_accepted": "on"}, "khi đã đề nghị chuyển gửi"),
        ({"referral_number": "CG-999999"}, "Không có chuyển gửi đến cơ sở này"),
    ],
)
def test_bad_facts_are_refused_with_a_clear_error(client_for, nurse, station, changes, message):
    station.valid_from = dt.date(2024, 3, 1)
    station.save()
    response = client_for(nurse).post(NEW, page_data(**changes))
    assert message in response.content.decode()
    assert not ServiceContact.objects.exists()


def test_a_referral_number_of_another_facility_is_refused_like_an_unknown_one(
    client_for, cast, nurse, station
):
    from antoan.api.tests.test_cases_helpers import open_case
    from antoan.referrals import services as referral_services
    from antoan.referrals.demo import build_demo_providers
    from antoan.referrals.models import Provider

    build_demo_providers()
    case = open_case(cast["worker1"])
    hospital = Provider.objects.get(agency__code="bv-da-khoa-tinh")
    ours = Provider.objects.get(agency=station)
    to_hospital = referral_services.referral_send(
        case=case, actor=cast["worker1"], provider=hospital, service="health", urgency="high"
    )
    case.refresh_from_db()
    to_us = referral_services.referral_send(
        case=case, actor=cast["worker1"], provider=ours, service="health", urgency="high"
    )
    case.refresh_from_db()
    revoked = referral_services.referral_send(
        case=case, actor=cast["worker1"], provider=ours, service="health", urgency="high"
    )
    referral_services.referral_revoke(referral=revoked, actor=cast["worker1"], reason="Rút lại")
    client = client_for(nurse)
    yesterday = (today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")

    refused = client.post(NEW, page_data(referral_number=to_hospital.number))
    unknown = client.post(NEW, page_data(referral_number="CG-987654"))
    withdrawn = client.post(NEW, page_data(referral_number=revoked.number))
    before_sent = client.post(NEW, page_data(referral_number=to_us.number, contact_date=yesterday))
    accepted = client.post(NEW, page_data(referral_number=to_us.number.lower()))

    for answer in (refused, unknown, withdrawn, before_sent):
        assert answer.status_code == 200
        assert "Không có chuyển gửi đến cơ sở này" in answer.content.decode()
    assert accepted.status_code == 302
    contact = ServiceContact.objects.get()
    # They came by referral: the case counts them.
    assert contact.referral == to_us and contact.case_opened


def test_no_page_lists_contacts(client_for, nurse, cast):
    client_for(nurse).post(NEW, page_data())
    for path in ("/health/contacts/", "/health/", "/health/contacts/1/"):
        assert client_for(nurse).get(path).status_code == 404
        assert client_for(cast["analyst1"]).get(path).status_code == 404


# --- Who may record -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["health1", "police1", "worker1", "supervisor1", "analyst1"])
def test_only_health_workers_record(client_for, cast, username):
    client = client_for(cast[username])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, page_data()).status_code == 403
    assert not ServiceContact.objects.exists()


def test_a_nurse_may_not_record_for_another_facility(client_for, nurse):
    other = Agency.objects.get(code="tyt-tran-hung-dao")
    response = client_for(nurse).post(NEW, page_data(facility=str(other.pk)))
    assert response.status_code == 200
    assert "Chưa lưu được" in response.content.decode()
    assert not ServiceContact.objects.exists()


def test_a_nurse_sees_no_case(client_for, nurse):
    client = client_for(nurse)
    assert client.get(reverse("cases:intake")).status_code == 403
    assert client.get(reverse("cases:mine")).status_code == 403


def test_the_health_worker_role_is_only_for_health_facilities(cast):
    from django.core.exceptions import ValidationError

    membership = Membership(
        user=cast["worker1"],
        agency=Agency.objects.get(code="ubnd-pho-hien"),
        role=Role.HEALTH_WORKER,
    )
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert "agency" in refused.value.message_dict
    ok = Membership(
        user=cast["worker1"],
        agency=Agency.objects.get(code="tyt-tran-hung-dao"),
        role=Role.HEALTH_WORKER,
    )
    ok.full_clean()


def test_stations_and_hospitals_show_as_such_in_the_directory(client_for, cast):
    from antoan.referrals.demo import build_demo_providers

    build_demo_providers()
    text = client_for(cast["nurse1"]).get("/referrals/providers/").content.decode()
    assert "Trạm Y tế phường Phố Hiến" in text and "Trạm y tế xã, phường" in text
    assert "Bệnh viện, trung tâm y tế" in text
