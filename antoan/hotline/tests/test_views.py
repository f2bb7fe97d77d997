"""The hotline pages: who may, who may not, and what an operator sees during a call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from antoan.cases.models import Case
from antoan.hotline.models import Call
from antoan.hotline.tests.conftest import SUMMARY

pytestmark = pytest.mark.django_db

NO_HOTLINE = ["worker1", "worker2", "health1", "police1", "reporter1", "analyst1", "admin1"]


@pytest.mark.parametrize("name", NO_HOTLINE)
def test_roles_without_hotline_permissions_get_403(cast, client_for, log_call, name):
    call = log_call()
    client = client_for(cast[name])
    for url in (
        reverse("hotline:list"),
        reverse("hotline:new"),
        reverse("hotline:detail", args=[call.pk]),
        reverse("hotline:open_case", args=[call.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_a_supervisor_of_another_agency_gets_404_on_the_hotlines_calls(cast, client_for, log_call):
    call = log_call()
    client = client_for(cast["supervisor1"])  # hotline.view_all, but for UBND Phố Hiến
    assert client.get(reverse("hotline:list") + "?box=all").status_code == 200
    assert client.get(reverse("hotline:detail", args=[call.pk])).status_code == 404
    assert client.get(reverse("hotline:new")).status_code == 403  # does not log calls


def test_operator_sees_own_calls_and_the_open_queue_not_others_closed_calls(
    cast, client_for, log_call, hotlinesup, django_assert_max_num_queries
):
    from antoan.accounts.models import Agency, Membership

    other = cast["worker1"].__class__.objects.create(username="hotline2")
    Membership.objects.create(
        user=other,
        agency=Agency.objects.get(code="ctxh-tinh"),
        role="hotline_operator",
        valid_from=dt.date(2025, 7, 1),
    )
    open_call = log_call(other, category="trafficking")
    closed_call = log_call(other, category="child_abuse", outcome="referred", close=True)
    own_closed = log_call(category="gbv", outcome="information_given", close=True)
    client = client_for(cast["hotline1"])
    assert client.get(reverse("hotline:detail", args=[open_call.pk])).status_code == 200
    assert client.get(reverse("hotline:detail", args=[own_closed.pk])).status_code == 200
    assert client.get(reverse("hotline:detail", args=[closed_call.pk])).status_code == 404
    with django_assert_max_num_queries(30):
        page = client.get(reverse("hotline:list") + "?box=all").content.decode()
    assert "Mua bán người" in page and "Bạo lực trên cơ sở giới" in page
    assert "Xâm hại trẻ em" not in page
    # The hotline's supervisor sees every call of the hotline.
    sup = client_for(hotlinesup)
    assert sup.get(reverse("hotline:detail", args=[closed_call.pk])).status_code == 200
    assert "Xâm hại trẻ em" in sup.get(reverse("hotline:list")).content.decode()


def test_logging_a_call_from_the_form(cast, client_for):
    client = client_for(cast["hotline1"])
    page = client.get(reverse("hotline:new")).content.decode()
    assert "Phường Phố Hiến" in page  # today's communes of the province
    response = client.post(
        reverse("hotline:new"),
        {
            "immediate_danger": "on",
            "channel": "zalo",
            "caller_type": "neighbour",
            "commune": "11953",
            "category": "dv",
            "summary": SUMMARY,
            "duration_minutes": "7",
        },
    )
    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:detail", args=[call.pk])
    assert call.duration_seconds == 420 and call.channel == "zalo" and call.immediate_danger


def test_a_call_dated_in_the_future_is_refused_on_the_form(cast, client_for):
    client = client_for(cast["hotline1"])
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    response = client.post(
        reverse("hotline:new"),
        {
            "channel": "phone",
            "caller_type": "survivor",
            "category": "gbv",
            "received_at": tomorrow.strftime("%d/%m/%Y %H:%M"),
        },
    )
    assert response.status_code == 200
    assert "không được ở tương lai" in response.content.decode()
    assert not Call.objects.exists()


def test_immediate_danger_shows_the_communes_contacts_and_the_chair_reminder_until_recorded(
    cast, client_for, log_call, directory
):
    call = log_call(immediate_danger=True)
    client = client_for(cast["hotline1"])
    url = reverse("hotline:detail", args=[call.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="emergency-contacts"' in page
    assert "Công an tỉnh Hưng Yên" in page and "0221113113" in page
    assert "Trần Văn Chủ" in page and "0912000111" in page
    assert "Lê Văn Khác" not in page  # another commune's chairperson
    assert 'data-testid="chair-reminder"' in page
    # Telling the police does not clear the reminder; telling the chairperson does.
    client.post(
        reverse("hotline:notify", args=[call.pk]),
        {"role": "police", "method": "phone", "agency": directory["police"].agency_id},
    )
    assert 'data-testid="chair-reminder"' in client.get(url).content.decode()
    response = client.post(
        reverse("hotline:notify", args=[call.pk]),
        {"role": "commune_chair", "method": "phone", "person_name": "Ông Trần Văn Chủ"},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="chair-reminder"' not in page
    assert "Ông Trần Văn Chủ" in page


def test_a_call_without_danger_shows_no_contacts_panel(cast, client_for, log_call, directory):
    call = log_call()
    page = client_for(cast["hotline1"]).get(reverse("hotline:detail", args=[call.pk]))
    assert 'data-testid="emergency-contacts"' not in page.content.decode()
    assert 'data-testid="chair-reminder"' not in page.content.decode()


def test_open_case_from_call_prefills_and_links(cast, client_for, log_call, hotlinesup):
    call = log_call(immediate_danger=True)
    client = client_for(cast["hotline1"])
    url = reverse("hotline:open_case", args=[call.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["case"]
    assert form["source"].value() == "hotline" and form["immediate_danger"].value() is True
    assert page.context["survivor"]["commune"].value() == "11953"
    response = client.post(
        url,
        {
            "survivor-full_name": "Nguyễn Thị Hòa",
            "survivor-sex": "female",
            "survivor-birth_year": "1990",
            "survivor-phone": "0912345678",
            "survivor-commune": "11953",
            "consent-services": "on",
            "consent-given_by": "survivor",
            "consent-method": "verbal",
            "client_uuid": page.context["case"]["client_uuid"].value(),
            "perpetrators-TOTAL_FORMS": "3",
            "perpetrators-INITIAL_FORMS": "0",
            "incident-first_reported_on": page.context["incident"]["first_reported_on"].value(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    call.refresh_from_db()
    case = Case.objects.get()
    assert call.case == case and case.source == "hotline" and case.risk_level == "immediate"
    # The operator sees the number, not a link (the case is not theirs to open)...
    page = client.get(reverse("hotline:detail", args=[call.pk])).content.decode()
    assert case.number in page
    assert reverse("cases:detail", args=[case.pk]) not in page
    assert "0912345678" not in page  # nothing of the case beyond its number
    # ...the hotline's supervisor, who sees the agency's cases, gets a link.
    page = client_for(hotlinesup).get(reverse("hotline:detail", args=[call.pk])).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in page


def test_the_callers_commune_is_typed_by_name_without_accents(cast, client_for):
    client = client_for(cast["hotline1"])
    page = client.get(reverse("hotline:new")).content.decode()
    assert '<option value="Phường Phố Hiến, Tỉnh Hưng Yên">' in page
    fields = {"channel": "phone", "caller_type": "survivor", "category": "dv"}
    response = client.post(reverse("hotline:new"), {**fields, "commune": "pho hien"})
    assert response.status_code == 302
    assert Call.objects.get().commune.name == "Phường Phố Hiến"


def test_an_unknown_commune_name_is_refused_and_no_call_logged(cast, client_for):
    client = client_for(cast["hotline1"])
    fields = {"channel": "phone", "caller_type": "survivor", "category": "dv"}
    response = client.post(reverse("hotline:new"), {**fields, "commune": "Bãi Sậy"})
    assert response.status_code == 200
    assert "Không tìm thấy đơn vị hành chính “Bãi Sậy”" in response.content.decode()
    assert not Call.objects.exists()


def test_the_agencies_to_name_as_told_are_the_provinces_not_the_countrys(
    cast, client_for, log_call
):
    from antoan.accounts.models import Agency
    from antoan.hotline.models import CallNotification
    from antoan.places.models import Place

    hanoi = Place.objects.create(code="01", name="Thành phố Hà Nội", level="province")
    ba_dinh = Place.objects.create(
        code="00004",
        name="Phường Ba Đình",
        level="commune",
        parent=hanoi,
        valid_from=dt.date(2025, 7, 1),
    )
    elsewhere = Agency.objects.create(
        code="ca-ha-noi", name="Công an thành phố Hà Nội", kind="police", place=hanoi
    )
    ours = Agency.objects.get(code=cast["police1"].memberships.get().agency.code)
    client = client_for(cast["hotline1"])
    call = log_call()
    page = client.get(reverse("hotline:detail", args=[call.pk])).content.decode()
    assert f'<option value="{ours.pk}">{ours.name}</option>' in page
    assert elsewhere.name not in page
    # Naming it anyway is refused, and nothing is recorded.
    response = client.post(
        reverse("hotline:notify", args=[call.pk]),
        {"role": "police", "method": "phone", "agency": elsewhere.pk},
    )
    assert response.status_code == 400
    assert not CallNotification.objects.filter(call=call).exists()
    # A caller from Hà Nội: its agencies are offered too.
    from_hanoi = log_call(commune=ba_dinh.code)
    page = client.get(reverse("hotline:detail", args=[from_hanoi.pk])).content.decode()
    assert elsewhere.name in page and ours.name in page
    response = client.post(
        reverse("hotline:notify", args=[from_hanoi.pk]),
        {"role": "police", "method": "phone", "agency": elsewhere.pk},
    )
    assert response.status_code == 302
    assert CallNotification.objects.get(call=from_hanoi).agency == elsewhere
