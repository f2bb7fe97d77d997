"""Starting jobs: ``enqueue`` (the worker runs it) or ``run_now`` (in this process)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from antoan.jobs.kinds import get_kind
from antoan.jobs.models import Job, JobStatus


def create(
    *,
    owner: Any,
    kind: str,
    params: dict | None = None,
    input_file: tuple[str, bytes] | None = None,
) -> Job:
    get_kind(kind)  # an unknown kind fails here, not in the worker
    job = Job(owner=owner, kind=kind, params=params or {})
    if input_file is not None:
        name, data = input_file
        job.input_file.save(name, ContentFile(data), save=False)
    job.save()
    return job


def enqueue(
    *,
    owner: Any,
    kind: str,
    params: dict | None = None,
    input_file: tuple[str, bytes] | None = None,
) -> Job:
    """Store the job and its task in one transaction: both exist, or neither."""
    from antoan.jobs.tasks import run_job

    with transaction.atomic():
        job = create(owner=owner, kind=kind, params=params, input_file=input_file)
        result = run_job.enqueue(job.pk)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job


def enqueue_once(*, owner: Any, kind: str, params: dict) -> Job:
    """The same job already waiting or running for this owner (a second click), or a new one."""
    waiting = (
        Job.objects.filter(
            owner=owner,
            kind=kind,
            params=params,
            status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        )
        .order_by("-pk")
        .first()
    )
    return waiting or enqueue(owner=owner, kind=kind, params=params)


def record_result_download(*, request: Any, job: Job) -> None:
    """Every download of a job's file is a read the audit log keeps: the job made it once
    (its own export event), and each time its owner takes it again is recorded here."""
    from antoan.core.audit import audit_record
    from antoan.core.models import AuditAction

    audit_record(
        action=AuditAction.VIEW,
        request=request,
        object_type="job",
        object_id=job.pk,
        extra={"kind": job.kind, "result": job.summary.get("result_filename", "")},
    )


def enqueue_again(job: Job, *, delay: dt.timedelta | None = None) -> Job:
    """A job whose worker died (still queued or running): a new task for it, after ``delay``.
    The job's kind is idempotent, so whatever the dead worker committed is not done twice."""
    from antoan.jobs.tasks import run_job

    if job.finished:
        return job
    task = run_job.using(run_after=timezone.now() + delay) if delay else run_job
    with transaction.atomic():
        result = task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id), status=JobStatus.QUEUED)
    job.refresh_from_db()
    return job


def run_now(*, owner: Any, kind: str, params: dict | None = None) -> Job:
    """The same job, run in this process (management commands' ``--now``)."""
    from antoan.jobs.tasks import run_job

    job = create(owner=owner, kind=kind, params=params)
    run_job.call(job.pk)
    job.refresh_from_db()
    return job


def results_purge(*, now: Any = None) -> int:
    """Delete the files of jobs finished more than ``ANTOAN_JOB_RESULT_DAYS`` ago (the result:
    an export, a report, a problem list; and the upload an import read), through the storage
    API; the job rows stay (the "Việc của tôi" history says the result has expired). Run by
    ``apply_retention``. Returns how many files went."""
    import datetime as dt

    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    moment = now or timezone.now()
    cutoff = moment - dt.timedelta(days=settings.ANTOAN_JOB_RESULT_DAYS)
    deleted = 0
    due = (
        Job.objects.filter(finished_at__lt=cutoff)
        .exclude(Q(result_file="") & Q(input_file=""))
        .only("pk", "result_file", "input_file")
    )
    for job in due.iterator():
        for field in (job.result_file, job.input_file):
            if field:
                field.delete(save=False)  # the storage's file; the name is cleared below
                deleted += 1
        Job.objects.filter(pk=job.pk).update(result_file="", input_file="")
    return deleted
