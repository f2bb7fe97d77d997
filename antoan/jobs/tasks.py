"""The one django-tasks task: run a job of any kind. Idempotent: a job already finished is
not run again, so a task delivered twice (a retry after a crash) changes nothing."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import InterfaceError, OperationalError, close_old_connections, transaction
from django.utils import timezone
from django_tasks import task

from antoan.jobs.kinds import JobContext, get_kind
from antoan.jobs.models import Job, JobStatus
from antoan.jobs.services import enqueue_again

logger = logging.getLogger("antoan.jobs")

# A job the database interrupted runs again after RETRY_DELAY, at most MAX_ATTEMPTS in all.
MAX_ATTEMPTS = 3
RETRY_DELAY = dt.timedelta(seconds=30)


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
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-job (restart, failover, network): what the kind wrote
        # was rolled back or is found again by its idempotency keys, so the job goes back to
        # the queue, a little later, up to MAX_ATTEMPTS times.
        close_old_connections()
        if job.attempts < MAX_ATTEMPTS:
            logger.warning(
                "Job %s (%s) interrupted by the database (%s); queued again",
                job.pk,
                job.kind,
                exc.__class__.__name__,
            )
            enqueue_again(job, delay=RETRY_DELAY)
            return "retry"
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _mark_failed(job, exc)
        raise
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _mark_failed(job, exc)
        raise
    logger.info("Job %s (%s) %s", job.pk, job.kind, job.status)
    return str(job.status)


def _mark_failed(job: Job, exc: Exception) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        summary={"error": exc.__class__.__name__},
    )
