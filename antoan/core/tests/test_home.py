# ruff: noqa: F811 - pytest fixtures imported from other apps' tests are redefined as parameters
"""The home page's counts: each equals the rows of the list it links to, and counts nothing of
another agency (docs/home.md)."""

from __future__ import annotations

import re

import pytest

from antoan.hotline.tests.conftest import hotlinesup_fixture, log_call_fixture  # noqa: F401
from antoan.referrals.tests.conftest import (  # noqa: F401 - fixtures reused as they are
    agencies,
    case_a,
    clock,
    open_case,
    open_result,
    providers,
    send,
    supervisor2,
    vietnamese,
)


def cards_of(client) -> dict[str, dict]:
    """The cards as a user sees them: count and link, by key."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    cards = {}
    for match in re.finditer(
        r'<a class="card[^"]*" href="([^"]+)" data-card="([a-z_]+)">.*?'
        r'data-testid="count">(\d+)<',
        html,
        re.S,
    ):
        url, key, count = match.groups()
        cards[key] = {"url": url.replace("&amp;", "&"), "count": int(count)}
    assert len(cards) == len(response.context["cards"])
    return cards


# --- Hotline --------------------------------------------------------------------------------


def test_new_calls_count_the_hotline_queue(cast, client_for, log_call, hotlinesup):
    from antoan.accounts.models import Agency
    from antoan.programme.tests.builders import make_reporter

    log_call()
    log_call()
    log_call(outcome="information_given", close=True)  # closed: no longer waiting
    # An operator of another hotline (another agency) and their open call.
    other = make_reporter("hotline9", Agency.objects.get(code="so-y-te"), role="hotline_operator")
    log_call(other)

    client = client_for(cast["hotline1"])
    card = cards_of(client)["calls"]
    listed = client.get(card["url"]).context["page"].paginator.count
    assert card["count"] == listed == 2

    supervisor = client_for(hotlinesup)
    card = cards_of(supervisor)["calls"]
    assert card["count"] == supervisor.get(card["url"]).context["page"].paginator.count == 2


def test_users_without_calls_see_no_calls_card(cast, client_for):
    assert "calls" not in cards_of(client_for(cast["worker1"]))
    assert set(cards_of(client_for(cast["analyst1"]))) == {"duplicates"}


# --- Tasks and protection measures --------------------------------------------------------


def overdue_in_list(client, url) -> int:
    groups = client.get(url).context["groups"]
    return len({key: rows for key, _heading, rows in groups}["overdue"])


def test_overdue_tasks_count_the_task_list(cast, client_for, open_case, clock):
    open_case(cast["worker1"])
    open_case(cast["worker1"])
    open_case(cast["worker2"])  # agency B
    clock.advance(days=4)  # past the three days for the first assessment
    open_case(cast["worker1"])  # new: due later

    client = client_for(cast["worker1"])
    card = cards_of(client)["overdue"]
    assert card["url"] == "/cases/tasks/#tasks-overdue"
    assert card["count"] == overdue_in_list(client, card["url"]) == 2

    supervisor = client_for(cast["supervisor1"])  # agency A: sees worker1's cases, not B's
    card = cards_of(supervisor)["overdue"]
    assert card["count"] == overdue_in_list(supervisor, card["url"]) == 2

    other = client_for(cast["worker2"])
    card = cards_of(other)["overdue"]
    assert card["count"] == overdue_in_list(other, card["url"]) == 1


def test_measure_decisions_count_the_task_list(cast, client_for, open_case, clock):
    from antoan.cases import services

    def request_measure(case, actor):
        services.measure_request(
            case=case, actor=actor, type="no_contact_commune", deciding_body="commune_chair"
        )

    request_measure(open_case(cast["worker1"]), cast["worker1"])
    request_measure(open_case(cast["worker2"]), cast["worker2"])  # agency B

    client = client_for(cast["supervisor1"])
    card = cards_of(client)["measures"]
    listed = [
        row
        for _key, _heading, rows in client.get(card["url"]).context["groups"]
        for row in rows
        if row["task"].kind == "measure_decision"
    ]
    assert card["count"] == len(listed) == 1


# --- Referrals ------------------------------------------------------------------------------


def test_referrals_waiting_count_the_inbox_and_the_outbox(
    cast, client_for, case_a, send, open_case
):
    from antoan.referrals import services

    send(case_a)
    accepted = send(case_a, provider="tro-giup-phap-ly", service="legal")
    services.referral_accept(referral=accepted, actor=cast_user("legal"))
    send(case_a, provider="cong-an-tinh", service="safety")  # to the police: not the hospital's
    case_b = open_case(cast["worker2"], needs=["health"])
    send(case_b, actor=cast["worker2"])  # agency B's, to the same hospital

    hospital = client_for(cast["health1"])
    card = cards_of(hospital)["referrals_in"]
    assert card["count"] == len(hospital.get(card["url"]).context["rows"]) == 2

    worker = client_for(cast["worker1"])
    card = cards_of(worker)["referrals_out"]
    assert card["url"] == "/referrals/outbox/?status=sent"
    rows = worker.get(card["url"]).context["rows"]
    # Waiting for an answer: the hospital's and the police's, not the accepted one, not B's.
    assert card["count"] == len(rows) == 2
    assert {row["referral"].status for row in rows} == {"sent"}


def cast_user(kind):
    """A member of the legal aid centre (the demo cast has none)."""
    from antoan.accounts.models import Agency
    from antoan.programme.tests.builders import make_reporter

    code = {"legal": "tro-giup-phap-ly"}[kind]
    return make_reporter(f"{kind}9", Agency.objects.get(code=code), role="provider_staff")


# --- Yearly reports -------------------------------------------------------------------------


def reports_owed_in_list(client, url) -> int:
    from antoan.reports.choices import IN_HAND

    plans = client.get(url).context["plans"]
    return sum(
        1
        for _plan, rows in plans
        for row in rows
        for _agency, sub in row["mine"]
        if sub is None or sub.status not in IN_HAND
    )


def test_reports_due_count_the_reports_page(cast, client_for):
    from pathlib import Path

    from antoan.accounts.models import Agency
    from antoan.programme.loader import load_plan
    from antoan.programme.tests.builders import make_reporter
    from antoan.reports.choices import SubmissionStatus
    from antoan.reports.models import Submission
    from antoan.reports.services import ensure_cycles, submission_open

    data = Path(__file__).resolve().parents[3] / "data" / "plans" / "64-KH-UBND-2021.yaml"
    plan, _ = load_plan(data)
    ensure_cycles(plan)
    cycle = plan.report_cycles.order_by("-year").first()
    pho_hien = Agency.objects.get(code="ubnd-pho-hien")
    tran_hung_dao = Agency.objects.get(code="ubnd-tran-hung-dao")
    reporter2 = make_reporter("reporter9", tran_hung_dao)

    client = client_for(cast["reporter1"])
    card = cards_of(client)["reports"]
    before = card["count"]
    assert before == reports_owed_in_list(client, card["url"]) >= 1

    # Another agency hands in its report: nothing changes for Phố Hiến.
    theirs, _ = submission_open(actor=reporter2, cycle=cycle, agency=tran_hung_dao)
    Submission.objects.filter(pk=theirs.pk).update(status=SubmissionStatus.SUBMITTED)
    assert cards_of(client)["reports"]["count"] == before

    # A draft is still owed; once submitted it is not.
    mine, _ = submission_open(actor=cast["reporter1"], cycle=cycle, agency=pho_hien)
    assert cards_of(client)["reports"]["count"] == before
    Submission.objects.filter(pk=mine.pk).update(status=SubmissionStatus.SUBMITTED)
    card = cards_of(client)["reports"]
    assert card["count"] == reports_owed_in_list(client, card["url"]) == before - 1


def test_reports_not_received_count_the_cycle_board(cast, client_for):
    from pathlib import Path

    from antoan.accounts.models import Agency
    from antoan.programme.loader import load_plan
    from antoan.reports.choices import SubmissionStatus
    from antoan.reports.models import Submission
    from antoan.reports.services import ensure_cycles, submission_open

    data = Path(__file__).resolve().parents[3] / "data" / "plans" / "64-KH-UBND-2021.yaml"
    plan, _ = load_plan(data)
    ensure_cycles(plan)
    client = client_for(cast["coordinator1"])
    card = cards_of(client)["reports_missing"]
    before = card["count"]
    assert card["url"].endswith("?state=missing")
    assert before == len(client.get(card["url"]).context["rows"]) >= 1

    cycle = client.get(card["url"]).context["cycle"]
    pho_hien = Agency.objects.get(code="ubnd-pho-hien")
    mine, _ = submission_open(actor=cast["reporter1"], cycle=cycle, agency=pho_hien)
    Submission.objects.filter(pk=mine.pk).update(status=SubmissionStatus.SUBMITTED)
    card = cards_of(client)["reports_missing"]
    assert card["count"] == len(client.get(card["url"]).context["rows"]) == before - 1


# --- The menu's badge and the query budget ------------------------------------------------


def test_the_menu_shows_unread_notifications(cast, client_for, open_case, send):
    from antoan.referrals.services.notify import notify

    client = client_for(cast["worker1"])
    assert 'data-testid="unread-badge"' not in client.get("/").content.decode()
    referral = send(open_case(cast["worker1"], needs=["health"]))
    for _ in range(3):
        notify([cast["worker1"]], "accepted", referral)
    notify([cast["worker2"]], "accepted", referral)  # someone else's
    html = client.get("/").content.decode()
    assert html.count('data-testid="unread-badge"') == 2  # on the menu and on the entry
    assert "3 thông báo chưa đọc" in html
    # On a phone the menu is folded: its button says so too.
    toggler = html[html.index('class="navbar-toggler"') :]
    toggler = toggler[: toggler.index("</button>")]
    assert "Mở menu" in toggler and ">3<" in toggler and "thông báo chưa đọc" in toggler

    client.post("/referrals/notifications/")  # mark all read
    assert 'data-testid="unread-badge"' not in client.get("/").content.decode()


def test_the_badge_is_counted_again_only_when_the_users_notifications_change(
    cast, client_for, open_case, send
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from antoan.referrals.services.notify import notify

    client = client_for(cast["worker1"])
    referral = send(open_case(cast["worker1"], needs=["health"]))

    def view() -> tuple[int, str]:
        """The home page, and how many times it counted the user's unread notifications."""
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/").content.decode()
        counted = sum(
            'FROM "referrals_notification"' in q["sql"] and "COUNT(" in q["sql"]
            for q in queries.captured_queries
        )
        return counted, html

    assert view()[0] == 1
    assert view()[0] == 0  # kept: no query on every page
    notify([cast["worker2"]], "accepted", referral)  # someone else's news
    assert view()[0] == 0
    notify([cast["worker1"]], "accepted", referral)
    counted, html = view()
    assert counted == 1 and "1 thông báo chưa đọc" in html
    client.post("/referrals/notifications/")
    counted, html = view()
    assert counted == 1 and 'data-testid="unread-badge"' not in html


