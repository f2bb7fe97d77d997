"""The consolidated annual report of last year's cycle, as the lead department downloads it.

``consolidated_docx`` (Decree 30 layout: every received report totalled, the province's
indicators against targets over the cycle's period, one table per plan section, the narratives
under each agency, the agencies that did not report) and ``consolidated_xlsx`` (the annex), for
last year's cycle with the most submissions, as ``manager1`` (or the first user who may read
it). No floor: the target is under 10 s. The PDF is the DOCX converted by LibreOffice and is
not timed here. Reads only (inside a transaction rolled back all the same).
"""

from __future__ import annotations

from common import row
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from generated import register


def _subject():
    from antoan.accounts.models import User
    from antoan.reports.models import Cycle

    year = timezone.localdate().year - 1
    cycle = (
        Cycle.objects.filter(year=year)
        .annotate(received=Count("submissions"))
        .select_related("plan")
        .order_by("-received", "pk")
        .first()
    )
    user = User.objects.filter(username="manager1").first()
    return cycle, user


@register
def consolidated_report(scale: str, median_per_op) -> list[dict]:
    from antoan.reports.documents.annex import consolidated_xlsx
    from antoan.reports.documents.consolidated import consolidated_docx

    cycle, user = _subject()
    if cycle is None:
        print("  consolidated report: skipped (no cycle for last year)", flush=True)
        return []
    rows = []
    for fmt, make in (("docx", consolidated_docx), ("xlsx", consolidated_xlsx)):
        with transaction.atomic():

            def once(n, make=make):
                for _ in range(n):
                    assert make(cycle, user=user)

            with CaptureQueriesContext(connection) as queries:
                once(1)
            seconds = median_per_op(once, 1)
            transaction.set_rollback(True)
        rows.append(
            row(
                f"consolidated annual report {cycle.year} ({fmt})",
                scale,
                seconds,
                queries=len(queries),
            )
        )
    return rows
