"""The case search's denormalised index: ``CaseSearchToken`` rows, rebuilt from the survivors'
``SearchToken`` rows and the cases' agency, status, commune and opening date.

Every write that changes one of those calls :func:`refresh` in its transaction (intake, a
survivor's names, ``write_case`` changing status, agency or opening date; anonymisation deletes
the rows); bulk writers (``generate_data``, the bench) call :func:`fill_missing` once after
their inserts; ``rebuild_search_index`` rebuilds every survivor's rows through
``index_survivor``. The rows hold digests only, never a name. See docs/performance.md,
"Case search".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from antoan.cases.models import CaseSearchToken

# The fields of a case whose change must reach its search rows (``commune`` is the survivor's).
CASE_FIELDS = frozenset({"agency", "agency_id", "status", "opened_at", "survivor", "survivor_id"})

_INSERT = (
    "INSERT INTO {tokens} (case_id, digest, agency_id, status, commune_id, opened_at)"
    " SELECT c.id, t.digest, c.agency_id, c.status, s.commune_id, c.opened_at"
    " FROM {cases} c JOIN {survivors} s ON s.id = c.survivor_id"
    " JOIN {words} t ON t.survivor_id = c.survivor_id"
)
_CHUNK = 500


def _sql() -> str:
    from antoan.cases.models import Case, SearchToken, Survivor

    return _INSERT.format(
        tokens=CaseSearchToken._meta.db_table,
        cases=Case._meta.db_table,
        survivors=Survivor._meta.db_table,
        words=SearchToken._meta.db_table,
    )


def refresh(*, case_ids: Iterable[int] = (), survivor_id: int | None = None) -> None:
    """Rebuild the search rows of these cases (and of every case of ``survivor_id``)."""
    ids = sorted(set(case_ids))
    with connection.cursor() as cursor:
        if survivor_id is not None:
            CaseSearchToken.objects.filter(case__survivor_id=survivor_id).delete()
            cursor.execute(_sql() + " WHERE c.survivor_id = %s", [survivor_id])
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            CaseSearchToken.objects.filter(case_id__in=chunk).delete()
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(_sql() + f" WHERE c.id IN ({marks})", chunk)


def fill_missing() -> int:
    """Search rows for every case that has none yet (bulk writers call this once after their
    inserts: ``generate_data``, the bench); returns the number of rows written."""
    with connection.cursor() as cursor:
        cursor.execute(
            _sql() + f" WHERE NOT EXISTS (SELECT 1 FROM {CaseSearchToken._meta.db_table} x"  # noqa: S608
            " WHERE x.case_id = c.id)"
        )
        return cursor.rowcount
