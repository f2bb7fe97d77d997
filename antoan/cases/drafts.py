"""Which case forms keep a server-side draft, and who may keep one (antoan/core/drafts.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases import selectors, services
from antoan.core.drafts import DraftSubject, register_draft_form
from antoan.core.permissions import has_perm


def intake_check(request: Any, argument: str) -> DraftSubject:
    """Anyone who may open a case may keep a draft of the intake."""
    if not has_perm(request.user, Perm.CASE_CREATE):
        raise Http404
    return DraftSubject(audited=True)


def assessment_check(request: Any, argument: str) -> DraftSubject:
    """Only someone who may add an assessment to the case now: the same as the form's page.

    A case of another agency, or one the user no longer works on, answers 404 as it does on
    every case page, so the draft endpoint tells nothing about which case ids exist.
    """
    case = selectors.case_get_for_user(request.user, argument, request=request, audit=False)
    if (
        services.can_edit(request.user, case) is None
        or case.status == c.Status.CLOSED
        or case.anonymised_at is not None
    ):
        raise Http404
    return DraftSubject(audited=True, case_id=case.pk)


def register() -> None:
    register_draft_form("cases:intake", intake_check)
    register_draft_form("cases:assessment", assessment_check, argument=r"[0-9]{1,18}")
