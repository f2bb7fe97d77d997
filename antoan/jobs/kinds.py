"""The kinds of job: a code, a label the user reads, and the function that does the work.

Adding a kind is a few lines (docs/jobs.md)::

    @register("reports.reminders", _("Nhắc hạn báo cáo"))
    def send_reminders(ctx: JobContext) -> dict:
        ...
        return {"sent": n}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from antoan.jobs.models import Job, JobStatus


@dataclass
class Kind:
    code: str
    label: Any
    handler: Callable[[JobContext], dict | None]
    # Template of the finished job's result, included in the job page; gets ``job``, ``ctx``.
    result_template: str = "jobs/_result_default.html"
    # Extra context for the result template, built from the finished job.
    result_context: Callable[[Job], dict] | None = None


KINDS: dict[str, Kind] = {}


def register(
    code: str,
    label: Any,
    *,
    result_template: str = "jobs/_result_default.html",
    result_context: Callable[[Job], dict] | None = None,
) -> Callable[[Callable[[JobContext], dict | None]], Callable[[JobContext], dict | None]]:
    def wrap(handler: Callable[[JobContext], dict | None]):
        KINDS[code] = Kind(code, label, handler, result_template, result_context)
        return handler

    return wrap


def get_kind(code: str) -> Kind:
    if code not in KINDS:
        # Kinds register when their module is imported: the apps' ``jobs`` modules.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
    return KINDS[code]


class JobContext:
    """What a kind's function gets: the job, a progress reporter and ``finish``.

    Call ``finish`` inside the transaction that saves the work, so that the work and the job's
    "done" are committed together: a re-run after a crash finds the job done and does nothing,
    or finds nothing saved and does it all again.
    """

    def __init__(self, job: Job):
        self.job = job
        self.finished = False
        self._last = -1

    @property
    def params(self) -> dict:
        return self.job.params

    def input_bytes(self) -> bytes:
        with self.job.input_file.open("rb") as f:
            return f.read()

    def progress(self, done: int, total: int) -> None:
        """Record progress; written at most once per percent, so cheap to call per row."""
        step = done * 100 // total if total else 0
        if step == self._last and done != total:
            return
        self._last = step
        self.job.progress_done, self.job.progress_total = done, total
        Job.objects.filter(pk=self.job.pk).update(progress_done=done, progress_total=total)

    def finish(
        self,
        summary: dict | None = None,
        *,
        error_rows: list[dict] | None = None,
        error_count: int | None = None,
        result_file: tuple[str, bytes] | None = None,
    ) -> None:
        job = self.job
        with transaction.atomic():
            job.status = JobStatus.DONE
            job.summary = summary or {}
            job.error_rows = error_rows or []
            job.error_count = len(job.error_rows) if error_count is None else error_count
            if job.progress_total and not error_rows:
                job.progress_done = job.progress_total
            job.finished_at = timezone.now()
            if result_file is not None:
                name, data = result_file
                job.result_file.save(name, ContentFile(data), save=False)
            job.save()
        self.finished = True
