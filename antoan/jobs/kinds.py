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

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    # What the progress counts, "%(done)s / %(total)s dòng" by default (rows).
    progress_text: Any = None


KINDS: dict[str, Kind] = {}

# Why a job was refused at run time (``JobContext.refuse``), shown to its owner; stored as the
# code so that the page shows it in the reader's language.
REFUSALS: dict[str, Any] = {
    "scope": _(
        "Công việc không được thực hiện: bạn không còn quyền với dữ liệu này (vai trò hoặc phạm "
        "vi đã thay đổi từ khi gửi)."
    ),
    "pdf": _(
        "Không tạo được tệp PDF: máy chủ chưa cài LibreOffice hoặc chuyển đổi bị lỗi. Hãy tạo "
        "bản Word (.docx) hoặc báo quản trị hệ thống."
    ),
}


def refusal_text(code: str | None) -> Any:
    return REFUSALS.get(code or "", code or "")


def register(
    code: str,
    label: Any,
    *,
    result_template: str = "jobs/_result_default.html",
    result_context: Callable[[Job], dict] | None = None,
    progress_text: Any = None,
) -> Callable[[Callable[[JobContext], dict | None]], Callable[[JobContext], dict | None]]:
    def wrap(handler: Callable[[JobContext], dict | None]):
        KINDS[code] = Kind(code, label, handler, result_template, result_context, progress_text)
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
        result_file: tuple[str, bytes | Any] | None = None,
    ) -> None:
        """Mark the job done with its summary, problems and result file (bytes, or a binary
        file open for reading, copied to storage in chunks: a big export is never in memory).
        Call it inside the transaction that saves the work (see the class)."""
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
                # One name per job: a run interrupted after storing its file (before this
                # transaction committed) left it there; the re-run replaces it, never a second.
                name = f"{job.pk}-{name}"
                storage = job.result_file.storage
                target = job.result_file.field.generate_filename(job, name)
                if storage.exists(target):
                    storage.delete(target)
                content = ContentFile(data) if isinstance(data, bytes) else File(data, name=name)
                job.result_file.save(name, content, save=False)
            job.save()
        self.finished = True

    def unfinished_locked(self) -> bool:
        """Inside the transaction that saves the work, before saving it: lock the job's row
        and say whether it is still unfinished. False when another run of the same job (a
        retry that overtook a slow worker) already finished it: then save nothing, so a job
        never has two results or two audit events."""
        status = (
            Job.objects.select_for_update()
            .filter(pk=self.job.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status in (JobStatus.DONE, JobStatus.FAILED):
            self.job.status = status
            self.finished = True
            return False
        return True

    def refuse(self, reason: str, **summary: Any) -> None:
        """End the job without doing its work, for a reason its owner reads on the job's page
        (``REFUSALS``: e.g. ``"scope"``, the owner lost access to what the job reads since it
        was queued). The job is ``failed`` with ``summary["refused"]`` = ``reason``; nothing is
        written but the job."""
        job = self.job
        job.status = JobStatus.FAILED
        job.summary = {**summary, "refused": reason}
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "summary", "finished_at"])
        self.finished = True