def test_a_fragment_without_the_menu_costs_no_badge_query(cast, rf, django_assert_num_queries):
    from django.template import engines

    from antoan.core.context_processors import navigation

    request = rf.get("/")
    request.user = cast["worker1"]
    context = navigation(request)
    template = engines["django"].from_string("{{ user_memberships|length }}")
    with django_assert_num_queries(0):
        template.render(context)


@pytest.mark.parametrize("username", ["supervisor1", "worker1", "hotline1", "health1"])
def test_the_home_page_costs_a_bounded_number_of_queries(
    cast, client_for, case_a, send, open_case, clock, username, django_assert_max_num_queries
):
    from antoan.cases import services

    for _ in range(3):
        case = open_case(cast["worker1"], needs=["health"])
        send(case)
        services.measure_request(
            case=case,
            actor=cast["worker1"],
            type="no_contact_commune",
            deciding_body="commune_chair",
        )
    clock.advance(days=8)
    client = client_for(cast[username])
    client.get("/")  # the session and the caches of a first request
    # Measured: 12 for a case supervisor (session, user, memberships, 2FA devices, sign-ins,
    # calls, tasks' cases, follow-ups, measures, data requests, outbox, badge); fixed whatever
    # the number of cases, calls and referrals.
    with django_assert_max_num_queries(14):
        response = client.get("/")
    assert response.status_code == 200


