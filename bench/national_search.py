"""What the national run (``BENCH_SCALE=national``) searches for, and the audit rows it adds.

The province run builds its own cases and searches "nguyen thi hoa" in Phường Phố Hiến. The
national database is ``generate_data``'s: the search is picked from it, as a supervisor of
the busiest agency would type it: the agency with the most open cases, one of its case
supervisors (``syn-<agency>-s1``), the commune with most of those cases, and the full name
shared by the most of that commune's open cases (decrypted through the models, as the case
list shows it). The choice depends on the data only, so a rerun on the same database searches
the same thing.
"""

from __future__ import annotations

from collections import Counter

from django.db import connection


def pick_search():
    """(user, CaseFilters, how many open cases the agency has)."""
    from antoan.accounts.models import Membership
    from antoan.cases.models import Case
    from antoan.cases.selectors import CaseFilters
    from antoan.core.crypto import search_key

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT agency_id, COUNT(*) FROM cases_case WHERE status = 'open'"
            " GROUP BY agency_id ORDER BY 2 DESC, 1 LIMIT 1"
        )
        agency_id, open_cases = cursor.fetchone()
        cursor.execute(
            "SELECT p.code, COUNT(*) FROM cases_case c"
            " JOIN cases_survivor s ON s.id = c.survivor_id"
            " JOIN places_place p ON p.id = s.commune_id"
            " WHERE c.agency_id = %s AND c.status = 'open'"
            " GROUP BY p.code ORDER BY 2 DESC, 1 LIMIT 1",
            [agency_id],
        )
        commune, _ = cursor.fetchone()
    membership = (
        Membership.objects.filter(agency_id=agency_id, role="case_supervisor")
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    assert membership is not None, "the busiest agency has no case supervisor"
    names = Counter(
        search_key(str(name))
        for name in Case.objects.filter(
            agency_id=agency_id, status="open", survivor__commune__code=commune
        ).values_list("survivor__full_name", flat=True)
    )
    # The most common name; ties by the name itself (stable across runs).
    q = min(names.items(), key=lambda item: (-item[1], item[0]))[0]
    user = membership.user
    # The bench's searches are this user's only: one membership, as case_page expects.
    assert user.memberships.count() == 1, "the supervisor has several memberships"
    return user, CaseFilters(q=q, status="open", commune=commune), open_cases


def analyze_search_tables() -> None:
    """Planner statistics and visibility maps of the tables the search reads (a bulk-loaded
    database has neither until autovacuum gets to it; the province run analyses its own)."""
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_survivor", "cases_searchtoken", "places_place"):
            cursor.execute(f"VACUUM ANALYZE {table}")
