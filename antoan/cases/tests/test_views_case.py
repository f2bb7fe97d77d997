"""The case page, its forms and the lists: what a case worker and a supervisor see and do."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from antoan.cases import services
from antoan.cases.models import Case, CaseNote, FollowUp
from antoan.cases.tests.conftest import MISSING_REASON, fresh, full_checklist
from antoan.core.models import AuditEvent


@pytest.fixture
def case_a(cast, open_case):
    return open_case(cast["worker1"])


@pytest.fixture
def worker1(client, cast):
    client.force_login(cast["worker1"])
    return client


def url(name, case, *args):
    return reverse(name, args=[case.pk, *args])


def queries_for(client, path) -> int:
    """The queries of a view of ``path`` by someone already at work: the menu's badge is counted
    on a first view and kept (antoan/referrals/unread.py), so a first view is made before."""
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- Writing through the forms ----------------------------------------------------------------


def test_a_stale_form_shows_what_changed_and_overwrites_nothing(client, cast, case_a, clock):
    client.force_login(cast["worker1"])
    loaded = fresh(case_a).version
    page = client.get(url("cases:note_add", case_a)).content.decode()
    assert f'name="version" value="{loaded}"' in page

    # Meanwhile the supervisor assesses the case.
    clock.advance(minutes=10)
    services.assessment_add(
        case=fresh(case_a),
        actor=cast["supervisor1"],
        needs=["safety"],
        answers={"threats_to_kill": True, "weapon": True},
        version=loaded,
    )
    response = client.post(
        url("cases:note_add", case_a), {"version": loaded, "body": "Gọi điện lúc 9 giờ"}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Hồ sơ đã được người khác cập nhật" in page
    assert "Đánh giá nguy cơ: Cao" in page
    assert "Trần Văn Minh" in page
    assert "16/03/2026 09:10" in page
    assert "Gọi điện lúc 9 giờ" in page  # what the worker typed is kept
    assert CaseNote.objects.count() == 0
    # Saving again, knowingly, goes through.
    current = fresh(case_a).version
    assert f'name="version" value="{current}"' in page
    response = client.post(
        url("cases:note_add", case_a), {"version": current, "body": "Gọi điện lúc 9 giờ"}
    )
    assert response.status_code == 302
    assert CaseNote.objects.get().body == "Gọi điện lúc 9 giờ"


def test_a_stale_closure_request_is_refused(client, cast, case_a, clock):
    client.force_login(cast["worker1"])
    loaded = fresh(case_a).version
    services.note_add(case=fresh(case_a), actor=cast["supervisor1"], body="x")
    response = client.post(
        url("cases:closure_request", case_a),
        {
            "version": loaded,
            "reason": "Đã ổn định",
            "checklist": list(full_checklist()),
            "missing_reason": MISSING_REASON,
        },
    )
    assert response.status_code == 409
    assert "Thêm ghi chú" in response.content.decode()
    assert fresh(case_a).stage != "closure_requested"


def test_a_script_in_a_note_is_shown_as_text(worker1, case_a, clock):
    script = "<script>alert(1)</script>"
    response = worker1.post(
        url("cases:note_add", case_a), {"version": fresh(case_a).version, "body": script}
    )
    assert response.status_code == 302
    page = worker1.get(url("cases:detail", case_a)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert script not in page
    assert script not in worker1.get(url("cases:print", case_a)).content.decode()


def test_field_errors_from_the_service_show_on_their_field(worker1, case_a, clock):
    response = worker1.post(
        url("cases:follow_up_add", case_a),
        {
            "version": fresh(case_a).version,
            "done_on": clock.today().strftime("%d/%m/%Y"),
            "method": "phone",
            "next_due": (clock.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_next_due_errors"' in page
    assert "Lần theo dõi tiếp phải sau lần này." in page
    assert FollowUp.objects.count() == 0


def test_assessment_raises_the_risk_shown_on_the_case_page(worker1, case_a, clock):
    page = worker1.get(url("cases:assessment_add", case_a)).content.decode()
    assert "Người gây bạo lực đã đe dọa giết?" in page
    response = worker1.post(
        url("cases:assessment_add", case_a),
        {
            "version": fresh(case_a).version,
            "answers": ["threats_to_kill", "weapon"],
            "needs": ["safety", "legal"],
            "notes": "",
        },
    )
    assert response.status_code == 302
    page = worker1.get(response["Location"]).content.decode()
    assert "Mức độ nguy cơ: Cao" in page  # the success message
    assert 'class="badge risk risk-high"' in page
    assert "Đánh giá nguy cơ: Cao" in page  # the timeline
    assert fresh(case_a).stage == "assessment"


def test_case_plan_with_services(worker1, cast, case_a, clock, agencies):
    due = (clock.today() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    data = {
        "version": fresh(case_a).version,
        "goals": "Được khám sức khỏe và tư vấn pháp lý",
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "5",
        "items-0-service": "health",
        "items-0-responsible_agency": agencies["a"].pk,
        "items-0-due_on": due,
        "items-2-service": "legal",
        "items-2-responsible_agency": agencies["a"].pk,
        "items-2-due_on": "01/01/2020",
    }
    response = worker1.post(url("cases:case_plan_add", case_a), data)
    page = response.content.decode()
    # The third row (the second filled in) is before the intake: its error is on that row.
    assert 'id="id_items-2-due_on_errors"' in page
    assert "Hạn không thể trước ngày tiếp nhận." in page
    data["items-2-due_on"] = due
    response = worker1.post(url("cases:case_plan_add", case_a), data)
    assert response.status_code == 302
    page = worker1.get(url("cases:detail", case_a)).content.decode()
    assert "Lập kế hoạch hỗ trợ: Y tế, Pháp lý" in page
    assert "Được khám sức khỏe và tư vấn pháp lý" in page


def test_pending_commune_no_contact_shows_its_12_hour_countdown(worker1, case_a, clock):
    response = worker1.post(
        url("cases:measure_add", case_a),
        {
            "version": fresh(case_a).version,
            "type": "no_contact_commune",
            "deciding_body": "commune_chair",
            "requested_at": "16/03/2026 09:00",
        },
    )
    assert response.status_code == 302
    clock.advance(hours=2, minutes=30)
    page = worker1.get(url("cases:detail", case_a)).content.decode()
    assert "còn 9 giờ 30 phút" in page
    assert "16/03/2026 21:00" in page
    clock.advance(hours=10)
    assert "quá hạn 30 phút" in worker1.get(url("cases:detail", case_a)).content.decode()


def test_withdrawing_consent_takes_effect_at_once(worker1, case_a, clock):
    page = worker1.get(url("cases:detail", case_a)).content.decode()
    withdraw = url("cases:consent_withdraw", case_a, "reporting")
    assert withdraw in page
    response = worker1.post(withdraw, {"version": fresh(case_a).version})
    assert response.status_code == 302
    page = worker1.get(url("cases:detail", case_a)).content.decode()
    assert "Đã rút lại" in page
    assert withdraw not in page
    assert not fresh(case_a).incidents.filter(consent_statistics=True).exists()


def test_closure_request_approval_closes_the_case(client, cast, case_a, clock):
    client.force_login(cast["worker1"])
    response = client.post(
        url("cases:closure_request", case_a),
        {"version": fresh(case_a).version, "reason": "Đã ổn định", "checklist": ["goals_reviewed"]},
    )
    assert "Chưa hoàn thành: Đã đánh giá lại nguy cơ và an toàn." in response.content.decode()
    assert fresh(case_a).stage != "closure_requested"
    response = client.post(
        url("cases:closure_request", case_a),
        {
            "version": fresh(case_a).version,
            "reason": "Đã ổn định",
            "checklist": list(full_checklist()),
            "missing_reason": MISSING_REASON,
        },
    )
    assert response.status_code == 302
    assert fresh(case_a).stage == "closure_requested"

    client.force_login(cast["supervisor1"])
    page = client.get(url("cases:closure_decide", case_a)).content.decode()
    assert "Đã ổn định" in page
    response = client.post(
        url("cases:closure_decide", case_a),
        {"version": fresh(case_a).version, "decision": "approve", "comment": ""},
    )
    assert response.status_code == 302
    page = client.get(url("cases:detail", case_a)).content.decode()
    assert 'data-testid="case-status">Đã đóng<' in page
    assert "Duyệt đóng ca" in page  # the timeline
    assert fresh(case_a).status == "closed"
    # A closed case takes no new records until reopened.
    client.force_login(cast["worker1"])
    response = client.get(url("cases:follow_up_add", case_a))
    assert response.status_code == 302
    client.force_login(cast["supervisor1"])
    response = client.post(
        url("cases:reopen", case_a), {"version": fresh(case_a).version, "reason": "Tái diễn"}
    )
    assert response.status_code == 302
    assert fresh(case_a).status == "open"


def test_returning_a_closure_needs_a_comment(client, cast, case_a, clock):
    services.closure_request(
        case=fresh(case_a),
        actor=cast["worker1"],
        reason="Đã ổn định",
        checklist=full_checklist(),
        version=fresh(case_a).version,
        missing_reason=MISSING_REASON,
    )
    client.force_login(cast["supervisor1"])
    response = client.post(
        url("cases:closure_decide", case_a),
        {"version": fresh(case_a).version, "decision": "return", "comment": ""},
    )
    assert 'id="id_comment_errors"' in response.content.decode()
    assert fresh(case_a).stage == "closure_requested"


def test_print_is_audited_as_an_export(worker1, case_a, clock):
    page = worker1.get(url("cases:print", case_a)).content.decode()
    assert case_a.number in page and "Nguyễn Thị Hòa" in page
    event = AuditEvent.objects.filter(action="export").get()
    assert (event.object_type, event.object_id, event.username) == (
        "case",
        str(case_a.pk),
        "worker1",
    )
    # It is a view of the case as well.
    assert AuditEvent.objects.filter(action="view", object_id=str(case_a.pk)).exists()


def test_transfer_to_another_agency(client, cast, case_a, clock, agencies, supervisor2):
    client.force_login(cast["supervisor1"])
    response = client.post(
        url("cases:transfer_request", case_a),
        {"version": fresh(case_a).version, "to_agency": agencies["b"].pk, "reason": "Chuyển nơi ở"},
    )
    assert response.status_code == 302
    transfer = case_a.transfers.get()

    client.force_login(supervisor2)
    page = client.get(reverse("cases:transfers")).content.decode()
    assert case_a.number in page and "Chuyển nơi ở" in page
    assert "Nguyễn Thị Hòa" not in page  # not on the case yet
    decide = reverse("cases:transfer_decide", args=[transfer.pk])
    page = client.get(decide).content.decode()
    assert "Lê Thị Hằng" in page and "Nguyễn Thị Hòa" not in page
    response = client.post(decide, {"action": "accept", "accept-assign_to": cast["worker2"].pk})
    assert response.status_code == 302
    case = fresh(case_a)
    assert case.agency == agencies["b"] and case.assigned_to == cast["worker2"]
    client.force_login(cast["worker2"])
    assert client.get(url("cases:detail", case)).status_code == 200
    client.force_login(cast["worker1"])
    assert client.get(url("cases:detail", case)).status_code == 404
    # Someone else's transfer is not there.
    client.force_login(cast["supervisor1"])
    assert client.get(decide).status_code == 404


def test_supervisor_assigns_the_case(client, cast, case_a, clock):
    client.force_login(cast["supervisor1"])
    page = client.get(url("cases:assign", case_a)).content.decode()
    assert "Nguyễn Thị Lan" in page and "Lê Thị Hằng" not in page  # agency A's workers only
    response = client.post(
        url("cases:assign", case_a),
        {"version": fresh(case_a).version, "assigned_to": cast["supervisor1"].pk},
    )
    assert response.status_code == 302
    assert fresh(case_a).assigned_to == cast["supervisor1"]


# --- Constant queries -------------------------------------------------------------------------


def test_case_page_queries_do_not_grow_with_the_record(client, cast, case_a, clock):
    client.force_login(cast["supervisor1"])

    def add_follow_ups(n):
        for _ in range(n):
            services.follow_up_add(
                case=fresh(case_a), actor=cast["worker1"], done_on=clock.today(), method="phone"
            )
        for _ in range(n // 10):  # and plans, each showing who made it
            services.case_plan_add(
                case=fresh(case_a),
                actor=cast["worker1"],
                goals="An toàn",
                items=[services.PlanItemInput("legal", case_a.agency, clock.today())],
            )

    pages = [url("cases:detail", case_a), url("cases:print", case_a)]
    add_follow_ups(10)
    small = [queries_for(client, page) for page in pages]
    add_follow_ups(90)
    assert FollowUp.objects.count() == 100
    large = [queries_for(client, page) for page in pages]
    assert small == large
    page = client.get(pages[0]).content.decode()
    assert page.count('data-testid="follow-up"') == 100
    assert page.count('data-testid="case-plan"') == 10


def test_list_queries_do_not_grow_with_the_cases(client, cast, open_case, clock):
    client.force_login(cast["supervisor1"])
    for _ in range(5):
        open_case(cast["worker1"])
    small = {name: queries_for(client, reverse(name)) for name in ("cases:mine", "cases:team")}
    small["tasks"] = queries_for(client, reverse("cases:tasks"))
    for _ in range(25):
        open_case(cast["worker1"])
    large = {name: queries_for(client, reverse(name)) for name in ("cases:mine", "cases:team")}
    large["tasks"] = queries_for(client, reverse("cases:tasks"))
    assert small == large
    page = client.get(reverse("cases:team")).content.decode()
    # No count of every case (keyset pages): the page's own, and a link to the older ones.
    assert "25 hồ sơ trên trang này" in page and 'data-testid="case-pages-older"' in page


# --- Lists and search -------------------------------------------------------------------------


def test_a_list_row_shows_the_case_as_its_worker_reads_it(client, cast, open_case, clock):
    from django.utils import timezone

    followed = open_case(cast["worker1"], full_name="Nguyễn Thị Hòa")
    waiting = open_case(cast["worker1"], full_name="Trần Thị Mai")
    Case.objects.filter(pk=waiting.pk).update(assigned_to=None, status="closed", stage="closed")
    client.force_login(cast["supervisor1"])
    rows = {
        row.split('href="/cases/')[1].split("/")[0]: row
        for row in client.get(reverse("cases:team"))
        .content.decode()
        .split('data-testid="case-row"')[1:]
    }
    row = rows[str(followed.pk)]
    assert f">{followed.number}</a>" in row and "Nguyễn Thị Hòa" in row
    assert f"risk-{followed.risk_level}" in row and f">{followed.get_risk_level_display()}<" in row
    assert f">{followed.get_stage_display()}<" in row
    assert timezone.localtime(followed.opened_at).strftime("%d/%m/%Y") in row
    assert cast["worker1"].get_full_name() in row
    assert f">{followed.survivor.commune.name}<" in row
    closed = rows[str(waiting.pk)]
    assert ">Đã đóng</span>" in closed and "Chưa phân công" in closed


def test_search_finds_names_typed_without_diacritics(worker1, cast, open_case, clock):
    hoa = open_case(cast["worker1"], full_name="Nguyễn Thị Hòa")
    hoa2 = open_case(cast["worker1"], full_name="Nguyễn Thị Hoà")
    other = open_case(cast["worker1"], full_name="Trần Thị Mai")
    for q in ("nguyen thi hoa", unicodedata.normalize("NFD", "Nguyễn Thị Hòa"), "HOA"):
        page = worker1.post(reverse("cases:mine"), {"q": q}).content.decode()
        assert hoa.number in page and hoa2.number in page, q
        assert other.number not in page, q
    page = worker1.post(reverse("cases:mine"), {"q": other.number}).content.decode()
    assert other.number in page and hoa.number not in page


def test_the_search_form_posts_and_terms_in_a_url_are_not_searched(worker1, cast, open_case):
    hoa = open_case(cast["worker1"], full_name="Nguyễn Thị Hòa")
    other = open_case(cast["worker1"], full_name="Trần Thị Mai")
    page = worker1.get(reverse("cases:mine")).content.decode()
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    page = worker1.get(reverse("cases:mine"), {"q": "hoa"}).content.decode()
    assert "không tìm kiếm theo địa chỉ (URL)" in page
    assert hoa.number in page and other.number in page  # the whole list, not a search


def test_a_searched_list_pages_by_post_keeping_the_terms(worker1, cast, open_case):
    for index in range(26):
        open_case(
            cast["worker1"], full_name=f"Nguyễn Thị Hoa {index}", phone=f"09100000{index:02d}"
        )
    open_case(cast["worker1"], full_name="Trần Thị Mai", phone="0987654321")
    first = worker1.post(reverse("cases:mine"), {"q": "hoa"}).content.decode()
    assert "25 hồ sơ trên trang này" in first
    older = re.search(r'name="after" value="(\d+)"', first).group(1)
    assert "?q=" not in first and "?after=" not in first
    assert 'type="hidden" name="q" value="hoa"' in first
    second = worker1.post(reverse("cases:mine"), {"q": "hoa", "after": older}).content.decode()
    assert "1 hồ sơ trên trang này" in second and "Trần Thị Mai" not in second


def test_filters_and_what_the_table_shows(client, cast, open_case, clock):
    high = open_case(cast["worker1"], risk_level="high", full_name="Phạm Thị Cúc")
    low = open_case(cast["worker1"], full_name="Đỗ Thị Lụa")
    client.force_login(cast["supervisor1"])
    page = client.get(reverse("cases:team"), {"risk_level": "high"}).content.decode()
    assert high.number in page and low.number not in page
    assert "Phạm Thị Cúc" in page and "Nguyễn Thị Lan" in page  # name, assigned worker
    assert "Phường Phố Hiến" in page and "16/03/2026" in page
    page = client.get(reverse("cases:team"), {"commune": "12452"}).content.decode()
    assert "Không có hồ sơ nào khớp" in page
    # An unknown filter value is reported, not obeyed.
    response = client.get(reverse("cases:team"), {"stage": "nonsense"})
    assert response.status_code == 200 and high.number in response.content.decode()


def test_my_cases_are_those_assigned_to_me(client, cast, open_case, clock):
    mine = open_case(cast["worker1"])
    client.force_login(cast["supervisor1"])
    assert mine.number not in client.get(reverse("cases:mine")).content.decode()
    assert mine.number in client.get(reverse("cases:team")).content.decode()


def test_tasks_group_overdue_and_due_soon(worker1, cast, open_case, clock):
    old = open_case(cast["worker1"], full_name="Vũ Thị Đào")
    Case.objects.filter(pk=old.pk).update(opened_at=clock.now() - dt.timedelta(days=5))
    new = open_case(cast["worker1"], full_name="Hà Thị Sen")
    Case.objects.filter(pk=new.pk).update(opened_at=clock.now() - dt.timedelta(hours=1))
    page = worker1.get(reverse("cases:tasks")).content.decode()
    start, end = page.index('data-testid="tasks-overdue"'), page.index('data-testid="tasks-soon"')
    overdue = page[start:end]
    assert old.number in overdue and "quá hạn 2 ngày" in overdue
    assert new.number not in overdue
    soon = page[page.index('data-testid="tasks-soon"') :]
    assert new.number in soon and "còn 2 ngày 23 giờ" in soon


def test_measure_decision_within_the_laws_limits(worker1, cast, case_a, clock):
    measure = services.measure_request(
        case=fresh(case_a),
        actor=cast["worker1"],
        type="no_contact_commune",
        deciding_body="commune_chair",
    )
    decide = url("cases:measure_decide", case_a, measure.pk)
    data = {
        "version": fresh(case_a).version,
        "decision": "granted",
        "decided_at": "16/03/2026 09:00",
        "starts_at": "16/03/2026 10:00",
        "ends_at": "20/03/2026 10:00",
    }
    page = worker1.post(decide, data).content.decode()
    assert 'id="id_ends_at_errors"' in page
    assert "tối đa 3 ngày" in page
    data["ends_at"] = "19/03/2026 10:00"
    assert worker1.post(decide, data).status_code == 302
    clock.advance(hours=2)
    page = worker1.get(url("cases:detail", case_a)).content.decode()
    assert "đang có hiệu lực đến 19/03/2026 10:00 (còn 2 ngày 23 giờ)" in page
    # Decided once: the form is not offered again.
    assert worker1.get(decide).status_code == 302


def test_tasks_link_to_where_the_work_is_done(worker1, cast, case_a, clock):
    page = worker1.get(reverse("cases:tasks")).content.decode()
    assert f'href="{url("cases:assessment_add", case_a)}"' in page
    assert f'href="{url("cases:case_plan_add", case_a)}"' in page


def test_a_stale_case_plan_keeps_every_row_typed(worker1, cast, case_a, clock, agencies):
    loaded = fresh(case_a).version
    services.note_add(case=fresh(case_a), actor=cast["supervisor1"], body="x", version=loaded)
    due = (clock.today() + dt.timedelta(days=10)).strftime("%d/%m/%Y")
    response = worker1.post(
        url("cases:case_plan_add", case_a),
        {
            "version": loaded,
            "goals": "Tìm việc làm",
            "items-TOTAL_FORMS": "5",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "5",
            "items-3-service": "livelihood",
            "items-3-responsible_agency": agencies["b"].pk,
            "items-3-due_on": due,
        },
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Thêm ghi chú — Trần Văn Minh" in page
    assert 'value="livelihood" selected' in page and f'value="{due}"' in page
    assert "Tìm việc làm" in page
    assert not fresh(case_a).case_plans.exists()


def test_the_consent_form_starts_from_the_decisions_in_force(worker1, case_a, clock):
    services.consent_withdraw(case=fresh(case_a), actor=case_a.assigned_to, purpose="reporting")
    page = worker1.get(url("cases:consent_add", case_a)).content.decode()
    assert re.search(r'<input[^>]*name="services"[^>]*checked', page)
    assert not re.search(r'<input[^>]*name="reporting"[^>]*checked', page)


def test_declining_a_transfer_needs_a_reason(client, cast, case_a, clock, agencies, supervisor2):
    transfer = services.transfer_request(
        case=fresh(case_a),
        actor=cast["supervisor1"],
        to_agency=agencies["b"],
        reason="Chuyển nơi ở",
        version=fresh(case_a).version,
    )
    client.force_login(supervisor2)
    decide = reverse("cases:transfer_decide", args=[transfer.pk])
    page = client.post(decide, {"action": "decline", "decline-decline_reason": ""}).content.decode()
    assert 'id="id_decline-decline_reason_errors"' in page
    response = client.post(
        decide, {"action": "decline", "decline-decline_reason": "Không thuộc địa bàn"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("cases:transfers")
    assert fresh(case_a).agency == agencies["a"]
    assert (
        "Không có đề nghị chuyển hồ sơ nào đang chờ"
        in client.get(reverse("cases:transfers")).content.decode()
    )
    client.force_login(cast["supervisor1"])
    page = client.get(url("cases:detail", case_a)).content.decode()
    assert "Không thuộc địa bàn" in page
    assert "Ủy ban nhân dân phường Trần Hưng Đạo từ chối tiếp nhận hồ sơ chuyển đến" in page


# --- A long timeline ---------------------------------------------------------------------------


def add_events(case, actor, n, *, start):
    """``n`` notes on the timeline, one a minute from ``start`` (what years of follow-up leave)."""
    from antoan.cases.models import CaseEvent

    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, actor=actor, kind="note_added", at=start + dt.timedelta(minutes=i))
        for i in range(n)
    )


def timeline_times(page: str) -> list[str]:
    section = page.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<time datetime="([^"]+)"', section)


def test_a_long_timeline_shows_the_newest_events_and_a_way_to_the_older_ones(
    client, cast, case_a, clock
):
    from antoan.cases.models import CaseEvent
    from antoan.cases.views.detail import TIMELINE_PAGE

    client.force_login(cast["supervisor1"])
    add_events(case_a, cast["worker1"], 120, start=clock.now() + dt.timedelta(hours=1))
    total = CaseEvent.objects.filter(case=case_a).count()  # the opening's events too
    seen: list[str] = []
    path = url("cases:detail", case_a)
    pages = 0
    while path:
        page = client.get(path).content.decode()
        times = timeline_times(page)
        assert times == sorted(times, reverse=True)  # newest first
        assert len(times) <= TIMELINE_PAGE
        if pages:
            assert 'data-testid="timeline-newest"' in page
        seen.extend(times)
        pages += 1
        older = re.search(r'href="(\?before=\d+)#timeline" data-testid="timeline-older"', page)
        path = url("cases:detail", case_a) + older.group(1) if older else ""
    # Every event reached once, newest to oldest, in pages of TIMELINE_PAGE.
    # (the opening's events share one moment; the 120 notes have one each)
    assert len(seen) == total and len(set(seen)) == 120 + 1
    assert seen == sorted(seen, reverse=True)
    assert pages == -(-total // TIMELINE_PAGE)
    # The first page holds the newest events; the printout keeps the whole timeline.
    first = timeline_times(client.get(url("cases:detail", case_a)).content.decode())
    assert first == seen[:TIMELINE_PAGE]
    assert "Thêm ghi chú" in client.get(url("cases:detail", case_a)).content.decode()


def test_case_page_queries_do_not_grow_with_the_timeline(client, cast, case_a, clock):
    client.force_login(cast["supervisor1"])
    page = url("cases:detail", case_a)
    add_events(case_a, cast["worker1"], 10, start=clock.now() + dt.timedelta(hours=1))
    small = queries_for(client, page)
    add_events(case_a, cast["worker1"], 190, start=clock.now() + dt.timedelta(hours=2))
    large = queries_for(client, page)
    assert small == large
    older = queries_for(
        client,
        page
        + "?before="
        + re.search(r"\?before=(\d+)", client.get(page).content.decode()).group(1),
    )
    assert older == large
