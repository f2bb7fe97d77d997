"""Reads of the call log, always scoped to the acting user.

- An operator (``hotline.log_call``) sees their own calls and the open queue of their hotline.
- A supervisor (``hotline.view_all``) sees every call of their hotline agency.
- Everyone else sees nothing; a call they may not see answers 404, like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from antoan.accounts.roles import Perm
from antoan.cases.models import Case
from antoan.cases.selectors import cases_for_user
from antoan.core.audit import audit_record
from antoan.core.permissions import agency_ids_with
from antoan.hotline import choices as h
from antoan.hotline.models import Call, CallNotification


def call_scope(user: Any) -> Q:
    """The condition selecting the calls ``user`` may see."""
    condition = Q(pk__in=[])
    supervised = agency_ids_with(user, Perm.CALL_VIEW_ALL)
    operated = agency_ids_with(user, Perm.CALL_LOG)
    if supervised:
        condition |= Q(agency_id__in=supervised)
    if operated:
        condition |= Q(agency_id__in=operated) & (Q(operator=user) | Q(status=h.Status.OPEN))
    return condition


def may_see_calls(user: Any) -> bool:
    return bool(agency_ids_with(user, Perm.CALL_VIEW_ALL) or agency_ids_with(user, Perm.CALL_LOG))


def calls_for_user(user: Any) -> QuerySet[Call]:
    return Call.objects.filter(call_scope(user)).select_related("operator", "commune", "case")


@dataclass
class CallFilters:
    status: str = ""
    mine: bool = False
    immediate_danger: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def call_list(user: Any, filters: CallFilters | None = None, *, request: Any = None) -> QuerySet:
    """The calls ``user`` may see, filtered; the listing is audited (filter names only)."""
    filters = filters or CallFilters()
    calls = calls_for_user(user)
    used = []
    if filters.status:
        calls = calls.filter(status=filters.status)
        used.append("status")
    if filters.mine:
        calls = calls.filter(operator=user)
        used.append("mine")
    if filters.immediate_danger is not None:
        calls = calls.filter(immediate_danger=filters.immediate_danger)
        used.append("immediate_danger")
    audit_record(
        action="list", request=request, user=user, object_type="call", extra={"filters": used}
    )
    return calls


def call_get_for_user(user: Any, call_id: Any, *, request: Any = None, audit: bool = True) -> Call:
    """The call if ``user`` may see it, else Http404 (missing and forbidden alike)."""
    try:
        pk = int(call_id)
    except (TypeError, ValueError):
        raise Http404 from None
    call = (
        calls_for_user(user)
        .prefetch_related(
            Prefetch(
                "notifications",
                queryset=CallNotification.objects.select_related("agency", "notified_by"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if call is None:
        raise Http404
    if audit:
        audit_record(
            action="view",
            request=request,
            user=user,
            object_type="call",
            object_id=call.pk,
            place_code=call.commune.code if call.commune is not None else "",
        )
    return call


def case_link(user: Any, call: Call) -> dict[str, Any] | None:
    """What the call shows of its case: the number, and its id only if ``user`` may open it."""
    if call.case_id is None:
        return None
    number = Case.objects.values_list("number", flat=True).get(pk=call.case_id)
    visible = cases_for_user(user).filter(pk=call.case_id).exists()
    return {"number": number, "id": call.case_id if visible else None}


def emergency_contacts_for(call: Call) -> list[Any] | None:
    """On-duty police and commune contacts for the caller's commune, from the directory.

    None when the call names no commune or the service directory is not installed.
    """
    if call.commune is None:
        return None
    from antoan.referrals.selectors import emergency_contacts

    return list(emergency_contacts(call.commune))


def ringing_for(user: Any) -> QuerySet[Call]:
    """Calls ringing at ``user``'s phone now (the PBX named their extension): not answered, not
    ended, newest first. The operator's queue page opens them (docs/hotline-telephony.md)."""
    if not getattr(user, "is_authenticated", False):
        return Call.objects.none()
    return Call.objects.filter(
        call_scope(user),
        operator=user,
        channel=h.Channel.PHONE,
        answered_at__isnull=True,
        ended_at__isnull=True,
    ).order_by("-received_at", "-pk")


def earlier_contacts_label(call: Call) -> str:
    """ "đã gọi N lần trước" for the operator: how many earlier contacts this hotline had from
    the same number or account (the count only: the other contacts are not shown, and no one
    can search by number). Empty when there are none or the number is unknown."""
    from django.utils.translation import ngettext

    from antoan.hotline.services.contacts import earlier_contacts

    count = earlier_contacts(call)
    if not count:
        return ""
    if call.channel == h.Channel.PHONE:
        return ngettext("đã gọi %(count)d lần trước", "đã gọi %(count)d lần trước", count) % {
            "count": count
        }
    return ngettext("đã liên hệ %(count)d lần trước", "đã liên hệ %(count)d lần trước", count) % {
        "count": count
    }
