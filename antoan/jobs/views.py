"""A job's page: only its owner sees it (anyone else gets the 404 of a job that does not exist,
audited); it refreshes itself until the job is finished (htmx polling, or a meta refresh
without JavaScript)."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin
from antoan.core.text import positive_id
from antoan.jobs import services
from antoan.jobs.kinds import get_kind, refusal_text
from antoan.jobs.models import Job
from antoan.jobs.selectors import job_for_owner, jobs_of_owner

POLL_SECONDS = 2


def job_context(job: Job) -> dict:
    kind = get_kind(job.kind)
    extra = kind.result_context(job) if (kind.result_context and job.finished) else {}
    progress = ""
    if job.progress_total:
        text = kind.progress_text or _("%(done)s / %(total)s dòng")
        progress = text % {"done": job.progress_done, "total": job.progress_total}
    return {
        "job": job,
        "kind_label": kind.label,
        "progress_text": progress,
        "refused_text": refusal_text(job.summary.get("refused")),
        "result_template": kind.result_template,
        "poll_seconds": POLL_SECONDS,
        **extra,
    }


class JobView(PermissionRequiredMixin, View):
    permission = Perm.USE_SYSTEM  # then only the job's owner: job_for_owner

    def get(self, request, pk: int):
        job = job_for_owner(request.user, pk)
        return render(request, "jobs/job.html", job_context(job))


class JobProgressView(PermissionRequiredMixin, View):
    """The part of the page that changes: what htmx fetches every few seconds."""

    permission = Perm.USE_SYSTEM  # then only the job's owner: job_for_owner

    def get(self, request, pk: int):
        job = job_for_owner(request.user, pk)
        return render(request, "jobs/_progress.html", job_context(job))


class JobResultFileView(PermissionRequiredMixin, View):
    permission = Perm.USE_SYSTEM  # then only the job's owner: job_for_owner

    def get(self, request, pk: int):
        job = job_for_owner(request.user, pk)
        if not job.result_available:  # none, or past its retention (docs/jobs.md)
            raise Http404
        name = job.summary.get("result_filename") or "ket-qua.xlsx"
        services.record_result_download(request=request, job=job)
        response = FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
        response["Cache-Control"] = "no-store"
        return response


class MyJobsView(PermissionRequiredMixin, View):
    """ "Việc của tôi": the user's own jobs, newest first, a page at a time (``?before=<id>``)."""

    permission = Perm.USE_SYSTEM  # then only the user's own jobs: jobs_of_owner

    def get(self, request):
        page = jobs_of_owner(request.user, before=positive_id(request.GET.get("before")))
        labels = {}
        for job in page.jobs:
            if job.kind not in labels:
                labels[job.kind] = _kind_label(job.kind)
        rows = [
            {"job": job, "kind_label": labels[job.kind], "refused_text": refusal_text(job.refused)}
            for job in page.jobs
        ]
        return render(
            request,
            "jobs/mine.html",
            {
                "rows": rows,
                "next_before": page.next_before,
                "first_page": request.GET.get("before") is None,
                "result_days": settings.ANTOAN_JOB_RESULT_DAYS,
            },
        )


def _kind_label(code: str):
    try:
        return get_kind(code).label
    except KeyError:  # a kind since removed: its code
        return code
