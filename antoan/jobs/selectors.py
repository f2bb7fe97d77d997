"""Reading jobs: a job is its owner's alone."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from antoan.jobs.models import Job


def job_for_owner(user: Any, pk: int) -> Job:
    """The user's own job, or 404: another user's job answers as one that does not exist (the
    refusal is audited by ``RefusalAuditMiddleware``, like every object lookup's 404)."""
    return get_object_or_404(Job, pk=pk, owner=user)
