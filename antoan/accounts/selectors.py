"""Reads of accounts data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Perm, Role, role_permissions
from antoan.core.permissions import has_perm


def agency_list(*, user, kind: str | None = None, include_past: bool = False) -> QuerySet[Agency]:
    """Agencies, current ones unless ``include_past``. Agencies are not secret."""
    if not has_perm(user, Perm.AGENCIES_VIEW):
        return Agency.objects.none()
    qs = Agency.objects.select_related("place")
    if not include_past:
        qs = qs.valid_on()
    if kind:
        if kind not in Agency.Kind.values:
            raise ValidationError(
                {"kind": _("Loại cơ quan không hợp lệ: %(kind)s.") % {"kind": kind}}
            )
        qs = qs.filter(kind=kind)
    return qs.order_by("pk")


def holders(agency_id: int, perm: Perm) -> list[User]:
    """Active users holding ``perm`` through a membership in the agency valid today, by name.

    Who to tell: the receiving staff of a referral, the supervisors of a case's agency."""
    roles = [role for role in Role.values if perm in role_permissions(role)]
    valid = Membership.objects.valid_on(timezone.localdate()).filter(
        agency_id=agency_id, role__in=roles
    )
    return list(
        User.objects.filter(is_active=True, memberships__in=valid)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