def test_possible_duplicates_count_the_review_queue(cast, client_for, open_result):
    from antoan.cases.models import DuplicateReview

    analyst = client_for(cast["analyst1"])
    assert cards_of(analyst)["duplicates"]["count"] == 0
    phone = "0912 345 678"
    open_result(cast["worker2"], full_name="Nguyễn Thị Hòa", birth_year=1990, phone=phone)
    open_result(cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990, phone=phone)
    assert DuplicateReview.objects.filter(status="open").count() == 1
    card = cards_of(analyst)["duplicates"]
    queue = analyst.get(card["url"])
    assert card["count"] == len(queue.context["reviews"]) == 1
    # Case workers see no such card: the queue is the province's.
    assert "duplicates" not in cards_of(client_for(cast["worker1"]))


def test_the_cards_follow_the_roles(cast, client_for):
    expected = {
        "hotline1": {"calls"},
        "worker1": {"overdue", "measures", "referrals_out"},
        "supervisor1": {"calls", "overdue", "measures", "referrals_out"},
        "health1": {"referrals_in"},
        "reporter1": {"reports"},
        "auditor1": set(),
    }
    for username, keys in expected.items():
        assert set(cards_of(client_for(cast[username]))) == keys, username


def test_the_supervisors_menu_groups_its_entries(db):
    from antoan.accounts.roles import Role, role_permissions
    from antoan.core.navigation import menu_for, nav_for

    menu = menu_for(nav_for(set(role_permissions(Role.CASE_SUPERVISOR)), "/cases/team/"))
    assert [str(entry["label"]) for entry in menu] == [
        "Trang chủ",
        "Cuộc gọi đường dây nóng",
        "Hồ sơ",
        "Chuyển gửi",
        "Số liệu",
        "Yêu cầu về dữ liệu cá nhân",
    ]
    cases = menu[2]
    assert cases["active"] and not menu[3]["active"]
    assert [str(c["label"]) for c in cases["children"] if c["active"]] == ["Hồ sơ của cơ quan"]
    # The agency's figures and the hotline's live board share the figures' dropdown.
    assert [str(c["label"]) for c in menu[4]["children"]] == [
        "Thống kê cơ quan",
        "Bảng theo dõi đường dây nóng",
    ]
    # A group of one entry is that entry, not a dropdown of one.
    assert "children" not in menu[5]
