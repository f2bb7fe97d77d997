"""Writes of the service directory: provider entries (demo, admin tools) and shelter occupancy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases.choices import Need
from antoan.core.audit import audit_record
from antoan.core.permissions import grant
from antoan.core.phones import parse_phone
from antoan.places.models import Place
from antoan.referrals.models import Provider, ProviderContact


@dataclass(frozen=True)
class ContactInput:
    name: str
    role: str
    phone: str


@transaction.atomic
def provider_save(
    *,
    agency: Agency,
    services: list[str],
    communes: list[Place],
    address: str = "",
    hours: str = "",
    always_open: bool = False,
    emergency_phone: str = "",
    languages: str = "",
    accessible: bool = False,
    active: bool = True,
    confidential: bool = False,
    capacity: int | None = None,
    location: str = "",
    contacts: list[ContactInput] = (),  # type: ignore[assignment]
    actor: Any = None,
    request: Any = None,
) -> Provider:
    """Create or update the directory entry of ``agency`` (idempotent: used by seeding)."""
    unknown = [s for s in services if s not in Need.values]
    if unknown:
        raise ValidationError({"services": [_("Dịch vụ không xác định: %s.") % ", ".join(unknown)]})
    provider = Provider.objects.select_for_update().filter(agency=agency).first()
    provider = provider or Provider(agency=agency)
    provider.services = list(dict.fromkeys(services))
    provider.address, provider.hours, provider.always_open = address, hours, always_open
    provider.emergency_phone = _phone(emergency_phone, "emergency_phone")
    provider.languages = languages
    provider.accessible, provider.active = accessible, active
    provider.confidential = confidential
    provider.capacity = capacity
    if capacity is not None and provider.occupancy > capacity:
        raise ValidationError({"capacity": [_("Sức chứa nhỏ hơn số người đang ở.")]})
    if capacity is None:
        provider.occupancy = 0
    provider.location = location
    provider.full_clean(exclude=["communes"])
    created = provider.pk is None
    provider.version = (provider.version or 0) + (0 if created else 1)
    provider.save()
    provider.communes.set(communes)
    provider.contacts.all().delete()
    ProviderContact.objects.bulk_create(
        ProviderContact(
            provider=provider,
            name=c.name,
            role=c.role,
            phone=_phone(c.phone, f"contacts.{i}.phone"),
            order=i,
        )
        for i, c in enumerate(contacts)
    )
    audit_record(
        action="create" if created else "update",
        request=request,
        user=actor,
        object_type="provider",
        object_id=provider.pk,
    )
    return provider


def _phone(value: str, field: str) -> str:
    """A directory number in the stored form; public services' short numbers (113) too."""
    try:
        return parse_phone(value, allow_service=True)
    except ValidationError as error:
        raise ValidationError({field: [error]}) from None


def _locked_shelter(provider: Provider, actor: Any) -> tuple[Provider, Any]:
    membership = grant(actor, Perm.SHELTER_UPDATE, provider.agency_id)
    if membership is None:
        raise PermissionDenied
    # The row lock serialises admissions: two admissions to the last place cannot both pass.
    locked = Provider.objects.select_for_update().get(pk=provider.pk)
    if locked.capacity is None:
        raise ValidationError(_("Cơ sở này không phải nơi tạm lánh."))
    return locked, membership


def _save_occupancy(locked: Provider, value: int, actor: Any, membership: Any, request: Any):
    if value < 0:
        raise ValidationError({"occupancy": [_("Số người đang ở không thể nhỏ hơn 0.")]})
    if value > (locked.capacity or 0):
        raise ValidationError(
            {
                "occupancy": [
                    _("Nơi tạm lánh đã đủ chỗ (sức chứa %(capacity)s).")
                    % {"capacity": locked.capacity}
                ]
            }
        )
    before = locked.occupancy
    locked.occupancy = value
    locked.version += 1
    locked.save(update_fields=["occupancy", "version", "updated_at"])
    audit_record(
        action="update",
        request=request,
        user=actor,
        membership=membership,
        object_type="provider",
        object_id=locked.pk,
        changed_fields=["occupancy"],
        extra={"from": before, "to": value},
    )
    return locked


@transaction.atomic
def shelter_occupancy_set(
    *, provider: Provider, actor: Any, occupancy: int, version: int | None, request: Any = None
) -> Provider:
    """Set the number of people staying; refused when ``version`` is stale."""
    locked, membership = _locked_shelter(provider, actor)
    if version is not None and version != locked.version:
        raise ValidationError(
            {
                "occupancy": [
                    _("Số người đang ở vừa được người khác cập nhật (hiện là %(n)s). Hãy tải lại.")
                    % {"n": locked.occupancy}
                ]
            }
        )
    return _save_occupancy(locked, occupancy, actor, membership, request)


@transaction.atomic
def shelter_admit(
    *, provider: Provider, actor: Any, count: int = 1, request: Any = None
) -> Provider:
    """Admit ``count`` people, never beyond capacity."""
    locked, membership = _locked_shelter(provider, actor)
    return _save_occupancy(locked, locked.occupancy + count, actor, membership, request)


@transaction.atomic
def shelter_discharge(
    *, provider: Provider, actor: Any, count: int = 1, request: Any = None
) -> Provider:
    """``count`` people leave, never below zero."""
    locked, membership = _locked_shelter(provider, actor)
    return _save_occupancy(locked, locked.occupancy - count, actor, membership, request)
