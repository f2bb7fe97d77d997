""" "Việc của tôi": the user's own jobs, newest first, a page at a time, in a constant number
of queries; finished jobs' files expire and are purged by ``apply_retention``."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from antoan.jobs import selectors, services
from antoan.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def make_jobs(owner, n: int, **fields) -> list[Job]:
    jobs = []
    for i in range(n):
        job = Job(owner=owner, kind="reports.reminders", **fields)
        if i % 3 == 0:
            job.status, job.progress_done, job.progress_total = JobStatus.RUNNING, 3, 10
            job.started_at = timezone.now()
        elif i % 3 == 1:
            job.status, job.started_at = JobStatus.DONE, timezone.now()
            job.finished_at = timezone.now()
            job.result_file.save("ket-qua.xlsx", ContentFile(b"PK"), save=False)
        else:
            job.status, job.finished_at = JobStatus.FAILED, timezone.now()
            job.summary = {"refused": "scope"}
        job.save()
        jobs.append(job)
    return jobs


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_page_lists_only_ones_own_jobs_newest_first(cast, client_for, media):
    mine = make_jobs(cast["analyst1"], 4)
    theirs = make_jobs(cast["coordinator1"], 3)
    client = client_for(cast["analyst1"])
    home = client.get("/").content.decode()
    assert 'data-testid="my-jobs-link"' in home

    response = client.get(reverse("jobs:mine"))
    page = response.content.decode()
    assert response.status_code == 200
    shown = [row["job"].pk for row in response.context["rows"]]
    assert shown == [j.pk for j in reversed(mine)]
    for job in theirs:
        assert f'data-job="{job.pk}"' not in page
    assert reverse("jobs:result_file", args=[mine[1].pk]) in page
    assert "bạn không còn quyền với dữ liệu này" in page  # the refused job says why
    assert 'value="30"' in page  # the running job's bar
    # Asia/Ho_Chi_Minh, dd/mm/yyyy HH:MM.
    assert timezone.localtime(mine[1].finished_at).strftime("%d/%m/%Y %H:%M") in page


def test_a_worker_without_jobs_to_start_has_no_link_but_an_empty_page(cast, client_for):
    client = client_for(cast["worker1"])
    assert 'data-testid="my-jobs-link"' not in client.get("/").content.decode()
    assert "Bạn chưa có công việc nào." in client.get(reverse("jobs:mine")).content.decode()


def test_the_queries_do_not_grow_with_the_jobs(cast, client_for, media):
    client = client_for(cast["analyst1"])
    make_jobs(cast["analyst1"], 2)
    client.get(reverse("jobs:mine"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("jobs:mine"))
    make_jobs(cast["analyst1"], 40)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("jobs:mine"))
    assert len(response.context["rows"]) == selectors.PAGE_SIZE
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_older_pages_by_keyset(cast, client_for, media, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    monkeypatch.setattr(selectors.jobs_of_owner, "__kwdefaults__", {"before": None, "size": 2})
    jobs = make_jobs(cast["analyst1"], 5)
    client = client_for(cast["analyst1"])
    seen = []
    url = reverse("jobs:mine")
    while url:
        response = client.get(url)
        seen += [row["job"].pk for row in response.context["rows"]]
        before = response.context["next_before"]
        url = f"{reverse('jobs:mine')}?before={before}" if before else None
    assert seen == [j.pk for j in reversed(jobs)]
    # Nonsense in the query string is the first page, not an error.
    assert client.get(f"{reverse('jobs:mine')}?before=abc").status_code == 200


def test_results_expire_then_are_purged_by_apply_retention(cast, client_for, media, settings):
    job = make_jobs(cast["analyst1"], 2)[1]
    client = client_for(cast["analyst1"])
    assert client.get(reverse("jobs:result_file", args=[job.pk])).status_code == 200
    path = job.result_file.path

    old = timezone.now() - dt.timedelta(days=settings.ANTOAN_JOB_RESULT_DAYS, minutes=1)
    Job.objects.filter(pk=job.pk).update(finished_at=old, summary={"result_filename": "x.xlsx"})
    # Past its retention the file is not given out, even before the purge has run.
    assert client.get(reverse("jobs:result_file", args=[job.pk])).status_code == 404
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert 'data-testid="job-result-expired"' in page

    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Deleted 1 expired job file(s)." in out.getvalue()
    job.refresh_from_db()
    assert not job.result_file
    assert not os.path.exists(path)
    assert services.results_purge() == 0  # idempotent
