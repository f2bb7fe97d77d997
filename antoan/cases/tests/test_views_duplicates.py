"""Pages: the intake (cases and hotline) says nothing of other agencies' survivors, is limited
per hour, answers a stale retry with a number only; the provincial review queue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from antoan.accounts.models import Membership, User
from antoan.accounts.roles import Role
from antoan.cases import services
from antoan.cases.models import Case, DuplicateReview
from antoan.cases.tests.test_views_intake import URL, intake_data
from antoan.core.models import AuditEvent
from antoan.core.phones import format_phone
from antoan.hotline.tests.conftest import (  # noqa: F401 - fixtures
    hotlinesup_fixture,
    log_call_fixture,
)

pytestmark = pytest.mark.django_db

PHONE = "0912 345 678"


def checks():
    return AuditEvent.objects.filter(object_type="duplicate_check")


@pytest.fixture
def known_in_b(cast, open_result):
    """``known_in_b(**overrides)``: agency B's case of a survivor with the phone ``PHONE``."""

    def make(**overrides):
        return open_result(cast["worker2"], phone=PHONE, commune="12452", **overrides).case

    return make


def test_an_invalid_form_with_a_known_phone_reveals_and_checks_nothing(
    client_for, cast, clock, known_in_b
):
    known_in_b()
    before = checks().count()
    data = intake_data(clock.today(), **{"survivor-sex": None, "survivor-phone": PHONE})
    response = client_for(cast["worker1"]).post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in page
    assert 'data-testid="duplicate-warning"' not in page
    assert "cơ quan khác" not in page
    assert checks().count() == before
    assert Case.objects.count() == 1


