"""Reads of the privacy records, always scoped to the acting user.

A request is seen by whoever may see its case (the assigned worker, the agency's supervisors);
the list of open requests by those who manage requests in the case's agency. Anyone else gets
404, the same as for a missing request, and the refusal is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases.models import Case, Consent
from antoan.cases.selectors import Task, case_scope
from antoan.cases.services.common import case_place_code
from antoan.core.audit import audit_record
from antoan.core.permissions import agency_ids_with, has_perm
from antoan.privacy import choices as p
from antoan.privacy import rules
from antoan.privacy.models import AccessPackage, Breach, DataRequest


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _refuse(*, user: Any, request: Any, object_type: str, object_id: Any) -> None:
    """Audit an attempt to reach a record the user may not see (or that does not exist)."""
    audit_record(
        action="permission_denied",
        request=request,
        user=user,
        object_type=object_type,
        object_id=str(object_id)[:64],
        extra={"reason": "not_found_or_out_of_scope"},
    )


# --- Requests -------------------------------------------------------------------------------


def requests_visible(user: Any) -> QuerySet[DataRequest]:
    """Requests on cases the user may see."""
    visible = Case.objects.filter(case_scope(user)).values("pk")
    return DataRequest.objects.filter(case__in=visible)


def request_get_for_user(user: Any, request_id: Any, *, request: Any = None) -> DataRequest:
    """The request if ``user`` may see its case, else Http404 (audited); the read is audited."""
    pk = _pk(request_id)
    data_request = (
        requests_visible(user)
        .select_related(
            "case",
            "case__survivor",
            "case__survivor__commune",
            "case__agency",
            "supervisor",
            "created_by",
            "acknowledged_by",
            "extended_by",
            "decided_by",
        )
        .filter(pk=pk)
        .first()
    )
    if data_request is None:
        _refuse(user=user, request=request, object_type="data_request", object_id=pk)
        raise Http404
    audit_record(
        action="view",
        request=request,
        user=user,
        object_type="data_request",
        object_id=data_request.pk,
        place_code=case_place_code(data_request.case),
        extra={"case": data_request.case_id},
    )
    return data_request


def open_requests_for_supervisor(user: Any) -> QuerySet[DataRequest]:
    """Open requests of the agencies where the user manages requests, soonest due first."""
    agencies = agency_ids_with(user, Perm.PRIVACY_DSR_MANAGE)
    return (
        DataRequest.objects.filter(case__agency_id__in=agencies, status__in=p.OPEN_STATUSES)
        .select_related("case", "case__survivor", "case__agency", "supervisor")
        .order_by("response_due", "pk")
    )


def request_deadline(data_request: DataRequest) -> dt.datetime:
    """The next deadline that matters: acknowledgement first, then the response."""
    if data_request.status == p.RequestStatus.RECEIVED:
        return min(data_request.acknowledge_due, data_request.response_due)
    return data_request.response_due


def request_tasks(user: Any, moment: dt.datetime) -> list[Task]:
    """Open requests as tasks of their responsible supervisor (all the agency's supervisors
    while none is named), each with its countdown."""
    agencies = agency_ids_with(user, Perm.PRIVACY_DSR_MANAGE)
    if not agencies:
        return []
    rows = DataRequest.objects.filter(
        Q(supervisor=user) | Q(supervisor__isnull=True),
        case__agency_id__in=agencies,
        status__in=p.OPEN_STATUSES,
    ).select_related("case", "case__survivor")
    tasks = []
    for row in rows:
        if row.status == p.RequestStatus.RECEIVED:
            kind, due = "data_request_acknowledge", row.acknowledge_due
            label = _("Xác nhận tiếp nhận yêu cầu %(number)s (2 ngày làm việc)")
        else:
            kind, due = "data_request_response", row.response_due
            label = _("Trả lời yêu cầu %(number)s: %(kind)s")
        tasks.append(
            Task(
                case=row.case,
                kind=kind,
                due=due,
                countdown=rules.clock(deadline=due, now=moment),
                url=reverse("privacy:request_detail", args=[row.pk]),
                label=label % {"number": row.number, "kind": row.get_kind_display()},
            )
        )
    return tasks


def requests_of_case(case: Case) -> list[DataRequest]:
    return list(DataRequest.objects.filter(case=case).order_by("-received_at", "-pk"))


def package_get(data_request: DataRequest, package_id: Any) -> AccessPackage:
    """A package of a request the caller already reached through request_get_for_user."""
    package = (
        AccessPackage.objects.filter(request=data_request, pk=_pk(package_id))
        .select_related("prepared_by", "approved_by", "released_by")
        .first()
    )
    if package is None:
        raise Http404
    return package


# --- Consent ledger -------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    consent: Consent
    replaced_by: Consent | None
    # Rendered lines of what the withdrawal changed; None when not recorded at the time.
    effects: list[str] | None


def _effect_lines(
    consent: Consent, agencies: dict[int, str], referrals: dict[int, str]
) -> list[str] | None:
    effects = consent.withdrawal_effects
    if consent.withdrawn_at is None:
        return []
    if effects is None:
        return None
    lines: list[str] = []
    if "incidents_excluded" in effects:
        lines.append(
            _("%(count)s vụ việc không còn được tính trong số liệu thống kê.")
            % {"count": effects["incidents_excluded"]}
        )
    if effects.get("agencies"):
        names = ", ".join(agencies.get(a, f"#{a}") for a in effects["agencies"])
        lines.append(
            _("Các cơ quan không còn nhận số điện thoại của người bị bạo lực: %(names)s.")
            % {"names": names}
        )
    if "open_referrals" in effects:
        numbers = ", ".join(referrals.get(r, f"#{r}") for r in effects["open_referrals"])
        if consent.purpose == c.ConsentPurpose.SERVICES:
            lines.append(_("Không gửi được chuyển gửi mới nếu không có sự đồng ý lại."))
        if numbers:
            lines.append(_("Chuyển gửi đang mở khi rút lại: %(numbers)s.") % {"numbers": numbers})
        elif consent.purpose != c.ConsentPurpose.REPORTING:
            lines.append(_("Không có chuyển gửi nào đang mở khi rút lại."))
    return lines


def consent_ledger(case: Case) -> list[LedgerRow]:
    """Every consent decision of the case in time order, with what replaced or withdrew it."""
    from antoan.accounts.models import Agency
    from antoan.referrals.models import Referral

    consents = list(
        Consent.objects.filter(case=case)
        .select_related("recorded_by", "withdrawn_by")
        .prefetch_related("agencies")
        .order_by("given_at", "pk")
    )
    agency_ids: set[int] = set()
    referral_ids: set[int] = set()
    for consent in consents:
        effects = consent.withdrawal_effects or {}
        agency_ids.update(effects.get("agencies", []))
        referral_ids.update(effects.get("open_referrals", []))
    agencies = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
    referrals = {
        r.pk: r.number for r in Referral.objects.filter(pk__in=referral_ids, case=case).only("pk")
    }
    rows = []
    for index, consent in enumerate(consents):
        later = next(
            (
                other
                for other in consents[index + 1 :]
                if other.purpose == consent.purpose and other.given_at >= consent.given_at
            ),
            None,
        )
        replaced_by = later if consent.withdrawn_at is None else None
        rows.append(LedgerRow(consent, replaced_by, _effect_lines(consent, agencies, referrals)))
    return rows


# --- Breaches -------------------------------------------------------------------------------


def breaches_for_user(user: Any) -> QuerySet[Breach]:
    """The whole register, for those who may read it (it holds no survivor's data)."""
    if not has_perm(user, Perm.PRIVACY_BREACH_VIEW):
        return Breach.objects.none()
    return Breach.objects.select_related("recorded_by").order_by("-detected_at", "-pk")


def breach_get_for_user(user: Any, breach_id: Any, *, request: Any = None) -> Breach:
    pk = _pk(breach_id)
    breach = breaches_for_user(user).filter(pk=pk).first()
    if breach is None:
        _refuse(user=user, request=request, object_type="breach", object_id=pk)
        raise Http404
    audit_record(action="view", request=request, user=user, object_type="breach", object_id=pk)
    return breach


def breach_clock(breach: Breach, now: dt.datetime) -> Any:
    """The 72-hour countdown from detection; None once the authority has been notified or the
    suspicion was dismissed."""
    if breach.authority_notified_at or breach.status == p.BreachStatus.DISMISSED:
        return None
    return rules.clock(deadline=rules.breach_notify_due(breach.detected_at), now=now)
