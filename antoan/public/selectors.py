"""Reads for the public "Tìm hỗ trợ" page: the service directory and the map, nothing else.

No acting user and no case data: the page answers the same to everyone, so it cannot tell
whether a visitor is a survivor, and it records nothing about the visit. What it lists is the
directory's public part only (``public_providers``): never a shelter or trusted address, nor a
provider that offers shelter (its address could be the shelter's), nor an entry marked
confidential. A hidden provider is filtered out in the query, so neither its name nor its
number reaches the page, whatever the visitor asks for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from antoan.accounts.models import Agency, Membership
from antoan.accounts.roles import Role
from antoan.cases.choices import Need
from antoan.core.text import search_key
from antoan.places.exceptions import NoSuccessor
from antoan.places.models import Place
from antoan.places.selectors import current_successor, place_list
from antoan.referrals.models import Provider

# Agencies whose very place is confidential (Law 13/2022: a shelter's address is protected).
HIDDEN_AGENCY_KINDS = (Agency.Kind.SHELTER, Agency.Kind.TRUSTED_ADDRESS)
# Enough choices for a name typed in part ("an" matches many communes); more is a longer page.
MAX_MATCHES = 20
MIN_QUERY_LENGTH = 2


def public_providers() -> QuerySet[Provider]:
    """Directory entries anyone may see: active, of an agency valid today, not confidential,
    not a shelter."""
    today = timezone.localdate()
    return (
        Provider.objects.filter(
            active=True,
            confidential=False,
            capacity__isnull=True,
            agency__in=Agency.objects.valid_on(today),
        )
        .exclude(agency__kind__in=HIDDEN_AGENCY_KINDS)
        # JSON containment has no SQLite lookup; this text match is exact for a list of codes.
        .exclude(services__icontains=f'"{Need.SHELTER.value}"')
        .select_related("agency")
    )


@dataclass(frozen=True)
class PublicService:
    """What the page shows of a provider: the office's own details, no staff names."""

    name: str
    services: list[str]
    phone: str
    hours: str
    always_open: bool
    address: str
    accessible: bool


def _public_service(provider: Provider) -> PublicService:
    return PublicService(
        name=provider.agency.name,
        services=provider.service_labels(),
        phone=provider.emergency_phone,
        hours=provider.hours,
        always_open=provider.always_open,
        address=provider.address,
        accessible=provider.accessible,
    )


def public_hotlines() -> list[PublicService]:
    """The hotline numbers: the directory numbers of ``ANTOAN_PUBLIC_HOTLINE_AGENCIES``, or of
    every agency with a hotline operator today."""
    codes = list(settings.ANTOAN_PUBLIC_HOTLINE_AGENCIES)
    providers = public_providers().exclude(emergency_phone="")
    if codes:
        providers = providers.filter(agency__code__in=codes)
    else:
        operated = Membership.objects.valid_on(timezone.localdate()).filter(
            role=Role.HOTLINE_OPERATOR
        )
        providers = providers.filter(agency__in=operated.values("agency"))
    return [_public_service(p) for p in providers.order_by("agency__name", "pk")]


@dataclass(frozen=True)
class CommuneChoice:
    code: str
    name: str
    parent_name: str
    # The name the visitor typed matched this commune's name before the 2025 mergers.
    former_name: str = ""


def _choice(place: Place, former_name: str = "") -> CommuneChoice:
    parent = place.parent
    return CommuneChoice(place.code, place.name, parent.name if parent else "", former_name)


def commune_search(q: str) -> list[CommuneChoice]:
    """Today's communes whose name, or former name, matches ``q`` without accents."""
    key = search_key(q)
    if len(key) < MIN_QUERY_LENGTH:
        return []
    today = timezone.localdate()
    communes = place_list(on=today, level=Place.Level.COMMUNE, q=key).order_by("name", "code")
    found = [_choice(p) for p in communes[:MAX_MATCHES]]
    seen = {c.code for c in found}
    # People still say the name of their commune before it was merged.
    former = (
        Place.objects.filter(
            level=Place.Level.COMMUNE, valid_to__lt=today, search_name__contains=key
        )
        .select_related("parent")
        .order_by("name", "code")
    )
    for old in former[:MAX_MATCHES]:
        if len(found) >= MAX_MATCHES:
            break
        try:
            current = current_successor(old)
        except NoSuccessor:
            continue
        if current.level != Place.Level.COMMUNE or current.code in seen:
            continue
        seen.add(current.code)
        found.append(_choice(current, former_name=old.name))
    return found


def commune_get(code: str) -> Place | None:
    """Today's commune with ``code``, or None."""
    if not code.isdigit() or len(code) > 10:
        return None
    today = timezone.localdate()
    return (
        Place.objects.valid_on(today)
        .filter(level=Place.Level.COMMUNE, code=code)
        .select_related("parent", "parent__parent")
        .first()
    )


def services_near(commune: Place) -> list[PublicService]:
    """Public providers serving ``commune``, or its district or province as a whole."""
    areas = [commune.pk]
    parent = commune.parent
    while parent is not None and len(areas) < 3:
        areas.append(parent.pk)
        parent = parent.parent
    providers = (
        public_providers().filter(communes__in=areas).distinct().order_by("agency__name", "pk")
    )
    return [_public_service(p) for p in providers]
