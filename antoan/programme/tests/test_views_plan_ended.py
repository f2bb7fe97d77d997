"""After the last plan's end (plan 64 ran to 31/12/2025), until the next plan is published:
the pages say so plainly, the coordinator is pointed at building the next plan, the others at
the coordinator, and a 2026 activity is refused with a message naming the plan's end."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

pytestmark = pytest.mark.django_db

NOTICE = "Kế hoạch 64/KH-UBND đã kết thúc ngày 31/12/2025; chưa có kế hoạch cho năm 2026."


@pytest.fixture
def today():
    """The programme's clock, set to 04/12/2026 (a test may move it with ``today.set``)."""

    class Today:
        day = dt.date(2026, 12, 4)

        def set(self, day: dt.date) -> None:
            self.day = day

    fake = Today()
    with mock.patch("antoan.programme.clock.today", lambda: fake.day):
        yield fake


def test_programme_pages_say_the_plan_has_ended(
    cast, client_for, plan64, today, vietnamese, django_assert_max_num_queries
):
    client = client_for(cast["manager1"])
    # One of them says whether a plan covers today (test_views_plan has the budget).
    with django_assert_max_num_queries(17):
        page = client.get(f"/programme/plans/{plan64.pk}/").content.decode()
    assert NOTICE in page
    assert "Hãy liên hệ cán bộ điều phối chương trình của tỉnh" in page
    assert "/programme/plans/new/" not in page
    for url in ("/programme/models/", "/programme/budget/", "/programme/campaigns/"):
        assert NOTICE in client.get(url).content.decode(), url


def test_the_coordinator_is_offered_to_build_the_next_plan(
    cast, client_for, plan64, today, vietnamese
):
    client = client_for(cast["coordinator1"])
    page = client.get("/programme/activities/").content.decode()
    assert NOTICE in page
    assert f'href="/programme/plans/new/?copy_from={plan64.pk}" data-testid="plan-next"' in page
    assert "liên hệ cán bộ điều phối" not in page
    # The builder it points at exists and starts from plan 64.
    assert client.get(f"/programme/plans/new/?copy_from={plan64.pk}").status_code == 200

    # Once a draft exists, the notice leads back to it rather than to a second copy.
    from antoan.programme.services import plan_build

    draft = plan_build.plan_create(
        actor=cast["coordinator1"],
        copy_from=plan64,
        number="15/KH-UBND",
        title="Kế hoạch thực hiện Chương trình giai đoạn 2026-2030",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )
    page = client.get("/programme/activities/").content.decode()
    assert f'href="/programme/plans/{draft.pk}/" data-testid="plan-next"' in page
    assert "Tiếp tục lập kế hoạch 15/KH-UBND (dự thảo)" in page
    # The draft is the coordinator's: a reporter still reads the plain notice.
    page = client_for(cast["reporter1"]).get("/programme/activities/").content.decode()
    assert NOTICE in page and "15/KH-UBND" not in page


def test_no_notice_while_the_plan_is_in_force(cast, client_for, plan64, today):
    today.set(dt.date(2025, 12, 4))
    page = client_for(cast["reporter1"]).get(f"/programme/plans/{plan64.pk}/").content.decode()
    assert 'data-testid="plan-ended"' not in page


def test_the_excel_page_no_longer_calls_an_ended_plan_current(
    cast, client_for, plan64, today, vietnamese
):
    client = client_for(cast["reporter1"])
    page = client.get("/programme/toolkit/").content.decode()
    assert "Kế hoạch đang thực hiện" not in page
    assert "Kế hoạch gần nhất: 64/KH-UBND (01/01/2021 - 31/12/2025), đã kết thúc." in page
    assert NOTICE in page
    today.set(dt.date(2025, 6, 1))
    page = client.get("/programme/toolkit/").content.decode()
    assert "Kế hoạch đang thực hiện: 64/KH-UBND (01/01/2021 - 31/12/2025)." in page


def test_the_activity_form_refuses_a_2026_date_naming_the_plans_end(
    cast, client_for, form_data, today, vietnamese
):
    from antoan.programme.models import Activity

    client = client_for(cast["reporter1"])
    response = client.post(
        "/programme/activities/new/",
        form_data(start_date="10/03/2026", end_date="11/03/2026"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    message = (
        "Kế hoạch 64/KH-UBND đã kết thúc ngày 31/12/2025; chưa có kế hoạch cho năm 2026, nên "
        "chưa ghi nhận được hoạt động ngày 10/03/2026. Hãy báo cán bộ điều phối nạp kế hoạch mới."
    )
    assert message in page
    # Once in the error summary at the top, once by the date it is about: no more.
    assert page.count("đã kết thúc ngày 31/12/2025; chưa có kế hoạch cho năm 2026, nên") == 2
    summary = page[page.index("data-error-summary") :]
    assert message in summary[: summary.index("</div>")]
    assert not Activity.objects.exists()


def test_a_day_of_the_next_plan_points_to_it(cast, plan64, record, vietnamese):
    from django.core.exceptions import ValidationError

    from antoan.programme.models import Plan

    following = Plan.objects.create(
        code="15-KH-UBND-2026",
        number="15/KH-UBND",
        title="Kế hoạch 2026-2030",
        issued_on=dt.date(2026, 1, 15),
        place=plan64.place,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2030, 12, 31),
        status="published",
    )
    with pytest.raises(ValidationError) as caught:
        record(start_date=dt.date(2026, 3, 10), end_date=dt.date(2026, 3, 10))
    assert caught.value.message_dict["start_date"] == [
        "Kế hoạch 64/KH-UBND đã kết thúc ngày 31/12/2025. Hoạt động ngày 10/03/2026 thuộc kế "
        "hoạch 15/KH-UBND: hãy chọn kế hoạch đó."
    ]
    assert "end_date" not in caught.value.message_dict  # said once
    assert following.number in str(caught.value)
