"""The auditor's page at /audit/: who may see it, what it finds, and that it is audited."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from antoan.accounts.demo import USERS
from antoan.core.audit import audit_record, audit_verify
from antoan.core.models import AuditEvent

URL = "/audit/"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def rows(response) -> int:
    """Result rows on the page (the table is absent when nothing matched)."""
    page = response.content.decode()
    return page.count("<tr>") - 1 if 'data-testid="audit-results"' in page else 0


def at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def auditor(client_for, cast):
    return client_for(cast["auditor1"])


def test_the_auditor_sees_the_log(auditor, cast):
    with at(dt.datetime(2025, 8, 10, 2, 3, 4, tzinfo=dt.UTC)):
        audit_record(
            action="update",
            user=cast["worker1"],
            object_type="case",
            object_id=41,
            changed_fields=["status", "note"],
        )

    response = auditor.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "10/08/2025 09:03:04" in page  # local time, dd/mm/yyyy HH:MM:SS
    assert "worker1" in page
    assert "Cập nhật" in page  # the action's label
    assert "note, status" in page
    assert "<script" not in page.split("<main", 1)[1]  # strict CSP: nothing inline
    assert 'style="' not in page


@pytest.mark.parametrize("username", [u for u, *_ in USERS if u != "auditor1"])
def test_everyone_else_is_refused_and_the_refusal_is_audited(client_for, cast, username):
    response = client_for(cast[username]).get(URL)

    assert response.status_code == 403
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.username) == ("permission_denied", username)
    assert event.extra["permission"] == "audit.view"
    assert not AuditEvent.objects.filter(object_type="audit_event").exists()


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_each_search_is_audited_with_filter_names_not_values(auditor, cast):
    auditor.get(URL)
    listed = AuditEvent.objects.latest("seq")
    assert (listed.action, listed.object_type, listed.username) == (
        "list",
        "audit_event",
        "auditor1",
    )
    assert listed.role == "auditor"
    assert listed.agency.code == "thanh-tra-tinh"

    auditor.get(URL, {"username": "worker1", "object_id": "41", "date_from": "01/08/2025"})
    searched = AuditEvent.objects.latest("seq")
    assert searched.action == "search"
    assert searched.extra == {
        "filters": ["username", "object_id", "date_from"],
        "page": "first",
        "path": URL,
    }
    assert "worker1" not in str(searched.extra)
    assert audit_verify().ok


def test_search_by_username_exact_or_prefix(auditor, cast):
    for name in ("worker1", "worker2", "police1"):
        audit_record(action="view", user=cast[name], object_type="case", object_id=1)

    exact = auditor.get(URL, {"username": "worker1", "action": "view"})
    prefix = auditor.get(URL, {"username": "work", "username_match": "prefix", "action": "view"})
    nothing = auditor.get(URL, {"username": "work", "action": "view"})

    assert rows(exact) == 1
    assert rows(prefix) == 2
    assert rows(nothing) == 0
    assert "Không có sự kiện nào" in nothing.content.decode()


def test_search_by_object_action_and_agency(auditor, cast):
    from antoan.accounts.models import Agency
    from antoan.core.permissions import memberships

    police = memberships(cast["police1"])[0]
    audit_record(
        action="view", user=cast["police1"], membership=police, object_type="referral", object_id=5
    )
    audit_record(action="export", user=cast["worker1"], object_type="case", object_id=5)
    audit_record(action="view", user=cast["worker1"], object_type="case", object_id=6)

    def count(**query) -> int:
        return rows(auditor.get(URL, query))

    assert count(object_type="case", object_id="5") == 1
    assert count(object_type="case") == 2
    assert count(action="export") == 1
    assert count(agency=Agency.objects.get(code="cong-an-tinh").pk) == 1


def test_dates_are_whole_days_in_viet_nam(auditor, db):
    late_evening = dt.datetime(2025, 8, 10, 23, 30, tzinfo=VN)  # 16:30 UTC on the 10th
    just_after_midnight = dt.datetime(2025, 8, 11, 0, 15, tzinfo=VN)  # still the 10th in UTC
    for moment in (late_evening, just_after_midnight):
        with at(moment.astimezone(dt.UTC)):
            audit_record(action="export", object_type="case")

    def count(**query) -> int:
        return rows(auditor.get(URL, {"action": "export", **query}))

    assert count(date_from="10/08/2025", date_to="10/08/2025") == 1
    assert count(date_from="11/08/2025", date_to="11/08/2025") == 1
    assert count(date_to="10/08/2025") == 1
    assert count(date_from="10/08/2025") == 2
    assert count(date_from="12/08/2025") == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2025/08/10"}, "ngày/tháng/năm"),
        ({"date_to": "31/02/2025"}, "ngày/tháng/năm"),
        ({"date_from": "11/08/2025", "date_to": "10/08/2025"}, "bằng hoặc sau ngày bắt đầu"),
        ({"date_from": "01/01/0025"}, "từ năm 2000"),
        ({"action": "steal"}, "lựa chọn hợp lệ"),
        ({"before": "not-a-cursor"}, "Liên kết trang không hợp lệ"),
        ({"before": "1-1", "after": "1-1"}, "Liên kết trang không hợp lệ"),
    ],
)
def test_invalid_input_shows_errors_and_no_results(auditor, record, query, message):
    record(3)
    before = AuditEvent.objects.count()

    response = auditor.get(URL, query)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'data-testid="audit-results"' not in page
    assert AuditEvent.objects.count() == before  # no search ran, so none is recorded


def test_pages_of_fifty_newest_first(auditor, record):
    record(120, action="export")
    seen: list[str] = []
    url: str | None = f"{URL}?action=export"
    while url:
        response = auditor.get(url)
        page = response.content.decode()
        ids = re.findall(r"<td[^>]*>(\d+)</td>\s*<td[^>]*>—</td>\s*<td[^>]*>—</td>", page)
        seen.extend(ids)
        older = re.search(r'href="([^"]+)" rel="next"', page)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert seen == [str(n) for n in range(120, 0, -1)]

    # And back: the previous page of the second page is the first one.
    second = auditor.get(f"{URL}?action=export")
    older = re.search(r'href="([^"]+)" rel="next"', second.content.decode()).group(1)
    middle = auditor.get(older.replace("&amp;", "&")).content.decode()
    newer = re.search(r'href="([^"]+)" rel="prev"', middle).group(1).replace("&amp;", "&")
    first_again = auditor.get(newer).content.decode()
    ids = re.findall(r"<td[^>]*>(\d+)</td>\s*<td[^>]*>—</td>", first_again)
    assert ids[:3] == ["120", "119", "118"]
    assert 'rel="prev"' not in first_again


def test_a_page_costs_the_same_queries_whatever_it_shows(
    auditor, cast, django_assert_max_num_queries
):
    from antoan.core.permissions import memberships

    auditor.get(URL)  # the very first event creates the chain head: not a page's cost
    # 13: the page's own event is sealed inline (SQLite), one query more than the old append.
    with django_assert_max_num_queries(13) as few:
        auditor.get(URL)
    for user in cast.values():
        for membership in memberships(user):
            for n in range(5):
                audit_record(action="view", user=user, membership=membership, object_id=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = auditor.get(URL)
    assert rows(response) == 50
