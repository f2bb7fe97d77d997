"""Reads of the directory and of referrals, scoped to the acting user.

A referral is reached by its sender side (anyone who may see the case and holds
``referrals.send`` in the case's agency) in full, and by staff of the addressee agency
(``referrals.receive`` there) through the need-to-know view, only while it is open. Anyone
else gets 404, the same as for a missing referral.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases import selectors as case_selectors
from antoan.cases.choices import Need
from antoan.cases.models import Case, Consent
from antoan.core.audit import audit_record
from antoan.core.permissions import agency_ids_with, has_perm
from antoan.places.models import Place
from antoan.referrals import rules, unread
from antoan.referrals.models import (
    OPEN_STATUSES,
    Notification,
    Provider,
    ProviderContact,
    Referral,
    ReferralStatus,
    ServiceDelivery,
)

# --- Directory ---------------------------------------------------------------------------------


def providers_list(*, service: str = "", commune: Place | None = None) -> QuerySet[Provider]:
    """Active providers, optionally offering ``service`` and serving ``commune``."""
    qs = (
        Provider.objects.filter(active=True)
        .select_related("agency")
        .prefetch_related(
            Prefetch("contacts", queryset=ProviderContact.objects.order_by("order", "pk")),
            "communes",
        )
    )
    if service:
        # JSON containment has no SQLite lookup; the directory holds tens of rows.
        ids = [p.pk for p in Provider.objects.filter(active=True) if service in p.services]
        qs = qs.filter(pk__in=ids)
    if commune is not None:
        qs = qs.filter(communes=commune)
    return qs.order_by("agency__name", "pk")


def provider_get(provider_id: Any) -> Provider:
    """A directory entry (directory data is not case data: any holder of the gate sees it)."""
    try:
        pk = int(provider_id)
    except (TypeError, ValueError):
        raise Http404 from None
    provider = (
        Provider.objects.select_related("agency")
        .prefetch_related("contacts", "communes")
        .filter(pk=pk)
        .first()
    )
    if provider is None:
        raise Http404
    return provider


def can_see_location(user: Any, provider: Provider) -> bool:
    """The confidential location: the shelter's own staff, and senders of an accepted referral."""
    if not provider.is_shelter:
        return False
    if provider.agency_id in agency_ids_with(user, Perm.SHELTER_UPDATE):
        return True
    return Referral.objects.filter(
        provider=provider,
        sent_by=user,
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.DELIVERED],
    ).exists()


def can_update_occupancy(user: Any, provider: Provider) -> bool:
    return provider.is_shelter and has_perm(user, Perm.SHELTER_UPDATE, provider.agency_id)


@dataclass
class EmergencyContact:
    agency: Agency
    contacts: list[ProviderContact] = field(default_factory=list)
    emergency_phone: str = ""
    always_open: bool = False


def emergency_contacts(commune: Place) -> list[EmergencyContact]:
    """Police/safety providers and the commune People's Committee serving ``commune``.

    What a hotline operator calls in immediate danger (Law 13/2022: the commune chairperson
    is told at once). Police first, then the commune committee.
    """
    rows = (
        providers_list(commune=commune)
        .filter(Q(agency__kind=Agency.Kind.POLICE) | Q(agency__kind=Agency.Kind.COMMUNE_COMMITTEE))
        .order_by("agency__name")
    )
    found = [
        p
        for p in rows
        if p.agency.kind == Agency.Kind.COMMUNE_COMMITTEE or Need.SAFETY in p.services
    ]
    found.sort(key=lambda p: (p.agency.kind != Agency.Kind.POLICE, p.agency.name))
    return [
        EmergencyContact(
            agency=p.agency,
            contacts=list(p.contacts.all()),
            emergency_phone=p.emergency_phone,
            always_open=p.always_open,
        )
        for p in found
    ]


@dataclass(frozen=True)
class PathwayRow:
    service: str
    label: str
    providers: list[Provider]


def referral_pathway(commune: Place) -> list[PathwayRow]:
    """The referral pathway of a commune: for each service, the providers serving it."""
    providers = list(providers_list(commune=commune))
    return [
        PathwayRow(code, str(label), [p for p in providers if code in p.services])
        for code, label in Need.choices
    ]


