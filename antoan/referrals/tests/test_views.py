"""The referral pages: who may see what, the inbox order, the case page's needs section."""

from __future__ import annotations

import pytest

from antoan.referrals import services

pytestmark = pytest.mark.django_db

PAGES = [
    "/referrals/providers/",
    "/referrals/pathway/11953/",
    "/referrals/inbox/",
    "/referrals/outbox/",
]
ALLOWED = {
    "/referrals/providers/": {
        "hotline1",
        "worker1",
        "supervisor1",
        "worker2",
        "health1",
        "police1",
    },
    "/referrals/pathway/11953/": {
        "hotline1",
        "worker1",
        "supervisor1",
        "worker2",
        "health1",
        "police1",
    },
    "/referrals/inbox/": {"health1", "police1"},
    "/referrals/outbox/": {"worker1", "supervisor1", "worker2"},
}
CAST = [
    "hotline1",
    "worker1",
    "supervisor1",
    "worker2",
    "health1",
    "police1",
    "reporter1",
    "coordinator1",
    "analyst1",
    "manager1",
    "auditor1",
    "admin1",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", CAST)
def test_role_matrix_of_the_pages(cast, client, client_for, providers, page, who):
    response = client_for(cast[who]).get(page)
    assert response.status_code == (200 if who in ALLOWED[page] else 403), (page, who)


def test_inbox_sorted_by_deadline_with_countdowns(
    cast, client_for, case_a, send, django_assert_max_num_queries
):
    late = send(case_a, urgency="normal", service="psychosocial")
    soon = send(case_a, urgency="immediate")
    with django_assert_max_num_queries(35):
        page = client_for(cast["health1"]).get("/referrals/inbox/").content.decode()
    assert page.index(soon.number) < page.index(late.number)
    assert "còn 1 giờ" in page
    assert "Hòa" not in page and "Nguyễn" not in page


def test_inbox_pages_show_the_same_referrals_in_the_same_order(
    cast, client_for, case_a, send, monkeypatch
):
    import re

    from antoan.referrals import selectors

    for urgency in ["normal", "immediate", "high", "normal", "high", "immediate", "normal"]:
        send(case_a, urgency=urgency)
    health = cast["health1"]
    # The whole inbox in its order: by deadline, then id.
    expected = [r.number for r in selectors.referrals_incoming(health).order_by("due_at", "pk")]
    assert len(expected) == 7
    monkeypatch.setattr(selectors, "INBOX_PAGE", 3)
    client = client_for(health)
    shown, path, pages = [], "/referrals/inbox/", 0
    while path:
        page = client.get(path).content.decode()
        numbers = re.findall(r">(CG-[^<]+)</a>", page)
        assert len(numbers) <= 3
        shown.extend(numbers)
        pages += 1
        assert ('data-testid="inbox-first"' in page) == (pages > 1)
        following = re.search(r'href="(\?after=\d+)" data-testid="inbox-next"', page)
        path = "/referrals/inbox/" + following.group(1) if following else ""
    assert shown == expected and pages == 3
    # An id that is not one of the agency's referrals positions nothing: an empty page.
    page = client.get("/referrals/inbox/?after=99999999").content.decode()
    assert "Không có chuyển gửi nào." in page


def test_recipient_page_shows_shared_fields_then_closes(cast, client, client_for, case_a, send):
    referral = send(case_a)
    health = client_for(cast["health1"])
    page = health.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Hòa" in page and case_a.number in page
    assert "Nguyễn Thị Hòa" not in page and "Bãi Sậy" not in page
    response = health.post(
        f"/referrals/{referral.pk}/", {"action": "decline", "decline-reason": "Hết giường"}
    )
    assert response.status_code == 302
    assert health.get(f"/referrals/{referral.pk}/").status_code == 404
    client.logout()
    assert client_for(cast["police1"]).get(f"/referrals/{referral.pk}/").status_code == 404


def test_case_page_shows_needs_met(cast, client_for, case_a, send, clock):
    referral = send(case_a)
    services.referral_accept(referral=referral, actor=cast["health1"])
    services.referral_deliver(
        referral=referral, actor=cast["health1"], delivered_on=clock.today(), description="Khám"
    )
    page = client_for(cast["worker1"]).get(f"/cases/{case_a.pk}/").content.decode()
    assert "Nhu cầu và dịch vụ" in page
    assert page.count("Đã đáp ứng") == 1 and page.count("Chưa đáp ứng") == 1
    assert referral.number in page


def test_send_from_the_page(cast, client_for, case_a, providers):
    worker = client_for(cast["worker1"])
    assert worker.get(f"/referrals/cases/{case_a.pk}/new/").status_code == 200
    response = worker.post(
        f"/referrals/cases/{case_a.pk}/new/",
        {"provider": providers["bv-da-khoa-tinh"].pk, "service": "health", "urgency": "high"},
    )
    assert response.status_code == 302
    assert case_a.referrals.get().status == "sent"
    bad = worker.post(
        f"/referrals/cases/{case_a.pk}/new/",
        {"provider": providers["tro-giup-phap-ly"].pk, "service": "health", "urgency": "high"},
    )
    assert bad.status_code == 400
    assert "không cung cấp dịch vụ này" in bad.content.decode()


def test_shelter_page_location_and_occupancy(cast, client_for, providers):
    shelter = providers["dctc-pho-hien"]
    page = client_for(cast["worker1"]).get(f"/referrals/providers/{shelter.pk}/").content.decode()
    assert "Nhà văn hóa tổ dân phố 5" not in page
    assert "0/4" in page


def test_pathway_sheet_lists_services_and_emergency_contacts(cast, client_for, providers):
    page = client_for(cast["hotline1"]).get("/referrals/pathway/12452/").content.decode()
    assert "Công an tỉnh Hưng Yên" in page
    assert "Ủy ban nhân dân phường Trần Hưng Đạo" in page
    assert "Ủy ban nhân dân phường Phố Hiến" not in page


def test_emergency_contacts_for_the_hotline(providers, mini_places):
    from antoan.referrals.selectors import emergency_contacts

    found = emergency_contacts(mini_places["commune_a"])
    assert [c.agency.code for c in found] == ["cong-an-tinh", "ubnd-pho-hien"]
    assert found[0].always_open and found[0].emergency_phone == "113"
    assert found[1].contacts[0].phone


def test_directory_and_history_speak_words_not_codes(cast, client_for, case_a, send):
    directory = client_for(cast["worker1"]).get("/referrals/providers/").content.decode()
    assert "Y tế" in directory
    assert ">health<" not in directory and "health," not in directory
    referral = send(case_a)
    page = client_for(cast["worker1"]).get(f"/referrals/{referral.pk}/").content.decode()
    history = page.split("Lịch sử", 1)[1]
    assert "Đã gửi, chờ tiếp nhận" in history
    assert ": sent" not in history


def test_administrators_keep_the_directory_without_seeing_shelter_locations(
    cast, client_for, providers
):
    admin = client_for(cast["admin1"])
    assert admin.get("/admin/referrals/provider/").status_code == 200
    shelter = providers["dctc-pho-hien"]
    page = admin.get(f"/admin/referrals/provider/{shelter.pk}/change/")
    assert page.status_code == 200
    assert "location" not in page.content.decode().split("<form", 1)[1].split("</form>")[0]
    assert shelter.location not in page.content.decode()
    assert client_for(cast["worker1"]).get("/admin/referrals/provider/").status_code in (302, 403)
    assert "/admin/referrals/referral/" not in admin.get("/admin/").content.decode()


def test_the_sender_is_told_in_plain_words_where_the_referral_went(
    cast, client_for, case_a, providers
):
    worker = client_for(cast["worker1"])
    response = worker.post(
        f"/referrals/cases/{case_a.pk}/new/",
        {"provider": providers["bv-da-khoa-tinh"].pk, "service": "health", "urgency": "high"},
        follow=True,
    )
    number = case_a.referrals.get().number
    page = response.content.decode()
    assert f"Đã gửi yêu cầu chuyển gửi {number} đến Bệnh viện Đa khoa tỉnh Hưng Yên." in page
    assert "Đã gửi chuyển gửi" not in page


def test_after_answering_the_provider_lands_on_its_history(cast, client_for, case_a, send):
    referral = send(case_a)
    response = client_for(cast["health1"]).post(
        f"/referrals/{referral.pk}/",
        {"action": "decline", "decline-reason": "Hết giường"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/referrals/history/{referral.pk}/"
    assert "Đã từ chối" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "who"),
    [("/referrals/cases/{pk}/new/", "worker1"), ("/referrals/cases/{pk}/services/new/", "worker1")],
)
def test_the_forms_have_the_case_forms_layout(cast, client_for, case_a, providers, url, who):
    page = client_for(cast[who]).get(url.format(pk=case_a.pk)).content.decode()
    form = page.split('class="case-form"', 1)[1].split("</form>", 1)[0]
    assert 'class="form-actions' in form
    assert "— Chọn —" in form  # no service is pre-chosen for the user
    assert 'class="breadcrumb' in page
    refused = client_for(cast[who]).post(url.format(pk=case_a.pk), {})
    assert refused.status_code == 400
    errors = refused.content.decode()
    assert 'data-testid="form-errors"' in errors  # the summary at the top
    assert 'class="invalid-feedback d-block"' in errors  # and each error by its field


def test_inbox_rows_read_as_values_answer_like_the_referrals(cast, case_a, send):
    """The inbox's light rows (docs/performance.md, "Referral inbox") show what the referral
    itself would: number, labels, deadline, sending agency."""
    from antoan.referrals import selectors
    from antoan.referrals.models import Referral

    send(case_a, urgency="immediate", service="psychosocial")
    send(case_a, urgency="normal")
    rows, following = selectors.inbox_page(cast["health1"])
    assert following is None and len(rows) == 2
    for row in rows:
        referral = Referral.objects.select_related("from_agency").get(pk=row.pk)
        assert row.number == referral.number
        assert row.get_status_display() == referral.get_status_display()
        assert row.get_urgency_display() == referral.get_urgency_display()
        assert row.get_service_display() == referral.get_service_display()
        assert (row.status, row.due_at) == (referral.status, referral.due_at)
        assert row.from_agency.name == referral.from_agency.name
    assert selectors.inbox_page(cast["worker1"]) == ([], None)  # receives nothing
