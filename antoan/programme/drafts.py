"""Recording or changing an activity keeps a server-side draft (antoan/core/drafts.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from antoan.accounts.roles import Perm
from antoan.core.drafts import DraftSubject, register_draft_form
from antoan.core.permissions import has_perm
from antoan.programme import selectors, services
from antoan.programme.choices import ActivityKind


def new_activity_check(request: Any, argument: str) -> DraftSubject:
    if argument not in ActivityKind.values or not has_perm(request.user, Perm.PROGRAMME_REPORT):
        raise Http404
    return DraftSubject()


def activity_check(request: Any, argument: str) -> DraftSubject:
    """Only while the user may still change the activity (its year's report not submitted)."""
    activity = selectors.activity_get_for_user(request.user, argument)
    if not services.may_edit_activity(request.user, activity):
        raise Http404
    return DraftSubject()


def register() -> None:
    register_draft_form("programme:activity_new", new_activity_check, argument=r"[a-z_]{1,40}")
    register_draft_form("programme:activity", activity_check, argument=r"[0-9]{1,18}")
