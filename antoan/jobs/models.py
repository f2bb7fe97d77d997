"""A long piece of work the user sees: its progress, then its result or its problems.

The work itself runs as a django-tasks task (database backend, ``manage.py db_worker``); the
``Job`` row is what the owner's page reads. See docs/jobs.md.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không thành công")


class Job(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs", null=True
    )
    kind = models.CharField(_("loại công việc"), max_length=64)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    params = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to="jobs/in/%Y/%m/", blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    # Row-by-row problems: [{"sheet", "row", "column", "message"}], at most the importer's cap.
    error_rows = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    result_file = models.FileField(upload_to="jobs/out/%Y/%m/", blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            # "Việc của tôi": the owner's jobs, newest first, a page at a time by id (keyset).
            models.Index(fields=["owner", "-id"], name="jobs_job_owner_id_desc"),
        ]
        verbose_name = _("công việc chạy nền")
        verbose_name_plural = _("công việc chạy nền")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def result_expires_at(self) -> dt.datetime | None:
        """When the job's files go (``ANTOAN_JOB_RESULT_DAYS`` after it finished)."""
        if self.finished_at is None:
            return None
        return self.finished_at + dt.timedelta(days=settings.ANTOAN_JOB_RESULT_DAYS)

    @property
    def result_expired(self) -> bool:
        expires = self.result_expires_at
        return expires is not None and timezone.now() >= expires

    @property
    def result_available(self) -> bool:
        """A result file the owner may download now: stored and not past its retention."""
        return bool(self.result_file) and not self.result_expired
