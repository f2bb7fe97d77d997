"""What the programme pages share: the sub-navigation, places typed by code, the agencies a
user may pick, and showing service errors on forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.accounts.selectors import agency_list
from antoan.cases.views.common import commune_choices, province_of
from antoan.core.permissions import deny, grant, has_perm
from antoan.places.models import Place
from antoan.programme import clock, selectors
from antoan.programme.models import Plan
from antoan.programme.selectors.campaigns import reminders_for_user

PAGE_SIZE = 25


def may_see_activities(user: Any) -> bool:
    """The coordinator, and reporters (their own agencies'); analysts and managers see totals."""
    return selectors.sees_all_activities(user) or bool(selectors.reporting_agency_ids(user))


def require_activity_access(request: Any) -> None:
    """Analysts and managers hold programme.view but no list of activities: refuse (audited)."""
    if not may_see_activities(request.user):
        deny(request, Perm.PROGRAMME_REPORT)


def may_keep_registry(user: Any) -> bool:
    """Who may add models, influencers and budget lines: reporters and the coordinator."""
    return may_see_activities(user)


def safe_reverse(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def programme_nav(request: Any, active: str) -> dict[str, Any]:
    """Context for templates/programme/_subnav.html."""
    user = request.user
    return {
        "subnav_active": active,
        "may_see_activities": may_see_activities(user),
        "may_report": bool(selectors.reporting_agency_ids(user)),
        "is_coordinator": selectors.sees_all_activities(user),
        "toolkit_url": safe_reverse("programme_toolkit:index") if may_see_activities(user) else "",
        # Reminders of campaigns about to start, for the reporters they were sent to.
        "campaign_reminders": reminders_for_user(user)
        if selectors.reporting_agency_ids(user)
        else [],
        "campaign_today": timezone.localdate(),
        # After the last plan's end, until the next is published (plan 64 ended 31/12/2025).
        "plan_gap": selectors.plan_gap(user),
        "may_build_next_plan": has_perm(user, Perm.PROGRAMME_COORDINATE),
    }


# --- Plans -----------------------------------------------------------------------------------


def plan_from_request(user: Any, value: Any) -> Plan:
    """The plan named in the query string, else the current one; 404 when there is none."""
    if value:
        return selectors.plan_get_for_user(user, value)
    plan = selectors.plan_current(user)
    if plan is None:
        raise Http404
    return plan


def plan_years(plan: Plan) -> list[int]:
    """The plan's years up to this one (nothing to report about the future)."""
    last = min(plan.period_end.year, clock.today().year)
    return list(range(plan.period_start.year, max(last, plan.period_start.year) + 1))


def plan_choices(user: Any) -> list[tuple[int, str]]:
    return [(p.pk, p.number) for p in selectors.plan_list(user)]


# --- Agencies and places ---------------------------------------------------------------------


def reporting_agencies(user: Any) -> list[Agency]:
    ids = selectors.reporting_agency_ids(user)
    return list(Agency.objects.filter(pk__in=ids).order_by("name")) if ids else []


def keeper_agency_choices(user: Any) -> list[tuple[int, str]]:
    """Agencies the user may keep records for: their own as reporter, any for the coordinator."""
    if selectors.sees_all_activities(user):
        return [(a.pk, a.name) for a in agency_list(user=user).order_by("name")]
    return [(a.pk, a.name) for a in reporting_agencies(user)]


def current_agency_choices(user: Any) -> list[tuple[str, str]]:
    return [(str(a.pk), a.name) for a in agency_list(user=user).order_by("name")]


def _programme_perm(user: Any) -> Perm:
    for perm in (Perm.PROGRAMME_REPORT, Perm.PROGRAMME_COORDINATE, Perm.PROGRAMME_VIEW):
        if has_perm(user, perm):
            return perm
    return Perm.PROGRAMME_VIEW


def province_for(user: Any) -> Place | None:
    membership = grant(user, _programme_perm(user))
    return province_of(membership.agency.place) if membership else None


def place_choices(user: Any, *, with_province: bool = True) -> list[tuple[str, str]]:
    """Today's communes of the user's province, the province itself first."""
    communes = commune_choices(user, _programme_perm(user))
    province = province_for(user)
    if with_province and province is not None:
        return [
            (province.code, _("%(name)s (toàn tỉnh)") % {"name": province.name}),
            *communes,
        ]
    return communes


def place_by_code(code: str, on: dt.date | None = None) -> Place | None:
    """The administrative unit with a statistics code on a date (codes are reused)."""
    code = (code or "").strip()
    if not code:
        return None
    day = on or timezone.localdate()
    return (
        Place.objects.valid_on(day)
        .filter(code=code, level__in=Place.Level.values)
        .order_by("level")
        .first()
    )


def no_place_message(code: str, on: dt.date) -> str:
    return _(
        "Không có đơn vị hành chính mã %(code)s vào ngày %(day)s. Với hoạt động trước "
        "01/07/2025, hãy dùng mã của đơn vị khi đó (ví dụ mã tỉnh 33)."
    ) % {"code": code, "day": on.strftime("%d/%m/%Y")}


def default_place_code(user: Any) -> str:
    membership = grant(user, _programme_perm(user))
    return membership.agency.place.code if membership else ""


# --- Errors ----------------------------------------------------------------------------------


def add_errors(form: Any, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's ValidationError on the fields it names, the rest above the form."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, errors)
