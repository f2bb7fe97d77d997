"""The Excel import as a job: queued by the upload, run by the django-tasks database worker
(in this process), seen on the owner's job page only."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from antoan.core.models import AuditEvent
from antoan.jobs import services
from antoan.jobs.models import Job, JobStatus
from antoan.jobs.tasks import run_job
from antoan.jobs.worker import run_pending
from antoan.programme.models import Activity
from antoan.programme.tests.test_excel_import import COMMUNICATION_ROW, fill, template

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(cast, plan64, client_for):
    return client_for(cast["reporter1"])


def rows(n: int, bad: set[int] = frozenset()) -> list[dict]:
    out = []
    for i in range(n):
        row = {**COMMUNICATION_ROW, "Tên hoạt động": f"Phát thanh số {i + 1}"}
        if i in bad:
            row["Nữ"] = 99  # more women than people
            row["Từ ngày"] = "31/02/2025"  # and no such day
        out.append(row)
    return out


def post(client, plan, data: bytes):
    with translation.override("vi"):
        return client.post(
            reverse("programme_toolkit:import"),
            {"plan": plan.pk, "file": SimpleUploadedFile("hoat-dong.xlsx", data)},
        )


def test_a_multi_thousand_row_workbook_is_imported_by_the_worker(reporter, cast, plan64):
    data = fill(template(reporter, "communication", plan64), rows(2_500))

    response = post(reporter, plan64, data)

    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    assert job.owner == cast["reporter1"] and job.status == JobStatus.QUEUED
    assert Activity.objects.count() == 0  # nothing happens in the request
    page = reporter.get(response["Location"]).content.decode()
    assert "Đang chờ xử lý" in page and 'hx-trigger="every' in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript, too

    assert run_pending() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 1
    assert (job.progress_done, job.progress_total) == (5_000, 5_000)
    assert Activity.objects.count() == 2_500
    page = reporter.get(response["Location"]).content.decode()
    assert "Đã nhập 2500 hoạt động" in page
    assert "Đang hiện 1000 trên 2500 dòng" in page
    assert 'http-equiv="refresh"' not in page and "hx-trigger" not in page


def test_bad_rows_give_the_row_by_row_report_and_import_nothing(reporter, plan64):
    data = fill(template(reporter, "communication", plan64), rows(30, bad={4, 19}))

    response = post(reporter, plan64, data)
    run_pending()

    job = Job.objects.get()
    assert job.status == JobStatus.DONE and not job.summary["ok"]
    assert Activity.objects.count() == 0
    by_row: dict[int, list[str]] = {}
    for p in job.error_rows:
        by_row.setdefault(p["row"], []).append(p["column"])
    assert set(by_row) == {6, 21}  # Excel's rows: the header is row 1
    assert "Từ ngày" in by_row[6] and len(by_row[6]) >= 2  # every problem of the row
    page = reporter.get(response["Location"])
    assert "Chưa nhập hoạt động nào" in page.content.decode()
    assert {p.row for p in page.context["result"].problems} == {6, 21}

    report = reporter.get(reverse("jobs:result_file", args=[job.pk]))
    assert report.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    lines = list(wb.active.iter_rows(values_only=True))
    assert lines[0] == ("Trang tính", "Dòng", "Cột", "Vấn đề")
    assert {line[1] for line in lines[1:]} == {6, 21}
    assert len(lines) - 1 == job.error_count


def test_running_the_same_job_again_imports_nothing_twice(reporter, plan64):
    data = fill(template(reporter, "communication", plan64), rows(40))
    post(reporter, plan64, data)
    job = Job.objects.get()

    # A worker that died before committing: the job is left running, nothing saved.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    services.enqueue_again(job)
    assert run_pending() == 2  # the first task and the retry
    job.refresh_from_db()
    assert Activity.objects.count() == 40
    assert job.status == JobStatus.DONE and job.attempts == 1  # the retry found it done

    # Delivered again after it finished: nothing happens.
    assert run_job.call(job.pk) == JobStatus.DONE
    # Even forced to run again, the rows' import keys find what the first run saved.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    run_job.call(job.pk)
    job.refresh_from_db()
    assert Activity.objects.count() == 40
    assert job.summary["created"] == 0 and job.summary["skipped"] == 40


def test_another_user_cannot_see_the_job(reporter, cast, client_for, plan64):
    post(reporter, plan64, fill(template(reporter, "communication", plan64), rows(2)))
    run_pending()
    job = Job.objects.get()

    other = client_for(cast["reporter2"] if "reporter2" in cast else cast["supervisor1"])
    for name in ("jobs:job", "jobs:progress", "jobs:result_file"):
        before = AuditEvent.objects.filter(action="permission_denied").count()
        # The answer of a job that does not exist: nothing tells the job is there.
        assert other.get(reverse(name, args=[job.pk])).status_code == 404, name
        assert AuditEvent.objects.filter(action="permission_denied").count() == before + 1
    denied = AuditEvent.objects.filter(action="permission_denied").last()
    assert (denied.object_type, denied.object_id) == ("job", str(job.pk))
