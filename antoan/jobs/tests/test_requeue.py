"""A worker killed in the middle of a job: ``requeue_jobs`` queues it again, and the next
worker finishes it without doing anything twice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from antoan.jobs.models import Job, JobStatus
from antoan.jobs.tests.test_import_job import post, rows
from antoan.jobs.worker import run_pending
from antoan.programme.models import Activity
from antoan.programme.tests.test_excel_import import fill, template

pytestmark = pytest.mark.django_db


def killed_job(reporter, plan, *, started_minutes_ago: int) -> Job:
    post(reporter, plan, fill(template(reporter, "communication", plan), rows(12)))
    assert run_pending() == 1
    job = Job.objects.get()
    assert Activity.objects.count() == 12
    # As a worker killed after committing the rows but before the task's own bookkeeping:
    # the job still says running.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=started_minutes_ago),
        finished_at=None,
    )
    return job


def requeue(*args: str) -> str:
    out = io.StringIO()
    call_command("requeue_jobs", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def reporter(cast, plan64, client_for):
    return client_for(cast["reporter1"])


def test_a_stale_running_job_is_queued_again_and_finished_once(reporter, plan64):
    job = killed_job(reporter, plan64, started_minutes_ago=90)

    assert "Queued again: 1 job(s)." in requeue()
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert run_pending() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Activity.objects.count() == 12  # not 24
    assert job.summary["skipped"] == 12


def test_a_job_still_within_its_time_is_left_to_its_worker(reporter, plan64):
    job = killed_job(reporter, plan64, started_minutes_ago=5)

    assert "Queued again: 0 job(s)." in requeue()
    assert run_pending() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    # With no worker running at all (make run, before starting its worker): every one.
    assert "Queued again: 1 job(s)." in requeue("--orphans")
    assert run_pending() == 1
    assert Activity.objects.count() == 12


def test_a_nonsense_age_is_refused():
    with pytest.raises(CommandError, match="--stale-minutes"):
        requeue("--stale-minutes", "0")
