"""The permission engine: deny by default, declare a permission, scope by agency.

Every view declares ``permission`` (a :class:`~antoan.accounts.roles.Perm`) or ``public = True``;
a test walks the URL resolver and fails on any view that does neither. A user holds a
permission through a membership valid today; the membership's agency is the scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.permissions import BasePermission

from antoan.accounts.roles import Perm, role_needs_two_factor, role_permissions

if TYPE_CHECKING:
    from django.http import HttpRequest

    from antoan.accounts.models import Membership, User

_CACHE_ATTR = "_antoan_memberships"


def memberships(user: User | Any, on: dt.date | None = None) -> list[Membership]:
    """The user's memberships valid on a date (today by default), in agencies valid then."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    from antoan.accounts.models import Membership

    day = on or timezone.localdate()
    cache: dict[dt.date, list[Membership]] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if day not in cache:
        rows = (
            Membership.objects.valid_on(day)
            .filter(user=user)
            .select_related("agency", "agency__place")
            .order_by("pk")
        )
        cache[day] = [m for m in rows if m.agency.is_valid_on(day)]
    return cache[day]


def forget_memberships(user: Any) -> None:
    """Drop the per-request cache (after memberships change within one request or test)."""
    user.__dict__.pop(_CACHE_ATTR, None)


def grant(user: User | Any, perm: Perm, agency_id: int | None = None) -> Membership | None:
    """The membership through which the user holds ``perm`` (in ``agency_id``, if given)."""
    for membership in memberships(user):
        if perm in role_permissions(membership.role) and (
            agency_id is None or membership.agency_id == agency_id
        ):
            return membership
    return None


def has_perm(user: User | Any, perm: Perm, agency_id: int | None = None) -> bool:
    return grant(user, perm, agency_id) is not None


def permissions_of(user: User | Any) -> set[Perm]:
    return {perm for m in memberships(user) for perm in role_permissions(m.role)}


def agency_ids_with(user: User | Any, perm: Perm) -> set[int]:
    """Scoping helper: the agencies in which the user holds ``perm`` today."""
    return {m.agency_id for m in memberships(user) if perm in role_permissions(m.role)}


def scope_to_agencies(
    qs: QuerySet, user: User | Any, perm: Perm, field: str = "agency"
) -> QuerySet:
    """Filter ``qs`` to rows whose ``field`` is an agency where the user holds ``perm``."""
    ids = agency_ids_with(user, perm)
    if not ids:
        return qs.none()
    return qs.filter(**{f"{field}__in": ids})


def needs_two_factor(user: User | Any) -> bool:
    """Roles that can reach identifying survivor data, administrators and auditors must log in
    with a second factor."""
    return any(role_needs_two_factor(m.role) for m in memberships(user))


def act_as(request: Any, perm: Perm, agency_id: int | None = None) -> Membership | None:
    """Find the membership granting ``perm`` and remember it as the acting one for the audit."""
    membership = grant(request.user, perm, agency_id)
    if membership is not None:
        getattr(request, "_request", request).acting_membership = membership
    return membership


def deny(request: HttpRequest, perm: Perm | str) -> NoReturn:
    """Record the refusal in the audit log, then refuse."""
    from antoan.core.audit import audit_record

    audit_record(action="permission_denied", request=request, extra={"permission": str(perm)})
    raise PermissionDenied


class PermissionRequiredMixin(LoginRequiredMixin):
    """Base for every page: login, then the declared permission, else 403 (audited)."""

    permission: Perm | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission is None:
            raise PermissionDenied  # a view that forgot to declare is closed, not open
        if not act_as(request, self.permission):
            deny(request, self.permission)
        return super().dispatch(request, *args, **kwargs)


def permission_required(perm: Perm) -> Callable:
    """The function-view form of :class:`PermissionRequiredMixin`."""

    def decorator(view: Callable) -> Callable:
        from functools import wraps

        from django.contrib.auth.views import redirect_to_login

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not act_as(request, perm):
                deny(request, perm)
            return view(request, *args, **kwargs)

        wrapped.permission = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a function view as open to anyone (login, language switch). Use sparingly."""
    view.public = True  # type: ignore[attr-defined]
    return view


class DenyAll(BasePermission):
    """DRF default: an endpoint that declares nothing is closed."""

    def has_permission(self, request, view) -> bool:
        return False


class HasPermission(BasePermission):
    """DRF: authenticated, and holding ``view.permission`` through a valid membership."""

    def has_permission(self, request, view) -> bool:
        perm = getattr(view, "permission", None)
        if perm is None or not (request.user and request.user.is_authenticated):
            return False
        if act_as(request, perm):
            return True
        from antoan.core.audit import audit_record

        audit_record(action="permission_denied", request=request, extra={"permission": str(perm)})
        return False
