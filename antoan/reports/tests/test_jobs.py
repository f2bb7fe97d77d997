"""The big export and the consolidated report as jobs (docs/jobs.md): started on their page,
made by the django-tasks database worker (in this process), downloaded by their owner only,
checked again when they run, done once however often the task is delivered."""

from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from antoan.accounts.models import Membership
from antoan.accounts.roles import Role
from antoan.core.models import AuditEvent
from antoan.core.permissions import forget_memberships
from antoan.indicators.selectors.values import user_province
from antoan.jobs.models import Job, JobStatus
from antoan.jobs.tasks import run_job
from antoan.jobs.worker import run_pending
from antoan.reports.exports import gbvims
from antoan.reports.exports.tests.test_exports import YEAR, body, cells, known_case
from antoan.reports.tests.test_document_options import texts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese", "media")]


def exports_of(object_type: str = "statistics_export"):
    return AuditEvent.objects.filter(action="export", object_type=object_type)


def start_gbvims(client) -> Job:
    response = client.post(reverse("reports:export_gbvims_job"), {"year": YEAR})
    assert response.status_code == 302, response.content
    job = Job.objects.order_by("-pk").first()
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    return job


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def test_the_gbvims_export_runs_in_the_worker_and_is_the_same_workbook(cast, client_for, catalogue):
    for age in (68, 36, 21):
        known_case(cast["worker1"], birth_year=YEAR - age)
    client = client_for(cast["analyst1"])
    page = client.get(reverse("reports:exports")).content.decode()
    assert 'data-testid="export-gbvims-job"' in page

    job = start_gbvims(client)
    assert job.owner == cast["analyst1"] and job.status == JobStatus.QUEUED
    assert job.params == {"province": "33", "year": YEAR}
    assert not exports_of().exists()  # nothing is made in the request
    progress = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert 'data-status="queued"' in progress and "hx-trigger" in progress
    # A second click while it waits goes to the same job.
    assert start_gbvims(client).pk == job.pk

    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.progress_done, job.progress_total) == (3, 3)
    assert job.result_file.name.startswith("jobs/out/")
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert 'data-testid="job-result-file"' in page and "Tệp được giữ đến" in page

    response = client.get(reverse("jobs:result_file", args=[job.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert (
        f'filename="{gbvims.filename(user_province(cast["analyst1"]), YEAR)}"'
        in (response["Content-Disposition"])
    )
    content = body(response)
    # The same workbook as the synchronous download (cell by cell: the file's own timestamps
    # differ by the second it was written).
    sync = client.get(f"/reports/exports/gbvims?year={YEAR}")
    assert cells(content) == cells(body(sync))
    assert len(cells(content)[0][1]) == 4  # header + 3 incidents

    job_events = [e for e in exports_of() if e.extra.get("job") == job.pk]
    assert len(job_events) == 1
    event = job_events[0]
    assert event.user == cast["analyst1"] and event.object_id == "gbvims"
    assert event.place_code == "33" and event.extra["rows"] == 3 and event.extra["year"] == YEAR
    # Each download of the finished file is a read of its own in the log.
    downloads = AuditEvent.objects.filter(object_type="job", object_id=str(job.pk), action="view")
    assert downloads.count() == 1 and downloads.get().user == cast["analyst1"]


def test_another_user_gets_the_404_of_a_missing_job_and_is_audited(cast, client_for, catalogue):
    job = start_gbvims(client_for(cast["analyst1"]))
    run_pending()
    other = client_for(cast["manager1"])
    for name in ("jobs:job", "jobs:progress", "jobs:result_file"):
        before = AuditEvent.objects.filter(action="permission_denied").count()
        assert other.get(reverse(name, args=[job.pk])).status_code == 404, name
        assert AuditEvent.objects.filter(action="permission_denied").count() == before + 1
        denied = AuditEvent.objects.filter(action="permission_denied").last()
        assert (denied.object_type, denied.object_id) == ("job", str(job.pk))
    missing = other.get(reverse("jobs:result_file", args=[job.pk + 1000]))
    assert missing.status_code == 404


def test_only_analysts_start_it_and_with_a_recent_password(cast, client_for, catalogue):
    response = client_for(cast["coordinator1"]).post(
        reverse("reports:export_gbvims_job"), {"year": YEAR}
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_an_owner_who_lost_the_role_before_it_ran_gets_nothing(cast, client_for, catalogue):
    known_case(cast["worker1"])
    job = start_gbvims(client_for(cast["analyst1"]))
    # Between the click and the worker, the analyst becomes a manager (aggregates only).
    Membership.objects.filter(user=cast["analyst1"]).update(role=Role.MANAGER)
    forget_memberships(cast["analyst1"])

    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.summary["refused"] == "scope"
    assert not job.result_file and not exports_of().exists()
    denied = AuditEvent.objects.get(action="permission_denied", extra__job=job.pk)
    assert denied.user == cast["analyst1"] and denied.object_id == "gbvims"
    client = client_for(cast["analyst1"])
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "bạn không còn quyền với dữ liệu này" in page
    assert client.get(reverse("jobs:result_file", args=[job.pk])).status_code == 404


def test_an_interrupted_export_run_again_makes_one_file_and_one_event(
    cast, client_for, catalogue, media
):
    known_case(cast["worker1"])
    job = start_gbvims(client_for(cast["analyst1"]))
    original = Job.save

    def killed(self, *args, **kwargs):
        if self.status == JobStatus.DONE:  # the file is stored; the commit never happens
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    with mock.patch.object(Job, "save", killed), pytest.raises(KeyboardInterrupt):
        run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and not job.result_file
    assert len(stored_files(media)) == 1  # the dead run's file, never referenced
    assert not exports_of().exists()

    out = io.StringIO()
    call_command("requeue_jobs", "--orphans", stdout=out)
    assert "Queued again: 1 job(s)." in out.getvalue()
    assert run_pending() == 2  # the first task (still queued) and the retry
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2  # the retry found it done
    assert stored_files(media) == [Path(job.result_file.path)]  # replaced, not a second
    assert exports_of().count() == 1

    # Delivered again after it finished: nothing. Forced to run again: the export's event
    # for this job says it was made; no second file, no second event.
    assert run_job.call(job.pk) == JobStatus.DONE
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, finished_at=None)
    assert run_job.call(job.pk) == JobStatus.DONE
    assert exports_of().count() == 1 and len(stored_files(media)) == 1


# --- The consolidated report -----------------------------------------------------------------


def start_report(client, cycle, fmt: str, **options) -> Job:
    url = reverse("reports:consolidated_job", args=[cycle.pk, fmt])
    response = client.post(url, options)
    assert response.status_code == 302, response.content
    job = Job.objects.order_by("-pk").first()
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    return job


def test_the_consolidated_report_is_made_by_the_worker(cast, client_for, cycle2025, catalogue):
    client = client_for(cast["coordinator1"])
    page = client.get(reverse("reports:cycle", args=[cycle2025.pk])).content.decode()
    assert reverse("reports:consolidated_job", args=[cycle2025.pk, "docx"]) in page
    job = start_report(client, cycle2025, "docx", number="125", signer_name="Nguyễn Văn An")
    assert job.params["options"] == {"number": "125", "signer_name": "Nguyễn Văn An"}
    assert not exports_of("reports.cycle").exists()

    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.progress_done, job.progress_total) == (2, 2)
    response = client.get(reverse("jobs:result_file", args=[job.pk]))
    assert response.status_code == 200
    assert 'filename="bao-cao-tong-hop-' in response["Content-Disposition"]
    made = texts(body(response))
    assert "125/BC-" in " ".join(made) and "Nguyễn Văn An" in " ".join(made)
    sync = client.get(
        f"/reports/cycles/{cycle2025.pk}/consolidated.docx",
        {"number": "125", "signer_name": "Nguyễn Văn An"},
    )
    assert made == texts(sync.content)  # the same document as the direct download
    event = exports_of("reports.cycle").get(extra__job=job.pk)
    assert event.user == cast["coordinator1"] and event.object_id == str(cycle2025.pk)
    assert event.extra["format"] == "docx" and event.extra["document"] == "consolidated"
    assert (
        client_for(cast["analyst1"]).get(reverse("jobs:result_file", args=[job.pk])).status_code
        == 404
    )


def test_a_bad_option_is_a_message_and_no_job(cast, client_for, cycle2025, catalogue):
    client = client_for(cast["coordinator1"])
    url = reverse("reports:consolidated_job", args=[cycle2025.pk, "docx"])
    response = client.post(url, {"number": "x" * 40}, follow=True)
    assert "Dài quá 30 ký tự." in response.content.decode()
    assert not Job.objects.exists()
    assert (
        client.post(reverse("reports:consolidated_job", args=[cycle2025.pk, "xlsx"])).status_code
        == 404
    )


def test_a_report_whose_owner_lost_access_is_refused_when_it_runs(
    cast, client_for, cycle2025, catalogue
):
    job = start_report(client_for(cast["coordinator1"]), cycle2025, "docx")
    Membership.objects.filter(user=cast["coordinator1"]).update(role=Role.PROGRAMME_REPORTER)
    forget_memberships(cast["coordinator1"])
    run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.summary == {"refused": "scope"}
    assert not exports_of("reports.cycle").exists()
    assert AuditEvent.objects.filter(
        action="permission_denied", object_type="reports.cycle", extra__job=job.pk
    ).exists()


def test_without_libreoffice_the_pdf_job_says_so(cast, client_for, cycle2025, catalogue, settings):
    settings.ANTOAN_SOFFICE = "/nonexistent/soffice"
    client = client_for(cast["coordinator1"])
    job = start_report(client, cycle2025, "pdf")
    run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.summary == {"refused": "pdf"}
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "Không tạo được tệp PDF" in page


def test_the_pdf_is_made_by_libreoffice_in_the_worker(cast, client_for, cycle2025, soffice):
    client = client_for(cast["coordinator1"])
    job = start_report(client, cycle2025, "pdf")
    run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.progress_done, job.progress_total) == (3, 3)
    response = client.get(reverse("jobs:result_file", args=[job.pk]))
    assert body(response)[:5] == b"%PDF-"
    assert response["Content-Disposition"].endswith('.pdf"')
