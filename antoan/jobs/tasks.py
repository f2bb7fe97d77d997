"""The one django-tasks task: run a job of any kind. Idempotent: a job already finished is
not run again, so a task delivered twice (a retry after a crash) changes nothing."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from antoan.jobs.kinds import JobContext, get_kind
from antoan.jobs.models import Job, JobStatus

logger = logging.getLogger("antoan.jobs")


@task()
def run_job(job_id: int) -> str:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "missing"
        if job.finished:
            logger.info("Job %s (%s) already %s; not run again", job.pk, job.kind, job.status)
            return str(job.status)
        job.attempts += 1
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["attempts", "status", "started_at"])
    ctx = JobContext(job)
    try:
        summary = get_kind(job.kind).handler(ctx)
        if not ctx.finished:
            ctx.finish(summary)
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            summary={"error": exc.__class__.__name__},
        )
        raise
    logger.info("Job %s (%s) %s", job.pk, job.kind, job.status)
    return str(job.status)
