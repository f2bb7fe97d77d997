"""The case list pages by keyset (``?after=`` / ``?before=``), newest first, with no count.

docs/performance.md, "Case list: keyset pages". Pages are shrunk to 3 cases here so that a few
cases make several pages; the clock is stopped, so cases opened together tie on their opening
date and only the id orders them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from antoan.cases import search_index
from antoan.cases.models import Case
from antoan.cases.views import lists
from antoan.core.models import AuditEvent

PAGE = 3


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", PAGE)


def numbers(html: str) -> list[str]:
    return re.findall(r'<a class="fw-semibold" href="/cases/\d+/">([^<]+)</a>', html)


def link(html: str, testid: str) -> str | None:
    found = re.search(rf'href="([^"]*)"[^>]*data-testid="{testid}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def button(html: str, testid: str) -> tuple[str, str] | None:
    found = re.search(rf'name="(after|before)" value="(\d+)" data-testid="{testid}"', html)
    return (found.group(1), found.group(2)) if found else None


def newest_first(cases) -> list[str]:
    rows = Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("-opened_at", "-pk")
    return [c.number for c in rows]


def walk(client, path: str, query: str = "") -> tuple[list[list[str]], list[str]]:
    """Every page by "Trang sau", then back by "Trang trước": (pages forward, pages back)."""
    forward, url = [], f"{path}?{query}" if query else path
    while True:
        html = client.get(url).content.decode()
        assert "Trang 1/" not in html  # no page count any more
        forward.append(numbers(html))
        following = link(html, "case-pages-older")
        if following is None:
            break
        url = path + following
        assert len(forward) < 20, "the pages do not end"
    back = [numbers(html)]
    while (previous := link(html, "case-pages-newer")) is not None:
        html = client.get(path + previous).content.decode()
        back.append(numbers(html))
        assert len(back) < 20
    return forward, back


def test_pages_walk_every_case_once_under_ties(client, cast, open_case, clock):
    # Seven cases opened at the same moment (ties on the date), three an hour later and one
    # earlier: the order is (opening date, id), newest first.
    cases = [open_case(cast["worker1"]) for _ in range(7)]
    Case.objects.filter(pk__in=[c.pk for c in cases[:3]]).update(
        opened_at=clock() + dt.timedelta(hours=1)
    )
    Case.objects.filter(pk=cases[3].pk).update(opened_at=clock() - dt.timedelta(days=2))
    search_index.refresh(case_ids=[c.pk for c in cases])
    client.force_login(cast["supervisor1"])
    forward, back = walk(client, reverse("cases:team"))
    expected = newest_first(cases)
    assert [n for page in forward for n in page] == expected
    assert [len(page) for page in forward] == [3, 3, 1]
    # Back from the last page: the same pages in reverse, the first one full.
    assert back == forward[::-1]
    html = client.get(reverse("cases:team")).content.decode()
    assert "3 hồ sơ trên trang này" in html
    assert link(html, "case-pages-newer") is None  # no page before the first


def test_a_filtered_list_keeps_its_filters_across_pages(client, cast, open_case, clock):
    high = [open_case(cast["worker1"], risk_level="high") for _ in range(4)]
    [open_case(cast["worker1"]) for _ in range(2)]
    client.force_login(cast["supervisor1"])
    forward, back = walk(client, reverse("cases:team"), "risk_level=high")
    assert [n for page in forward for n in page] == newest_first(high)
    assert back == forward[::-1]


def test_a_name_search_pages_by_post_without_gaps(client, cast, open_case, clock):
    hoa = [open_case(cast["worker1"], full_name=f"Nguyễn Thị Hoa {i}") for i in range(7)]
    open_case(cast["worker1"], full_name="Trần Thị Mai")
    client.force_login(cast["worker1"])
    path, seen, data = reverse("cases:mine"), [], {"q": "nguyen hoa"}
    for _ in range(5):
        html = client.post(path, data).content.decode()
        assert "?q=" not in html and 'type="hidden" name="q" value="nguyen hoa"' in html
        seen.append(numbers(html))
        following = button(html, "case-pages-older")
        if following is None:
            break
        data = {"q": "nguyen hoa", following[0]: following[1]}
    assert [n for page in seen for n in page] == newest_first(hoa)
    # And back: "Trang trước" from the last page is the page before it.
    key, value = button(html, "case-pages-newer")
    assert key == "before"
    html = client.post(path, {"q": "nguyen hoa", key: value}).content.decode()
    assert numbers(html) == seen[-2]


@pytest.mark.parametrize("raw", ["abc", "-5", "0", "1e3", "٣", "9" * 30, "", "1 OR 1=1"])
def test_a_bad_position_gives_the_first_page(client, cast, open_case, raw):
    cases = [open_case(cast["worker1"]) for _ in range(4)]
    client.force_login(cast["supervisor1"])
    first = numbers(client.get(reverse("cases:team")).content.decode())
    assert first == newest_first(cases)[:PAGE]
    for key in ("after", "before"):
        html = client.get(reverse("cases:team"), {key: raw}).content.decode()
        assert numbers(html) == first, (key, raw)


def test_a_missing_or_last_case_as_position_gives_the_first_page(client, cast, open_case):
    cases = [open_case(cast["worker1"]) for _ in range(4)]
    client.force_login(cast["supervisor1"])
    first = newest_first(cases)[:PAGE]
    oldest = Case.objects.get(number=newest_first(cases)[-1])
    for key, value in (("after", 10**9), ("before", 10**9), ("after", oldest.pk)):
        html = client.get(reverse("cases:team"), {key: value}).content.decode()
        assert numbers(html) == first, (key, value)


def test_another_agencys_case_as_position_leaks_nothing(client, cast, open_case, clock):
    mine = [open_case(cast["worker1"]) for _ in range(5)]
    # Cases of another agency, newer and older than ours: as positions they must not move the
    # page (their opening date is never read), nor show them.
    clock.advance(days=1)
    newer = open_case(cast["worker2"], commune="12452")
    Case.objects.filter(pk__in=[c.pk for c in mine[:2]]).update(
        opened_at=clock() - dt.timedelta(days=10)
    )
    search_index.refresh(case_ids=[c.pk for c in mine])
    older = open_case(cast["worker2"], commune="12452")
    Case.objects.filter(pk=older.pk).update(opened_at=clock() - dt.timedelta(days=20))
    client.force_login(cast["supervisor1"])
    first = numbers(client.get(reverse("cases:team")).content.decode())
    for theirs in (newer, older):
        for key in ("after", "before"):
            html = client.get(reverse("cases:team"), {key: theirs.pk}).content.decode()
            assert numbers(html) == first, (key, theirs.number)
            assert newer.number not in html and older.number not in html
    # A worker's own list, positioned at another agency's case: their first page.
    client.force_login(cast["worker1"])
    first_mine = numbers(client.get(reverse("cases:mine")).content.decode())
    html = client.get(reverse("cases:mine"), {"after": newer.pk}).content.decode()
    assert numbers(html) == first_mine


def test_queries_are_the_same_on_every_page(client, cast, open_case):
    [open_case(cast["worker1"]) for _ in range(8)]
    client.force_login(cast["supervisor1"])
    path = reverse("cases:team")
    html = client.get(path).content.decode()  # warm: commune choices, sessions
    counts, url = [], path
    while True:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        counts.append(len(captured.captured_queries))
        following = link(html, "case-pages-older")
        if following is None:
            break
        url = path + following
    assert len(counts) == 3
    assert len(set(counts)) == 1, counts
    with CaptureQueriesContext(connection) as captured:
        client.get(path + link(html, "case-pages-newer"))
    assert len(captured.captured_queries) == counts[0]


def test_each_page_is_audited_once_as_before(client, cast, open_case):
    [open_case(cast["worker1"]) for _ in range(4)]
    client.force_login(cast["supervisor1"])
    before = AuditEvent.objects.filter(object_type="case", action="list").count()
    html = client.get(reverse("cases:team")).content.decode()
    client.get(reverse("cases:team") + link(html, "case-pages-older"))
    events = list(
        AuditEvent.objects.filter(object_type="case", action="list").order_by("pk")[before:]
    )
    assert len(events) == 2
    assert all(e.extra["filters"] == [] for e in events)
