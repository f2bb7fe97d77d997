"""The case list's pages, sent as SQL kept per shape (antoan/core/prepared.py), list exactly
what the search queryset lists, for every user, filter and position; each shape is built once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from antoan.accounts.models import Membership, User
from antoan.accounts.roles import Role
from antoan.cases import selectors
from antoan.cases.selectors import CaseFilters, case_page, case_search
from antoan.cases.tests.test_selectors_search import world  # noqa: F401 - fixture
from antoan.core import prepared

FILTERS = [
    CaseFilters(),
    CaseFilters(q="hoa"),
    CaseFilters(q="nguyen thi hoa"),
    CaseFilters(q="thi"),
    CaseFilters(q="thi", status="open"),
    CaseFilters(q="thi", commune="12452"),
    CaseFilters(q="thi hoa", status="open", commune="12064", risk_level="low"),
    CaseFilters(status="open", commune="12064"),
    CaseFilters(stage="intake", risk_level="high"),
    CaseFilters(mine=True),
    CaseFilters(q="thi", mine=True),
    CaseFilters(q="nobody"),
    CaseFilters(q="0912 345 678"),  # a phone: built each time, not kept
    CaseFilters(status="no-such-status"),
    CaseFilters(q="!!!"),
]


@pytest.fixture
def readers(cast, agencies, world):  # noqa: F811 - the fixture above
    """Users of every kind of reach: none, assigned cases only, a whole agency, and both at
    once in two agencies."""
    both = User.objects.create(username="both1", first_name="Đa", last_name="Nhiệm")
    for agency, role in ((agencies["a"], Role.CASE_WORKER), (agencies["b"], Role.CASE_SUPERVISOR)):
        Membership.objects.create(
            user=both, agency=agency, role=role, valid_from=dt.date(2025, 7, 1)
        )
    for key in ("hoa_o", "lan"):
        case = world[key]
        case.assigned_to = both
        case.save(update_fields=["assigned_to"])
    return [cast["police1"], cast["worker1"], cast["supervisor1"], cast["worker2"], both]


def walk(user, filters, limit):
    """Every page of the list, first to last, then back again to the first."""
    pages = [case_page(user, filters, limit=limit)]
    while pages[-1].older:
        pages.append(case_page(user, filters, limit=limit, after=pages[-1].older))
    back = [pages[-1]]
    while back[-1].newer:
        back.append(case_page(user, filters, limit=limit, before=back[-1].newer))
    return pages, back


@override_settings(PREPARED_QUERIES_CHECK=False)
@pytest.mark.parametrize("limit", [1, 2, 25])
def test_every_page_lists_what_the_search_lists(readers, limit):
    checked = 0
    for user in readers:
        for filters in FILTERS:
            expected = [case.pk for case in case_search(user, filters)]
            pages, back = walk(user, filters, limit)
            forward = [case.pk for page in pages for case in page.cases]
            assert forward == expected, (user.username, filters)
            assert [case.pk for page in reversed(back) for case in page.cases] == expected
            checked += len(expected)
    assert checked > 50  # the matrix finds cases, not only empty lists


@override_settings(PREPARED_QUERIES_CHECK=False)
def test_a_row_shows_what_the_list_shows(readers, world):  # noqa: F811
    supervisor = readers[2]
    rows = {c.pk: c for c in case_page(supervisor, CaseFilters(q="thi"), limit=25).cases}
    assert len(rows) >= 5
    for case in case_search(supervisor, CaseFilters(q="thi")):
        row = rows[case.pk]
        assert row.number == case.number
        assert (row.status, row.stage, row.risk_level) == (case.status, case.stage, case.risk_level)
        assert row.opened_at == case.opened_at
        assert row.survivor.full_name == case.survivor.full_name  # decrypted
        assert row.commune_name == case.survivor.commune.name
        assert (row.worker_first_name, row.worker_last_name) == (
            case.assigned_to.first_name,
            case.assigned_to.last_name,
        )


@override_settings(PREPARED_QUERIES_CHECK=False)
def test_a_shape_is_built_once_and_its_sql_sent_again(readers, monkeypatch):
    supervisor = readers[2]
    built = []
    original = selectors._search_queryset

    def counting(*args, **kwargs):
        built.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, "_search_queryset", counting)
    prepared.forget()
    first = case_page(supervisor, CaseFilters(q="nguyen thi hoa", status="open"), limit=25)
    with CaptureQueriesContext(connection) as queries:
        again = case_page(supervisor, CaseFilters(q="tran thi lan", status="open"), limit=25)
    assert len(built) == 1  # another name of three words with a status: the same shape
    assert [c.survivor.full_name for c in again.cases] == ["Trần Thị Lan"]
    assert len(first.cases) == 2
    page_sql = [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"]]
    assert len(page_sql) == 1  # the commune's ids are in the same query: one round trip
    case_page(supervisor, CaseFilters(q="lan", status="open"), limit=25)
    assert len(built) == 2  # one word is another shape


def test_the_check_refuses_a_kept_query_that_differs(readers, monkeypatch):
    """In the test profile every kept query is built again: a shape that leaves out what
    changes the SQL fails at once instead of listing the wrong cases."""
    supervisor = readers[2]
    first = case_page(supervisor, CaseFilters(q="thi"), limit=1)
    real_run = prepared.run

    def forgetful(shape, build, values):
        # The direction dropped from the shape: "newer than" would reuse "older than"'s SQL.
        name, mine, _newer, size = shape
        return real_run((name, mine, None, size), build, values)

    monkeypatch.setattr(prepared, "run", forgetful)
    prepared.forget()
    case_page(supervisor, CaseFilters(q="thi"), limit=1, after=first.older)
    with pytest.raises(prepared.PreparedQueryError, match="differs"):
        case_page(supervisor, CaseFilters(q="thi"), limit=1, before=first.older)
