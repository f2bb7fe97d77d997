"""Campaign pages and API: who may see and change what, bad input refused with nothing saved,
concurrent edits refused with the version message."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from antoan.core.models import AuditEvent
from antoan.programme.models import Campaign, CampaignPlanItem
from antoan.programme.services import campaigns as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast, plan64, agencies):
    """An ad-hoc campaign running from ten to forty days from now."""
    today = timezone.localdate()
    return services.campaign_create(
        actor=cast["coordinator1"],
        data=services.CampaignInput(
            title="Chiến dịch phòng, chống bạo lực học đường",
            start_date=today + dt.timedelta(days=10),
            end_date=today + dt.timedelta(days=40),
            expected_agencies=[agencies["ubnd-pho-hien"]],
        ),
    )


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def item_form(campaign):
    def build(**overrides):
        data = {
            "agency": campaign.expected_agencies.get().pk,
            "title": "Sinh hoạt cộng đồng tại tổ dân phố số 3",
            "kind": "communication",
            "start_date": d(campaign.start_date),
            "end_date": d(campaign.start_date),
            "commune": "11953",
            "expected_people": "80",
            "budget": "4.500.000",
            "note": "",
        }
        data.update(overrides)
        return data

    return build


@pytest.fixture
def item_a(cast, campaign, client_for, item_form):
    client = client_for(cast["reporter1"])
    response = client.post(f"/programme/campaigns/{campaign.pk}/items/new/", item_form())
    assert response.status_code == 302
    return CampaignPlanItem.objects.get()


def test_a_reporter_plans_and_everyone_in_the_programme_sees_it(cast, campaign, item_a, client_for):
    assert (item_a.expected_people, item_a.budget) == (80, 4_500_000)
    assert item_a.place.code == "11953"
    for username in ("analyst1", "manager1", "coordinator1", "reporter1"):
        page = client_for(cast[username]).get(f"/programme/campaigns/{campaign.pk}/")
        assert page.status_code == 200, username
        assert "Sinh hoạt cộng đồng tại tổ dân phố số 3" in page.content.decode()
    calendar = client_for(cast["analyst1"]).get("/programme/campaigns/").content.decode()
    assert campaign.title in calendar
    assert "1 cơ quan đã lập kế hoạch, 0 cơ quan đã báo cáo hoạt động." in calendar
    # The tab is in the programme's navigation.
    assert 'href="/programme/campaigns/"' in calendar


def test_another_agencys_reporter_cannot_edit_a_plan_item(
    cast, campaign, item_a, reporter2, client_for, item_form
):
    url = f"/programme/campaigns/{campaign.pk}/items/{item_a.pk}/edit/"
    other = client_for(reporter2)
    assert other.get(url).status_code == 404
    posted = item_form(agency=item_a.agency_id, title="Đổi tên", version=item_a.version)
    assert other.post(url, posted).status_code == 404
    # Both refusals are audited, naming the campaign and the item.
    refused = AuditEvent.objects.filter(action="permission_denied", username=reporter2.username)
    assert refused.count() == 2
    assert {(e.object_type, e.object_id, e.extra["item_id"]) for e in refused} == {
        ("programme.campaign", str(campaign.pk), item_a.pk)
    }
    item_a.refresh_from_db()
    assert item_a.title == "Sinh hoạt cộng đồng tại tổ dân phố số 3"
    # Not for the reporter's own agency either: the agency is not one of their choices.
    response = other.post(f"/programme/campaigns/{campaign.pk}/items/new/", item_form())
    assert response.status_code == 400
    assert CampaignPlanItem.objects.count() == 1


def test_roles_outside_the_programme_are_refused(cast, campaign, item_a, client_for):
    hotline = client_for(cast["hotline1"])
    for url in (
        "/programme/campaigns/",
        f"/programme/campaigns/{campaign.pk}/",
        f"/programme/campaigns/{campaign.pk}/report.xlsx",
    ):
        assert hotline.get(url).status_code == 403, url
    analyst = client_for(cast["analyst1"])
    assert analyst.get(f"/programme/campaigns/{campaign.pk}/items/new/").status_code == 403
    assert analyst.get(f"/programme/campaigns/{campaign.pk}/edit/").status_code == 403
    assert analyst.get(f"/programme/campaigns/{campaign.pk}/report.docx").status_code == 200
    coordinator = client_for(cast["coordinator1"])
    assert coordinator.get(f"/programme/campaigns/{campaign.pk}/items/new/").status_code == 403


def test_an_ad_hoc_campaign_whose_end_is_before_its_start_is_refused(cast, plan64, client_for):
    client = client_for(cast["coordinator1"])
    response = client.post(
        "/programme/campaigns/new/",
        {"title": "Chiến dịch mùa hè", "start_date": "20/07/2026", "end_date": "10/07/2026"},
    )
    assert response.status_code == 400
    assert "Ngày kết thúc (10/07/2026) trước ngày bắt đầu (20/07/2026)." in (
        response.content.decode()
    )
    assert not Campaign.objects.filter(kind="ad_hoc").exists()

    response = client.post(
        "/programme/campaigns/new/",
        {"title": "Chiến dịch mùa đông", "start_date": "20/12/2026", "end_date": "10/01/2027"},
    )
    assert response.status_code == 302
    created = Campaign.objects.get(kind="ad_hoc")
    assert (created.year, created.end_date) == (2026, dt.date(2027, 1, 10))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": "01/01/2026"}, "nằm ngoài thời gian của chiến dịch"),
        ({"expected_people": "-5"}, "Số người phải từ 0 đến 10.000.000."),
        ({"budget": "-1000"}, "Số tiền không được âm."),
        ({"title": ""}, "Trường này là bắt buộc."),
    ],
)
def test_bad_plan_items_are_refused_with_nothing_saved(
    cast, campaign, client_for, item_form, overrides, message
):
    client = client_for(cast["reporter1"])
    response = client.post(f"/programme/campaigns/{campaign.pk}/items/new/", item_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CampaignPlanItem.objects.exists()


def test_a_plan_item_for_an_agency_the_reporter_does_not_report_for(cast, campaign, agencies):
    with pytest.raises(ValidationError) as refused:
        services.plan_item_save(
            actor=cast["reporter1"],
            campaign=campaign,
            data=services.PlanItemInput(
                agency=agencies["ubnd-tran-hung-dao"],
                title="Hội nghị",
                kind="conference",
                start_date=campaign.start_date,
                end_date=campaign.start_date,
                place=agencies["ubnd-tran-hung-dao"].place,
            ),
        )
    assert "Bạn không báo cáo cho Ủy ban nhân dân phường Trần Hưng Đạo" in str(refused.value)
    assert not CampaignPlanItem.objects.exists()


def test_concurrent_edits_of_a_plan_item_are_refused(cast, campaign, item_a, client_for, item_form):
    url = f"/programme/campaigns/{campaign.pk}/items/{item_a.pk}/edit/"
    client = client_for(cast["reporter1"])
    first = item_form(title="Sinh hoạt cộng đồng (lần 1)", version=item_a.version)
    second = item_form(title="Sinh hoạt cộng đồng (lần 2)", version=item_a.version)
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 409
    assert 'data-testid="conflict"' in response.content.decode()
    item_a.refresh_from_db()
    assert (item_a.title, item_a.version) == ("Sinh hoạt cộng đồng (lần 1)", 2)


def test_concurrent_edits_of_a_campaign_are_refused(cast, campaign, client_for):
    url = f"/programme/campaigns/{campaign.pk}/edit/"
    client = client_for(cast["coordinator1"])
    base = {
        "title": campaign.title,
        "start_date": d(campaign.start_date),
        "end_date": d(campaign.end_date),
        "version": campaign.version,
    }
    assert client.post(url, {**base, "theme": "Trường học an toàn"}).status_code == 302
    response = client.post(url, {**base, "theme": "Nói không với bạo lực"})
    assert response.status_code == 409
    assert "Người khác vừa sửa chiến dịch này" in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.theme, campaign.version) == ("Trường học an toàn", 2)


def test_a_recurring_campaigns_window_is_not_editable(cast, plan64, client_for):
    services.ensure_recurring(years=[2026])
    month = Campaign.objects.get(kind="dv_month", year=2026)
    client = client_for(cast["coordinator1"])
    response = client.post(
        f"/programme/campaigns/{month.pk}/edit/",
        {
            "title": month.title,
            "theme": "Gia đình bình yên",
            "start_date": "01/05/2026",
            "end_date": "01/05/2026",
            "version": month.version,
        },
    )
    assert response.status_code == 302
    month.refresh_from_db()
    assert (month.theme, month.start_date) == ("Gia đình bình yên", dt.date(2026, 6, 1))


def test_plan_items_close_when_the_campaign_ends(cast, plan64, agencies):
    ended = services.campaign_create(
        actor=cast["coordinator1"],
        data=services.CampaignInput(
            title="Chiến dịch đã qua",
            start_date=dt.date(2025, 3, 1),
            end_date=dt.date(2025, 3, 31),
        ),
    )
    with pytest.raises(ValidationError, match="Chiến dịch đã kết thúc ngày 31/03/2025"):
        services.plan_item_save(
            actor=cast["reporter1"],
            campaign=ended,
            data=services.PlanItemInput(
                agency=agencies["ubnd-pho-hien"],
                title="Muộn",
                kind="communication",
                start_date=dt.date(2025, 3, 5),
                end_date=dt.date(2025, 3, 5),
                place=agencies["ubnd-pho-hien"].place,
            ),
        )


# --- API -----------------------------------------------------------------------------------


def api_post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_lists_filters_creates_and_reports(cast, plan64, campaign, item_a, client_for):
    services.ensure_recurring(years=[2025])
    analyst = client_for(cast["analyst1"])
    listed = analyst.get("/api/v1/programme/campaigns", {"year": 2025, "kind": "dv_month"}).json()
    assert [c["title"] for c in listed["results"]] == [
        "Tháng hành động quốc gia về phòng, chống bạo lực gia đình năm 2025"
    ]
    assert listed["results"][0]["start_date"] == "2025-06-01"
    detail = analyst.get(f"/api/v1/programme/campaigns/{campaign.pk}").json()
    assert detail["report"]["planned"] == {"items": 1, "people": 80, "budget": 4_500_000}
    assert detail["report"]["previous"] is None
    assert detail["expected_agencies"][0]["name"] == "Ủy ban nhân dân phường Phố Hiến"

    coordinator = client_for(cast["coordinator1"])
    body = {"title": "Chiến dịch cuối năm", "start_date": "2026-12-20", "end_date": "2027-01-10"}
    created = api_post(coordinator, "/api/v1/programme/campaigns", body)
    assert created.status_code == 201
    assert (created.json()["kind"], created.json()["year"]) == ("ad_hoc", 2026)
    assert created.json()["report"]["totals"]["activities"] == 0

    bad = api_post(coordinator, "/api/v1/programme/campaigns", {**body, "end_date": "2026-12-01"})
    assert bad.status_code == 400
    assert "end_date" in bad.json()["error"]["fields"]
    assert Campaign.objects.filter(kind="ad_hoc").count() == 2

    reporter = client_for(cast["reporter1"])
    assert api_post(reporter, "/api/v1/programme/campaigns", body).status_code == 403
    assert client_for(cast["hotline1"]).get("/api/v1/programme/campaigns").status_code == 403
    assert (
        client_for(cast["hotline1"]).get(f"/api/v1/programme/campaigns/{campaign.pk}").status_code
        == 404
    )


def test_api_list_queries_do_not_grow_with_the_campaigns(
    cast, plan64, client_for, django_assert_max_num_queries
):
    services.ensure_recurring(years=[2025])
    analyst = client_for(cast["analyst1"])
    analyst.get("/api/v1/programme/campaigns")  # sign-in, session
    with django_assert_max_num_queries(20) as few:
        first = analyst.get("/api/v1/programme/campaigns").json()
    services.ensure_recurring(years=[2026, 2027, 2028])
    with django_assert_max_num_queries(len(few.captured_queries)):
        more = analyst.get("/api/v1/programme/campaigns").json()
    assert len(more["results"]) == len(first["results"]) + 9


def test_a_planned_activity_s_place_is_typed_by_name(cast, campaign, client_for, item_form):
    client = client_for(cast["reporter1"])
    url = f"/programme/campaigns/{campaign.pk}/items/new/"
    response = client.post(url, item_form(commune="Phố Hiến"))
    assert response.status_code == 302
    assert CampaignPlanItem.objects.get().place.code == "11953"
    response = client.post(url, item_form(commune="xyz không có", title="Khác"))
    assert response.status_code == 400
    assert "Không tìm thấy đơn vị hành chính “xyz không có”" in response.content.decode()
    assert CampaignPlanItem.objects.count() == 1
