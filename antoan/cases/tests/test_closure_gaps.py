"""Closure without the work: what a case still lacks is shown when closure is asked and when it
is approved, and closing anyway needs a written reason (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from antoan.cases import selectors, services
from antoan.cases.models import CaseEvent, ClosureRequest
from antoan.cases.tests.conftest import counts, fresh, full_checklist
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("vietnamese")

WHY = "Người bị bạo lực đã chuyển vào Thành phố Hồ Chí Minh sống với gia đình"


@pytest.fixture
def case(cast, open_case):
    """A bare case: no assessment, no plan, the need "health" recorded at intake."""
    return open_case(cast["worker1"])


@pytest.fixture
def hospital(cast):
    from antoan.referrals.demo import build_demo_providers
    from antoan.referrals.models import Provider

    build_demo_providers()
    return Provider.objects.get(agency__code="bv-da-khoa-tinh")


def codes(case) -> list[str]:
    return [gap.code for gap in selectors.closure_gaps(fresh(case))]


def do_the_work(case, worker, agencies, clock):
    """An assessment, a plan, and the assessed need delivered: nothing left to explain."""
    from antoan.referrals.services import service_record

    services.assessment_add(case=fresh(case), actor=worker, needs=["health"], answers={})
    services.case_plan_add(
        case=fresh(case),
        actor=worker,
        goals="Khám sức khỏe",
        items=[services.PlanItemInput("health", agencies["a"], clock.today())],
    )
    service_record(
        case=fresh(case),
        actor=worker,
        service="health",
        delivered_on=clock.today(),
        description="Khám tại trạm y tế",
    )
    return fresh(case)


def ask(case, worker, **kw):
    return services.closure_request(
        case=fresh(case),
        actor=worker,
        reason="Đã ổn định",
        checklist=full_checklist(),
        version=fresh(case).version,
        **kw,
    )


# --- What is missing ------------------------------------------------------------------------


def test_a_bare_case_lacks_an_assessment_a_plan_and_its_needs(case):
    gaps = selectors.closure_gaps(fresh(case))
    assert [g.code for g in gaps] == ["no_assessment", "no_case_plan", "unmet_needs"]
    assert gaps[2].items == ("Y tế",)
    assert gaps[0].label == "Chưa có đánh giá nguy cơ và nhu cầu"


def test_a_case_with_the_work_done_lacks_nothing(case, cast, agencies, clock):
    assert codes(do_the_work(case, cast["worker1"], agencies, clock)) == []


def test_open_referrals_and_measures_pending_or_in_force_are_missing(
    case, cast, agencies, clock, hospital
):
    from antoan.referrals.services import referral_send

    worker = cast["worker1"]
    case = do_the_work(case, worker, agencies, clock)
    referral = referral_send(
        case=fresh(case), actor=worker, provider=hospital, service="psychosocial", urgency="normal"
    )
    pending = services.measure_request(
        case=fresh(case), actor=worker, type="no_contact_commune", deciding_body="commune_chair"
    )
    gaps = {g.code: g for g in selectors.closure_gaps(fresh(case))}
    assert set(gaps) == {"open_referrals", "measures_pending"}
    assert gaps["open_referrals"].items == (f"{referral.number} · Tâm lý xã hội",)

    clock.advance(hours=1)
    services.measure_decide(
        measure=pending,
        actor=worker,
        decision="granted",
        decided_at=clock.now(),
        starts_at=clock.now(),
        ends_at=clock.now() + dt.timedelta(days=2),
    )
    assert "measures_in_force" in codes(case)
    assert "measures_pending" not in codes(case)
    # Once the order has run out, it no longer holds the case open.
    clock.advance(days=3)
    assert "measures_in_force" not in codes(case)


# --- Asking to close ------------------------------------------------------------------------


def test_closing_a_bare_case_without_a_reason_is_refused_and_changes_nothing(case, cast):
    before = counts()
    version = fresh(case).version
    with pytest.raises(ValidationError) as info:
        ask(case, cast["worker1"])
    (message,) = info.value.message_dict["missing_reason"]
    assert message.startswith("Hồ sơ còn thiếu: chưa có đánh giá nguy cơ và nhu cầu;")
    assert "Hãy ghi lý do vẫn đóng ca" in message
    assert counts() == before
    assert not ClosureRequest.objects.exists()
    assert (fresh(case).stage, fresh(case).version) == ("intake", version)


def test_closing_anyway_keeps_the_reason_encrypted_and_says_so_in_the_timeline(case, cast):
    record = ask(case, cast["worker1"], missing_reason=WHY)
    record = ClosureRequest.objects.get(pk=record.pk)
    assert record.missing == ["no_assessment", "no_case_plan", "unmet_needs"]
    assert record.missing_reason == WHY
    with connection.cursor() as cursor:
        cursor.execute("SELECT missing_reason FROM cases_closurerequest WHERE id = %s", [record.pk])
        (stored,) = cursor.fetchone()
    assert stored and WHY not in stored and "Hồ Chí Minh" not in stored
    event = CaseEvent.objects.filter(case=case, kind="closure_requested").get()
    assert event.data["missing"] == record.missing
    assert WHY not in str(event.data)
    audit = AuditEvent.objects.filter(object_type="case", extra__event="closure_requested").get()
    assert audit.extra["missing"] == record.missing


def test_the_printout_keeps_what_was_missing_and_why_the_case_was_closed(case, cast, client):
    ask(case, cast["worker1"], missing_reason=WHY)
    services.closure_decide(case=fresh(case), actor=cast["supervisor1"], approve=True)
    client.force_login(cast["supervisor1"])
    page = client.get(reverse("cases:print", args=[case.pk])).content.decode()
    section = page[page.index('data-testid="print-closure"') :]
    section = section[: section.index("</section>")]
    assert "Đã duyệt" in section and WHY in section
    assert "Chưa có kế hoạch hỗ trợ" in section


def test_a_case_with_the_work_done_closes_without_a_second_reason(case, cast, agencies, clock):
    case = do_the_work(case, cast["worker1"], agencies, clock)
    record = ask(case, cast["worker1"], missing_reason="không cần")
    assert (record.missing, record.missing_reason) == ([], "")
    services.closure_decide(case=fresh(case), actor=cast["supervisor1"], approve=True)
    assert fresh(case).status == "closed"


# --- Approving --------------------------------------------------------------------------------


def test_approving_what_the_worker_explained_needs_no_comment(case, cast):
    ask(case, cast["worker1"], missing_reason=WHY)
    services.closure_decide(case=fresh(case), actor=cast["supervisor1"], approve=True)
    assert fresh(case).status == "closed"
    event = CaseEvent.objects.filter(case=case, kind="closure_decided").get()
    assert event.data == {
        "approved": True,
        "missing": ["no_assessment", "no_case_plan", "unmet_needs"],
    }


def test_approving_a_gap_nobody_explained_needs_the_supervisors_reason(case, cast, agencies, clock):
    worker, supervisor = cast["worker1"], cast["supervisor1"]
    case = do_the_work(case, worker, agencies, clock)
    ask(case, worker)
    # Asked with nothing missing; a no-contact order is requested while the request waits.
    services.measure_request(
        case=fresh(case), actor=worker, type="no_contact_commune", deciding_body="commune_chair"
    )
    version = fresh(case).version
    with pytest.raises(ValidationError) as info:
        services.closure_decide(case=fresh(case), actor=supervisor, approve=True)
    assert "biện pháp bảo vệ đang chờ quyết định" in info.value.message_dict["comment"][0]
    assert (fresh(case).status, fresh(case).version) == ("open", version)
    assert ClosureRequest.objects.get().decision == "pending"

    services.closure_decide(
        case=fresh(case), actor=supervisor, approve=True, comment="Tòa án đã thụ lý, theo dõi ở đó"
    )
    assert fresh(case).status == "closed"


# --- The pages ------------------------------------------------------------------------------


def test_the_request_page_lists_what_is_missing_and_refuses_without_a_reason(client, case, cast):
    client.force_login(cast["worker1"])
    url = reverse("cases:closure_request", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="closure-gaps"' in page
    assert "Chưa có kế hoạch hỗ trợ" in page
    assert "Nhu cầu đã đánh giá chưa được đáp ứng</span>: Y tế" in page
    assert 'name="missing_reason"' in page

    data = {
        "version": fresh(case).version,
        "reason": "Đã ổn định",
        "checklist": list(full_checklist()),
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Hãy ghi lý do vẫn đóng ca" in refused.content.decode()
    assert fresh(case).stage == "intake"
    assert not ClosureRequest.objects.exists()

    done = client.post(url, {**data, "missing_reason": WHY})
    assert done.status_code == 302
    assert ClosureRequest.objects.get().missing_reason == WHY
    timeline = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Đề nghị đóng ca khi còn thiếu: chưa có đánh giá nguy cơ và nhu cầu" in timeline


def test_the_approval_page_shows_what_is_missing_and_the_workers_reason(client, case, cast):
    ask(case, cast["worker1"], missing_reason=WHY)
    client.force_login(cast["supervisor1"])
    page = client.get(reverse("cases:closure_decide", args=[case.pk])).content.decode()
    assert 'data-testid="closure-gaps"' in page
    assert "Chưa có đánh giá nguy cơ và nhu cầu" in page
    assert WHY in page
    assert 'data-testid="closure-unexplained"' not in page