# --- Referrals ---------------------------------------------------------------------------------


def _base() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "case", "case__survivor", "provider", "provider__agency", "from_agency", "to_agency"
    )


def referrals_outgoing(user: Any, *, status: str = "") -> QuerySet[Referral]:
    """Referrals of cases the user may see, sent from agencies where they may send."""
    senders = agency_ids_with(user, Perm.REFERRAL_SEND)
    if not senders:
        return Referral.objects.none()
    qs = _base().filter(case__in=case_selectors.cases_for_user(user), from_agency_id__in=senders)
    if status:
        qs = qs.filter(status=status)
    return qs


def referrals_incoming(user: Any, *, status: str = "") -> QuerySet[Referral]:
    """Open referrals addressed to agencies where the user receives referrals."""
    receivers = agency_ids_with(user, Perm.REFERRAL_RECEIVE)
    if not receivers:
        return Referral.objects.none()
    qs = _base().filter(to_agency_id__in=receivers, status__in=OPEN_STATUSES)
    if status:
        qs = qs.filter(status=status)
    return qs


INBOX_PAGE = 50
# What an inbox row shows (templates/referrals/_rows.html, box "in") and its countdown needs:
# the encrypted notes and reasons are not read.
_INBOX_COLUMNS = ("pk", "status", "urgency", "service", "due_at", "from_agency__name")


@dataclass(frozen=True)
class InboxAgency:
    name: str


@dataclass(frozen=True)
class InboxRow:
    """A row of the provider's inbox: what the row shows and nothing else, read as values
    (no model instances to build; docs/performance.md, "Referral inbox"). Answers the
    template like a referral does (``number``, ``get_*_display``, ``from_agency.name``)."""

    pk: int
    status: str
    urgency: str
    service: str
    due_at: Any
    from_agency: InboxAgency

    @property
    def number(self) -> str:
        return f"CG-{self.pk:06d}"

    def get_status_display(self) -> str:
        return _choice_label("status", self.status)

    def get_urgency_display(self) -> str:
        return _choice_label("urgency", self.urgency)

    def get_service_display(self) -> str:
        return _choice_label("service", self.service)


@cache
def _choices(name: str) -> dict[str, Any]:
    field = Referral._meta.get_field(name)
    choices = field.flatchoices if isinstance(field, models.Field) else []
    return dict(choices)  # lazy labels: any language


def _choice_label(name: str, value: str) -> str:
    # As Model.get_FOO_display: the choice's label, or the value itself if it is not one.
    return str(_choices(name).get(value, value))


def inbox_page(
    user: Any, *, limit: int = INBOX_PAGE, after: int | None = None
) -> tuple[list[InboxRow], int | None]:
    """A page of the inbox in its order (deadline, then id): the ``limit`` open referrals after
    the referral ``after`` (the first page when None), by keyset, with no count of the whole
    inbox. Returns the rows and the id to ask the next page with (None on the last).
    ``after`` is looked up among referrals addressed to the user's agencies only (one answered
    since still positions the page); any other id gives an empty page, never another agency's
    deadline."""
    receivers = agency_ids_with(user, Perm.REFERRAL_RECEIVE)
    if not receivers:
        return [], None
    # The same referrals as ``referrals_incoming``, built in one go: the rows show the
    # referral's own columns and the sending agency's name (one join, not the case, survivor
    # and provider ``_base`` brings for a referral's page), every condition in one filter()
    # (each call copies the query), read as values.
    conditions = []
    if after is not None:
        mine = Referral.objects.filter(pk=after, to_agency_id__in=receivers).order_by()
        anchor = Subquery(mine.values("due_at")[:1])
        conditions.append(Q(due_at__gt=anchor) | Q(due_at=anchor, pk__gt=after))
    found = (
        Referral.objects.filter(*conditions, to_agency_id__in=receivers, status__in=OPEN_STATUSES)
        .order_by("due_at", "pk")
        .values_list(*_INBOX_COLUMNS)[: limit + 1]
    )
    page = [
        InboxRow(pk, status, urgency, service, due_at, InboxAgency(agency))
        for pk, status, urgency, service, due_at, agency in found
    ]
    following = page[limit - 1].pk if len(page) > limit else None
    return page[:limit], following