def normalised(response, case) -> str:
    """The page, without what differs between any two new cases (number, id, name, phone)."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'name="client_uuid" value="[^"]+"', "", page)
    page = page.replace(case.number, "NUMBER").replace(f"/cases/{case.pk}/", "/cases/ID/")
    page = page.replace(case.survivor.full_name, "NAME")
    return page.replace(format_phone(case.survivor.phone), "PHONE")


def test_the_page_is_the_same_with_or_without_a_hidden_duplicate(
    client_for, cast, clock, known_in_b
):
    client = client_for(cast["worker1"])
    alone = client.post(
        URL,
        intake_data(
            clock.today(),
            **{"survivor-full_name": "Trần Thị Mai", "survivor-phone": "0987 111 222"},
        ),
        follow=True,
    )
    first = Case.objects.get()
    known_in_b()
    matched = client.post(
        URL,
        intake_data(clock.today(), **{"survivor-full_name": "Lý Thị Sen", "survivor-phone": PHONE}),
        follow=True,
    )
    second = Case.objects.filter(agency=first.agency).exclude(pk=first.pk).get()
    assert alone.redirect_chain == [(f"/cases/{first.pk}/", 302)]
    assert matched.redirect_chain == [(f"/cases/{second.pk}/", 302)]
    assert normalised(alone, first) == normalised(matched, second)
    assert DuplicateReview.objects.filter(case=second).count() == 1
    assert not DuplicateReview.objects.filter(case=first).exists()


def test_a_visible_duplicate_is_asked_about_and_the_check_audited(client_for, cast, clock):
    client = client_for(cast["worker1"])
    client.post(URL, intake_data(clock.today()))
    first = Case.objects.get()
    page = client.post(URL, intake_data(clock.today())).content.decode()
    assert first.number in page and 'data-testid="duplicate-warning"' in page
    assert Case.objects.count() == 1
    assert checks().latest("seq").extra["outcome"] == "asked_to_confirm"


def test_too_many_checks_in_an_hour_refuse_the_intake(client_for, cast, clock, settings):
    settings.ANTOAN_DUPLICATE_CHECKS_PER_HOUR = 1
    client = client_for(cast["worker1"])
    client.post(URL, intake_data(clock.today(), **{"survivor-phone": "0987 111 222"}))
    response = client.post(URL, intake_data(clock.today(), **{"survivor-full_name": "Lý Sen"}))
    assert response.status_code == 429
    assert "quá nhiều ca trong một giờ" in response.content.decode()
    assert Case.objects.count() == 1
    assert checks().latest("seq").extra["outcome"] == "rate_limited"


def test_a_retry_after_a_transfer_shows_the_number_only(
    client_for, cast, clock, agencies, supervisor2
):
    client = client_for(cast["worker1"])
    data = intake_data(clock.today())
    client.post(URL, data)
    case = Case.objects.get()
    transfer = services.transfer_request(
        case=case,
        actor=cast["supervisor1"],
        to_agency=agencies["b"],
        reason="Chuyển nơi ở",
        version=case.version,
    )
    services.transfer_decide(
        transfer=transfer, actor=supervisor2, accept=True, assign_to=cast["worker2"]
    )
    response = client.post(URL, data, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(URL, 302)]
    assert f"Hồ sơ {case.number} đã được tạo từ lần gửi trước và nay không còn" in page
    assert agencies["b"].name not in page and "Nguyễn Thị Hòa" not in page
    assert Case.objects.count() == 1


def test_the_hotline_page_says_nothing_of_other_agencies(
    client_for, cast, log_call, clock, known_in_b
):
    known_in_b()
    call = log_call()
    url = reverse("hotline:open_case", args=[call.pk])
    client = client_for(cast["hotline1"])
    data = intake_data(clock.today(), **{"survivor-phone": PHONE, "source": None})
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    call.refresh_from_db()
    assert call.case is not None and call.case.number in page
    assert "trùng" not in page and "cơ quan khác" not in page
    assert DuplicateReview.objects.filter(case=call.case).count() == 1


def test_the_hotline_page_over_the_limit_keeps_the_refusal_in_the_audit(
    client_for, cast, log_call, clock, settings
):
    settings.ANTOAN_DUPLICATE_CHECKS_PER_HOUR = 1
    client = client_for(cast["hotline1"])
    client.post(URL, intake_data(clock.today(), **{"survivor-phone": "0987 111 222"}))
    call = log_call()
    url = reverse("hotline:open_case", args=[call.pk])
    response = client.post(url, intake_data(clock.today(), **{"source": None}))
    assert response.status_code == 429
    call.refresh_from_db()
    assert call.case is None and Case.objects.count() == 1
    assert checks().latest("seq").extra["outcome"] == "rate_limited"


# --- The review queue ----------------------------------------------------------------------------

QUEUE = "/cases/duplicates/"


@pytest.fixture
def review(cast, known_in_b, open_result):
    known_in_b()
    open_result(cast["worker1"], phone=PHONE)
    return DuplicateReview.objects.get()


def test_the_analyst_sees_the_queue_without_names(client_for, cast, review):
    client = client_for(cast["analyst1"])
    page = client.get(QUEUE).content.decode()
    assert review.case.number in page and review.matched.number in page
    assert "Nguyễn Thị Hòa" not in page and "0912345678" not in page
    detail = client.get(f"{QUEUE}{review.pk}/")
    text = detail.content.decode()
    assert detail.status_code == 200
    assert "1990" in text and "Nữ" in text and "Nguyễn Thị Hòa" not in text
    assert f"/cases/{review.case.pk}/" not in text  # the reviewer may open neither case
    assert AuditEvent.objects.filter(
        object_type="duplicate_review", action="view", object_id=str(review.pk)
    ).exists()
    nav = client.get("/").content.decode()
    assert f'href="{QUEUE}"' in nav


@pytest.mark.parametrize("name", ["worker1", "supervisor1", "hotline1", "auditor1", "manager1"])
def test_nobody_else_reaches_the_queue(client_for, cast, review, name):
    client = client_for(cast[name])
    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}{review.pk}/").status_code == 403
    assert client.post(f"{QUEUE}{review.pk}/", {"decision": "different"}).status_code == 403
    assert f'href="{QUEUE}"' not in client.get("/").content.decode()
    assert DuplicateReview.objects.get().status == "open"


def test_an_analyst_of_a_commune_agency_is_refused(client_for, cast, review, agencies):
    local = User.objects.create(username="analyst2")
    Membership.objects.create(
        user=local, agency=agencies["a"], role=Role.ANALYST, valid_from=dt.date(2025, 7, 1)
    )
    assert client_for(local).get(QUEUE).status_code == 403


def test_a_decision_without_consent_offers_no_contact(client_for, cast, review):
    client = client_for(cast["analyst1"])
    page = client.get(f"{QUEUE}{review.pk}/").content.decode()
    assert 'value="in_touch"' not in page and 'data-testid="no-contact"' in page
    refused = client.post(f"{QUEUE}{review.pk}/", {"decision": "in_touch", "version": 1})
    assert refused.status_code == 400
    assert DuplicateReview.objects.get().status == "open"
    response = client.post(
        f"{QUEUE}{review.pk}/", {"decision": "same_person", "version": 1, "note": "Cùng xã"}
    )
    assert response.status_code == 302
    assert DuplicateReview.objects.get().status == "same_person"
    stale = client.post(f"{QUEUE}{review.pk}/", {"decision": "different", "version": 1})
    assert stale.status_code == 409
    assert DuplicateReview.objects.get().status == "same_person"


def test_agencies_in_touch_see_each_other_on_the_case_page(
    client_for, cast, agencies, known_in_b, open_result
):
    from antoan.cases.services import ConsentInput

    theirs = known_in_b(
        consent=ConsentInput(services=True, reporting=True, sharing_agencies=[agencies["a"]]),
    )
    mine = open_result(
        cast["worker1"],
        phone=PHONE,
        consent=ConsentInput(services=True, reporting=True, sharing_agencies=[agencies["b"]]),
    ).case
    review = DuplicateReview.objects.get()
    client = client_for(cast["analyst1"])
    assert 'value="in_touch"' in client.get(f"{QUEUE}{review.pk}/").content.decode()
    assert (
        client.post(f"{QUEUE}{review.pk}/", {"decision": "in_touch", "version": 1}).status_code
        == 302
    )
    page = client_for(cast["worker1"]).get(f"/cases/{mine.pk}/").content.decode()
    assert 'data-testid="duplicate-contact"' in page
    assert theirs.number in page and agencies["b"].name in page
    other = client_for(cast["worker2"]).get(f"/cases/{theirs.pk}/").content.decode()
    assert mine.number in other and agencies["a"].name in other
