"""Reading jobs: a job is its owner's alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404

from antoan.jobs.models import Job

# Jobs on one page of "Việc của tôi".
PAGE_SIZE = 25


def job_for_owner(user: Any, pk: int) -> Job:
    """The user's own job, or 404: another user's job answers as one that does not exist (the
    refusal is audited by ``RefusalAuditMiddleware``, like every object lookup's 404)."""
    return get_object_or_404(Job, pk=pk, owner=user)


@dataclass(frozen=True)
class JobPage:
    jobs: Sequence[Job]
    # The id to ask for the next (older) page with ``?before=``; None on the last page.
    next_before: int | None


def jobs_of_owner(user: Any, *, before: int | None = None, size: int = PAGE_SIZE) -> JobPage:
    """The user's own jobs, newest first, a page at a time by id (keyset: no OFFSET, no
    COUNT): one query whatever the page or the number of jobs. The big JSON columns (summary,
    problems) are not read, only the reason of a refused job (``refused``); the page shows
    kind, status, progress, times and the links."""
    qs = (
        Job.objects.filter(owner=user)
        .defer("params", "summary", "error_rows")
        .annotate(refused=KT("summary__refused"))
        .order_by("-pk")
    )
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return JobPage(rows, rows[-1].pk if more else None)