@dataclass(frozen=True)
class HandledReferral:
    """A row of a provider's history: the referral and what became of it, never who it was for.

    Built from referral columns only (no case, no survivor, no free text the sender or the
    provider wrote), so nothing on the history pages can name the survivor after closure.
    """

    pk: int
    number: str
    sent_at: Any
    answered_at: Any
    from_agency: str
    service: str
    service_label: str
    status: str
    outcome: str
    outcome_on: Any


_HANDLED_COLUMNS = (
    "pk",
    "service",
    "status",
    "sent_at",
    "answered_at",
    "delivered_on",
    "closed_at",
    "revoked_at",
    "from_agency__name",
)


def _handled_row(values: dict[str, Any]) -> HandledReferral:
    if values["delivered_on"] is not None:
        outcome, on = _("Đã cung cấp dịch vụ"), values["delivered_on"]
    elif values["status"] == ReferralStatus.REVOKED:
        outcome, on = _("Bên gửi đã thu hồi"), values["revoked_at"]
    else:
        outcome, on = _("Đã từ chối"), values["answered_at"]
    labels = dict(Need.choices)
    return HandledReferral(
        pk=values["pk"],
        number=Referral(pk=values["pk"]).number,
        sent_at=values["sent_at"],
        answered_at=values["answered_at"],
        from_agency=values["from_agency__name"],
        service=values["service"],
        service_label=str(labels.get(values["service"], values["service"])),
        status=values["status"],
        outcome=str(outcome),
        outcome_on=on,
    )


def _handled(user: Any) -> QuerySet[Referral]:
    receivers = agency_ids_with(user, Perm.REFERRAL_RECEIVE)
    if not receivers:
        return Referral.objects.none()
    return Referral.objects.filter(to_agency_id__in=receivers, answered_at__isnull=False).exclude(
        status__in=OPEN_STATUSES
    )


def referrals_handled(user: Any) -> list[HandledReferral]:
    """The provider's history: referrals its agencies answered and that are no longer open."""
    rows = _handled(user).order_by("-answered_at", "-pk").values(*_HANDLED_COLUMNS)[:500]
    return [_handled_row(values) for values in rows]


def handled_get_for_user(user: Any, referral_id: Any, *, request: Any = None) -> HandledReferral:
    """One row of the provider's history, else Http404 (another agency's, open, or missing)."""
    try:
        pk = int(referral_id)
    except (TypeError, ValueError):
        raise Http404 from None
    values = _handled(user).filter(pk=pk).values(*_HANDLED_COLUMNS).first()
    if values is None:
        raise Http404
    audit_record(
        action="view",
        request=request,
        user=user,
        object_type="referral",
        object_id=pk,
        extra={"side": "history"},
    )
    return _handled_row(values)


@dataclass
class ReferralAccess:
    referral: Referral
    side: str  # "sender" or "recipient"


def referral_get_for_user(
    user: Any, referral_id: Any, *, request: Any = None, audit: bool = True
) -> ReferralAccess:
    """The referral with the side the user sees it from, else Http404; the read is audited."""
    try:
        pk = int(referral_id)
    except (TypeError, ValueError):
        raise Http404 from None
    referral = referrals_outgoing(user).filter(pk=pk).first()
    side = "sender"
    if referral is None:
        referral = referrals_incoming(user).filter(pk=pk).first()
        side = "recipient"
    if referral is None:
        raise Http404
    if audit:
        audit_record(
            action="view",
            request=request,
            user=user,
            object_type="referral",
            object_id=referral.pk,
            extra={"case": referral.case_id, "side": side},
        )
    return ReferralAccess(referral=referral, side=side)


def _latest_sharing(case: Case) -> Consent | None:
    return (
        Consent.objects.filter(case=case, purpose="sharing", withdrawn_at__isnull=True)
        .prefetch_related("agencies")
        .order_by("-given_at", "-pk")
        .first()
    )


