"""A job's page: only its owner sees it (anyone else gets the 404 of a job that does not exist,
audited); it refreshes itself until the job is finished (htmx polling, or a meta refresh
without JavaScript)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin
from antoan.jobs.kinds import get_kind
from antoan.jobs.models import Job
from antoan.jobs.selectors import job_for_owner

POLL_SECONDS = 2


def job_context(job: Job) -> dict:
    kind = get_kind(job.kind)
    extra = kind.result_context(job) if (kind.result_context and job.finished) else {}
    return {
        "job": job,
        "kind_label": kind.label,
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
        if not job.result_file:
            raise Http404
        name = job.summary.get("result_filename") or "ket-qua.xlsx"
        response = FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
        response["Cache-Control"] = "no-store"
        return response
