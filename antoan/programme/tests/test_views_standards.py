"""Pages of standards and reviews: the model page, the assessment and review forms, the
registry's latest results, the facilities page, and who may do what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from antoan.programme.models import Assessment, ModelReview
from antoan.programme.tests.builders import FULL_TRUSTED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def score_form(checklist, scores, *, status="final", **extra):
    data = {
        "checklist": checklist.pk,
        "assessed_on": timezone.localdate().strftime("%d/%m/%Y"),
        "status": status,
        "note": "",
    }
    for code, score in scores.items():
        data[f"score_{code}"] = score
        data[f"note_{code}"] = ""
    data.update(extra)
    return data


def test_the_model_page_offers_assessment_and_review_to_the_coordinator_only(
    client_for, cast, trusted_address, standards
):
    url = reverse("programme:model", args=[trusted_address.pk])
    page = text(client_for(cast["coordinator1"]).get(url))
    assert 'data-testid="assess"' in page and 'data-testid="review"' in page
    assert "Chưa có lần đánh giá nào." in page and "Chưa rà soát lần nào." in page
    page = text(client_for(cast["reporter1"]).get(url))  # the host agency's reporter reads
    assert "Đánh giá theo tiêu chuẩn" in page
    assert 'data-testid="assess"' not in page and 'data-testid="review"' not in page


def test_the_form_lists_the_criteria_with_their_ranges(
    client_for, cast, trusted_address, standards
):
    client = client_for(cast["coordinator1"])
    url = reverse("programme:model_assessment_new", args=[trusted_address.pk])
    # A trusted address may be assessed as one, or as a community shelter: choose first.
    choice = text(client.get(url))
    assert "Tiêu chí mô hình Địa chỉ tin cậy tại cộng đồng" in choice
    assert "Tiêu chí nhà tạm lánh" in choice
    assert "câu lạc bộ" not in choice
    checklist = standards["dia-chi-tin-cay"]
    page = text(client.get(url, {"checklist": checklist.pk}))
    assert "Có quyết định công nhận hoặc thành lập của Ủy ban nhân dân cấp xã." in page
    assert page.count("Điểm (0-2)") == 11
    assert 'max="2"' in page and "Bộ tiêu chí mẫu, chưa phải tiêu chuẩn chính thức." in page


def test_a_score_out_of_range_is_refused_on_the_page_and_nothing_saved(
    client_for, cast, trusted_address, standards
):
    client = client_for(cast["coordinator1"])
    checklist = standards["dia-chi-tin-cay"]
    response = client.post(
        reverse("programme:model_assessment_new", args=[trusted_address.pk]),
        score_form(checklist, {**FULL_TRUSTED, "B1": 7, "C4": ""}),
    )
    assert response.status_code == 400
    page = text(response)
    assert "Điểm của tiêu chí B1 phải từ 0 đến 2; đã nhập 7." in page
    assert "Hãy chấm tiêu chí C4 trước khi hoàn thành đánh giá." in page
    assert 'id="id_score_B1_errors"' in page  # beside its own field
    assert not Assessment.objects.exists()


def test_a_final_assessment_is_saved_and_shown_with_its_band(
    client_for, cast, trusted_address, standards
):
    client = client_for(cast["coordinator1"])
    checklist = standards["dia-chi-tin-cay"]
    scores = {**FULL_TRUSTED, "A2": 0, "B2": 1}
    response = client.post(
        reverse("programme:model_assessment_new", args=[trusted_address.pk]),
        score_form(checklist, scores, note_A1="Quyết định 12/QĐ-UBND"),
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programme:assessment", args=[assessment.pk])
    page = text(client.get(response["Location"]))
    assert "91,7 %" in page and "Đạt chuẩn" in page and "Quyết định 12/QĐ-UBND" in page
    # The host agency's reporter and an analyst read it; a hotline operator is refused.
    for reader in ("reporter1", "analyst1", "manager1"):
        assert client_for(cast[reader]).get(response["Location"]).status_code == 200
    assert client_for(cast["hotline1"]).get(response["Location"]).status_code == 403


def test_the_registry_shows_each_models_latest_assessment_and_review(
    client_for, cast, trusted_address, assess
):
    from antoan.programme import services

    today = timezone.localdate()
    assess(trusted_address, dict.fromkeys(FULL_TRUSTED, 1), on=today - dt.timedelta(days=400))
    assess(trusted_address, FULL_TRUSTED, on=today - dt.timedelta(days=10))
    assess(trusted_address, {"A1": 0}, status="draft", on=today)  # a draft is no result yet
    services.model_review_create(
        actor=cast["coordinator1"],
        model=trusted_address,
        data=services.ReviewInput(
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            members_total=9,
            members_female=6,
            people_served=12,
            survivors_supported=2,
            decision="extend",
            reasons="Người dân tìm đến nhiều; nhân rộng sang tổ dân phố 5.",
            decided_on=today,
        ),
    )
    page = text(client_for(cast["analyst1"]).get(reverse("programme:models")))
    latest = (today - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    assert f"Đánh giá {latest}: 100,0 %" in page and "Đạt chuẩn" in page
    assert "Đạt một phần" not in page
    assert f"Rà soát {today:%d/%m/%Y}: Nhân rộng, mở rộng" in page


def test_a_small_count_of_survivors_supported_is_hidden_on_the_model_page(
    client_for, cast, trusted_address
):
    from antoan.programme import services

    for start, survivors in ((dt.date(2024, 1, 1), 7), (dt.date(2025, 1, 1), 2)):
        services.model_review_create(
            actor=cast["coordinator1"],
            model=trusted_address,
            data=services.ReviewInput(
                period_start=start,
                period_end=start.replace(month=12, day=31),
                members_total=9,
                members_female=6,
                people_served=12,
                survivors_supported=survivors,
                decision="continue",
                reasons="Hoạt động đều.",
                decided_on=start.replace(month=12, day=31),
            ),
        )
    url = reverse("programme:model", args=[trusted_address.pk])
    for reader in ("coordinator1", "reporter1", "analyst1", "leader1"):
        page = text(client_for(cast[reader]).get(url))
        assert "7 người bị bạo lực được hỗ trợ" in page
        assert "số người bị bạo lực được hỗ trợ: ẩn" in page
        assert "2 người bị bạo lực được hỗ trợ" not in page


def test_the_registrys_latest_results_take_the_same_queries_for_more_models(
    client_for, cast, trusted_address, assess
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from antoan.programme import services
    from antoan.programme.models import CommunityModel

    def review(model):
        services.model_review_create(
            actor=cast["coordinator1"],
            model=model,
            data=services.ReviewInput(
                period_start=dt.date(2025, 1, 1),
                period_end=dt.date(2025, 12, 31),
                members_total=9,
                members_female=6,
                people_served=12,
                survivors_supported=0,
                decision="continue",
                reasons="Hoạt động đều.",
            ),
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = text(client_for(cast["analyst1"]).get(reverse("programme:models")))
        assert page.count("Đánh giá ") >= CommunityModel.objects.count()
        return len(captured)

    assess(trusted_address, FULL_TRUSTED)
    review(trusted_address)
    queries()  # the first request also loads the session and the user's memberships
    one = queries()
    for n in range(3):
        model = CommunityModel.objects.create(
            kind="trusted_address",
            name=f"Địa chỉ tin cậy tổ {n}",
            place=trusted_address.place,
            agency=trusted_address.agency,
        )
        assess(model, FULL_TRUSTED)
        review(model)
    assert queries() == one


def test_the_review_form_is_prefilled_and_a_stop_closes_the_model(
    client_for, cast, trusted_address, standards
):
    client = client_for(cast["coordinator1"])
    url = reverse("programme:review_new", args=[trusted_address.pk])
    form = text(client.get(url))
    assert 'name="members_total" value="9"' in form
    assert 'name="period_start" value="08/03/2022"' in form  # from the founding date
    assert "0 hoạt động của mô hình" in form
    response = client.post(
        url,
        {
            "period_start": "01/01/2025",
            "period_end": "31/12/2025",
            "members_total": "9",
            "members_female": "6",
            "people_served": "0",
            "survivors_supported": "0",
            "decision": "stop",
            "reasons": "Chủ địa chỉ tin cậy chuyển đi nơi khác.",
            "decided_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    trusted_address.refresh_from_db()
    assert trusted_address.status == "closed"
    page = text(client.get(reverse("programme:model", args=[trusted_address.pk])))
    assert "Đã giải thể" in page and "Dừng mô hình" in page


def test_a_review_period_ending_before_it_starts_is_refused_on_its_field(
    client_for, cast, trusted_address
):
    response = client_for(cast["coordinator1"]).post(
        reverse("programme:review_new", args=[trusted_address.pk]),
        {
            "period_start": "01/06/2025",
            "period_end": "01/05/2025",
            "members_total": "9",
            "members_female": "6",
            "people_served": "1",
            "survivors_supported": "0",
            "decision": "continue",
            "reasons": "Tốt.",
            "decided_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 400
    assert 'id="id_period_end_errors"' in text(response)
    assert "Kỳ rà soát kết thúc (01/05/2025) trước khi bắt đầu (01/06/2025)." in text(response)
    assert not ModelReview.objects.exists()


def test_only_the_coordinator_records(client_for, cast, trusted_address, standards):
    checklist = standards["dia-chi-tin-cay"]
    for username in ("reporter1", "analyst1", "hotline1"):
        client = client_for(cast[username])
        new = reverse("programme:model_assessment_new", args=[trusted_address.pk])
        assert client.get(new).status_code == 403
        assert client.post(new, score_form(checklist, FULL_TRUSTED)).status_code == 403
        review = reverse("programme:review_new", args=[trusted_address.pk])
        assert client.get(review).status_code == 403
    assert not Assessment.objects.exists()


def test_a_concurrent_edit_of_a_draft_is_refused_and_the_input_kept(
    client, cast, trusted_address, assess
):
    from antoan.accounts.models import Agency
    from antoan.programme.tests.builders import make_reporter

    other = make_reporter(
        "coordinator9", Agency.objects.get(code="so-noi-vu"), role="programme_coordinator"
    )
    draft = assess(trusted_address, {"A1": 1}, status="draft")
    url = reverse("programme:assessment_edit", args=[draft.pk])
    checklist = draft.checklist
    client.force_login(cast["coordinator1"])
    assert 'name="version" value="1"' in text(client.get(url))
    client.force_login(other)
    first = client.post(url, score_form(checklist, {"A1": 2}, status="draft", version=1))
    assert first.status_code == 302
    client.force_login(cast["coordinator1"])
    second = client.post(url, score_form(checklist, {"A1": 0, "A2": 1}, status="draft", version=1))
    assert second.status_code == 409
    page = text(second)
    assert "Người khác vừa sửa bản đánh giá này" in page
    assert 'name="score_A2" value="1"' in page  # what was typed is still there
    draft.refresh_from_db()
    assert (draft.version, draft.scores.get().score) == (2, 2)


def test_the_facilities_page_lists_facilities_with_their_latest_assessment(
    client_for, cast, assess, agencies
):
    centre = agencies["ctxh-tinh"]
    # That checklist's criteria have the same codes (A1-D2), each scored 0-2: half marks.
    assess(centre, dict.fromkeys(FULL_TRUSTED, 1), checklist="co-so-ho-tro-gbv")
    page = text(client_for(cast["manager1"]).get(reverse("programme:facilities")))
    assert "Trung tâm Công tác xã hội tỉnh Hưng Yên" in page
    assert "Bệnh viện Đa khoa tỉnh Hưng Yên" in page and "Địa chỉ tin cậy phường Phố Hiến" in page
    assert "50,0 %" in page and "Đạt một phần" in page
    assert "Ủy ban nhân dân phường Phố Hiến" not in page  # not a service facility
    coordinator = client_for(cast["coordinator1"])
    facility = text(coordinator.get(reverse("programme:facility", args=[centre.pk])))
    assert 'data-testid="assess"' in facility
    assert (
        coordinator.get(reverse("programme:facility", args=[agencies["so-noi-vu"].pk])).status_code
        == 404
    )
