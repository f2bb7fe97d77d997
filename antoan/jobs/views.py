"""A job's page: only its owner sees it (a refusal is audited); it refreshes itself until the
job is finished (htmx polling, or a meta refresh without JavaScript)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin, deny
from antoan.jobs.kinds import get_kind
from antoan.jobs.models import Job

POLL_SECONDS = 2


def owned_job(request, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if job.owner_id is None or job.owner_id != request.user.pk:
        deny(request, "jobs.owner")
    return job


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
    permission = Perm.USE_SYSTEM  # then only the job's owner: owned_job

    def get(self, request, pk: int):
        job = owned_job(request, pk)
        return render(request, "jobs/job.html", job_context(job))


class JobProgressView(PermissionRequiredMixin, View):
    """The part of the page that changes: what htmx fetches every few seconds."""

    permission = Perm.USE_SYSTEM  # then only the job's owner: owned_job

    def get(self, request, pk: int):
        job = owned_job(request, pk)
        return render(request, "jobs/_progress.html", job_context(job))


class JobResultFileView(PermissionRequiredMixin, View):
    permission = Perm.USE_SYSTEM  # then only the job's owner: owned_job

    def get(self, request, pk: int):
        job = owned_job(request, pk)
        if not job.result_file:
            raise Http404
        name = job.summary.get("result_filename") or "ket-qua.xlsx"
        response = FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
        response["Cache-Control"] = "no-store"
        return response