def _phone_shared_with(consent: Consent | None, agency_id: int) -> bool:
    if consent is None or not consent.granted:
        return False
    return any(a.pk == agency_id for a in consent.agencies.all())


def phone_shared(referral: Referral) -> bool:
    """The phone reaches the recipient only if a current sharing consent names its agency."""
    return _phone_shared_with(_latest_sharing(referral.case), referral.to_agency_id)


def sharing_allows(case: Case, agency_id: int) -> bool:
    """No current sharing consent naming agencies, or one that names this agency and is given."""
    return _sharing_allows(_latest_sharing(case), agency_id)


def _sharing_allows(consent: Consent | None, agency_id: int) -> bool:
    if consent is None:
        return True
    named = {a.pk for a in consent.agencies.all()}
    if not consent.granted:
        return agency_id not in named and bool(named)
    return not named or agency_id in named


def recipient_view(*, case: Case, to_agency_id: int, service: str, note: str) -> dict[str, Any]:
    """The need-to-know view: all a recipient agency ever learns about the case.

    The one definition of what a provider sees. The provider's page and the API build it
    for a referral (``shared_fields``); the referral form's preview builds it for the provider
    the sender is choosing, before anything is sent, so the sender sees exactly that.
    The consent is read at each call: a withdrawal hides the phone at once.
    """
    survivor = case.survivor
    shared = _phone_shared_with(_latest_sharing(case), to_agency_id)
    return {
        "case_number": case.number,
        "alias": rules.alias_of(survivor.full_name),
        "phone": survivor.phone if shared else None,
        "service": service,
        "risk_level": case.risk_level,
        "safety_notes": note,
    }


def shared_fields(referral: Referral) -> dict[str, Any]:
    """The need-to-know view of a sent referral (see ``recipient_view``)."""
    return recipient_view(
        case=referral.case,
        to_agency_id=referral.to_agency_id,
        service=referral.service,
        note=referral.note,
    )


@dataclass
class RecipientPreview:
    """What the referral form shows before sending: the view, and whether consent allows it."""

    shared: dict[str, Any]
    consented: bool
    warnings: list[str]


def recipient_preview(
    user: Any, *, case: Case, provider: Provider, service: str, note: str
) -> RecipientPreview:
    """The provider's view of this referral if it were sent now, under the consent on record."""
    if not has_perm(user, Perm.REFERRAL_SEND, case.agency_id):
        raise Http404
    shared = recipient_view(case=case, to_agency_id=provider.agency_id, service=service, note=note)
    consented = case_selectors.consent_current(case, "services") and sharing_allows(
        case, provider.agency_id
    )
    return RecipientPreview(
        shared=shared, consented=consented, warnings=rules.preview_warnings(shared)
    )


# --- Needs met ---------------------------------------------------------------------------------


def needs_met(case: Case) -> dict[str, bool]:
    """For each need of the case, whether a service for it was delivered (directly or referred)."""
    delivered = set(ServiceDelivery.objects.filter(case=case).values_list("service", flat=True))
    return {need: need in delivered for need in case.needs}


def case_services(case: Case) -> dict[str, Any]:
    """What the case page's "needs and services" section shows, in two queries: the case's
    referrals with the agency each went to (the section shows nothing else of them: not the
    case and survivor that ``_base`` would join and decrypt again), and its deliveries, which
    also tell which needs were met."""
    deliveries = list(
        ServiceDelivery.objects.filter(case=case).select_related("agency", "recorded_by")
    )
    delivered = {d.service for d in deliveries}
    return {
        "needs_met": {need: need in delivered for need in case.needs},
        "referrals": list(
            Referral.objects.filter(case=case)
            .select_related("to_agency")
            .order_by("-sent_at", "-pk")
        ),
        "deliveries": deliveries,
    }


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("referral")


def unread_count(user: Any) -> int:
    """The badge in the menu: kept in the cache until the user's notifications change."""
    return unread.count(
        user.pk, lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
    )
