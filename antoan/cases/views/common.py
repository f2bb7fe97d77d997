"""What the case pages share: finding the case, refusing, showing conflicts and errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.models import Membership, User
from antoan.accounts.roles import Perm, Role, role_permissions
from antoan.accounts.selectors import agency_list
from antoan.cases import choices as c
from antoan.cases import forms as case_forms
from antoan.cases import selectors, services
from antoan.cases.models import Case
from antoan.cases.views import timeline
from antoan.core.drafts import draft_key, form_draft_submitted
from antoan.core.permissions import PermissionRequiredMixin, act_as, deny, grant, has_perm
from antoan.places.models import Place
from antoan.places.selectors import place_choices, places_valid_on


def today() -> dt.date:
    """Today in Vietnam by the services' clock, so forms and services agree on dates."""
    return timezone.localdate(services.now())


# --- Places, agencies and people the forms offer ----------------------------------------------


def province_of(place: Place | None) -> Place | None:
    """The province a place lies in (itself, for a province)."""
    hops = 0
    while place is not None and place.level != Place.Level.PROVINCE and hops < 5:
        place = place.parent
        hops += 1
    return place


def commune_choices(user: Any, perm: Perm) -> list[tuple[str, str]]:
    """Today's communes of the province of the agency through which the user holds ``perm``."""
    membership = grant(user, perm)
    province = province_of(membership.agency.place) if membership else None
    if province is None:
        return []
    day = timezone.localdate()
    communes = places_valid_on(on=day, level=Place.Level.COMMUNE, parent=province)
    return list(communes.order_by("search_name", "code").values_list("code", "name"))


def commune_options(user: Any, perm: Perm) -> list[tuple[str, str]]:
    """Like ``commune_choices``, labelled with the province ("Xã Tân Tiến, Tỉnh Hưng Yên"), so
    that a name picked from a place box's list names one commune in the whole country."""
    membership = grant(user, perm)
    province = province_of(membership.agency.place) if membership else None
    if province is None:
        return []
    return place_choices(on=timezone.localdate(), within=province, level=Place.Level.COMMUNE)


def current_agencies(user: Any, *, exclude: int | None = None) -> Any:
    agencies = agency_list(user=user).order_by("name")
    return agencies.exclude(pk=exclude) if exclude else agencies


def case_workers_of(agency_id: int) -> list[User]:
    """Users who may be assigned cases in an agency today (they hold cases.view_assigned)."""
    roles = [role for role in Role.values if Perm.CASE_VIEW_ASSIGNED in role_permissions(role)]
    valid = Membership.objects.valid_on(timezone.localdate()).filter(
        agency_id=agency_id, role__in=roles
    )
    return list(
        User.objects.filter(is_active=True, memberships__in=valid)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def agency_names(user: Any, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = agency_list(user=user, include_past=True).filter(pk__in=wanted)
    return dict(rows.values_list("pk", "name"))


# --- Errors from services -----------------------------------------------------------------


def apply_errors(
    error: ValidationError,
    targets: Sequence[forms.Form],
    rows: Mapping[str, Sequence[forms.Form]] | None = None,
) -> None:
    """Show a service's ValidationError on the fields it names.

    ``rows`` maps a list name the services use ("perpetrators", "items") to the formset rows
    that were filled in, in the order they were passed: "items.1.due_on" is the second one.
    Anything that names no field here is shown above the form.
    """
    rows = rows or {}
    if not hasattr(error, "error_dict"):
        targets[0].add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        head, _dot, rest = key.partition(".")
        index, _dot, name = rest.partition(".")
        if head in rows and index.isdigit() and int(index) < len(rows[head]):
            row = rows[head][int(index)]
            if name in row.fields:
                row.add_error(name, errors)
                continue
        for form in targets:
            field = getattr(form, "error_aliases", {}).get(key, key)
            if field in form.fields:
                form.add_error(field, errors)
                break
        else:
            targets[0].add_error(None, errors)


# --- The case pages -----------------------------------------------------------------------


class CasePageMixin(PermissionRequiredMixin):
    """A page about one case: 404 for anyone not on the case, the same as a missing case.

    The declared permission is the least anyone on a case holds. Lacking it answers 404 too,
    not 403: a case id must tell nothing to someone who may not see the case.
    """

    permission = Perm.CASE_VIEW_ASSIGNED

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_perm(request.user, self.permission):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def load_case(self, *, audit: bool = True) -> Case:
        # The audit names the membership through which the case is seen.
        act_as(self.request, Perm.CASE_VIEW_AGENCY) or act_as(self.request, Perm.CASE_VIEW_ASSIGNED)
        return selectors.case_get_for_user(
            self.request.user, self.kwargs["pk"], request=self.request, audit=audit
        )

    def may_edit(self, case: Case) -> bool:
        return services.can_edit(self.request.user, case) is not None

    def may_approve(self, case: Case) -> bool:
        return grant(self.request.user, Perm.CASE_APPROVE, agency_id=case.agency_id) is not None

    def may_hold(self, case: Case) -> bool:
        return grant(self.request.user, Perm.CASE_LEGAL_HOLD, agency_id=case.agency_id) is not None

    def may_assign(self, case: Case) -> bool:
        user = self.request.user
        return self.may_edit(case) and has_perm(user, Perm.CASE_VIEW_AGENCY, case.agency_id)


def conflict_context(user: Any, conflict: services.CaseConflict) -> dict[str, Any]:
    events = conflict.events
    return {
        "entries": timeline.entries(events, agency_names(user, timeline.agency_ids(events))),
        "loaded_version": conflict.loaded_version,
    }


# The permission each kind of action needs on the case's agency, named when refused.
_REQUIRED = {
    "edit": Perm.CASE_EDIT,
    "approve": Perm.CASE_APPROVE,
    "assign": Perm.CASE_VIEW_AGENCY,
    "hold": Perm.CASE_LEGAL_HOLD,
}


class CaseActionView(CasePageMixin, View):
    """A page with one form that changes a case through one service.

    GET shows the form with the case's current version; POST calls :meth:`perform`. A stale
    version re-shows the form as typed, with what changed since; a ValidationError shows
    on the fields it names; success redirects to the case page with a message.
    """

    form_class: type[forms.Form]
    template_name = "cases/action.html"
    fields_template = "cases/_fields.html"
    title = ""
    intro = ""
    submit_label = ""
    # Who may: "edit" (the assigned worker or a supervisor), "approve", "assign", "hold".
    requires = "edit"
    # Records cannot be added to a closed case (reopen it first).
    needs_open = True
    anchor = ""
    # A form name that keeps a server-side draft per case (antoan/cases/drafts.py), or ''.
    draft_form = ""

    # Hooks ---------------------------------------------------------------------------------

    def form_kwargs(self, case: Case) -> dict[str, Any]:
        return {}

    def initial(self, case: Case) -> dict[str, Any]:
        return {}

    def formsets(self, case: Case, data: Any) -> dict[str, Any]:
        return {}

    def unavailable(self, case: Case) -> str:
        """Why the action cannot be taken on the case as it is now ('' when it can)."""
        if self.needs_open and case.status == c.Status.CLOSED:
            return _("Hồ sơ đã đóng; hãy đề nghị giám sát mở lại trước khi cập nhật.")
        return ""

    def perform(self, case: Case, form: Any, formsets: dict[str, Any]) -> str:
        raise NotImplementedError

    def extra_context(self, case: Case) -> dict[str, Any]:
        return {}

    # Machinery -----------------------------------------------------------------------------

    def allowed(self, case: Case) -> bool:
        if self.requires == "approve":
            return self.may_approve(case)
        if self.requires == "assign":
            return self.may_assign(case)
        if self.requires == "hold":
            return self.may_hold(case)
        return self.may_edit(case)

    def checked_case(self, *, audit: bool) -> Case:
        case = self.load_case(audit=audit)
        if not self.allowed(case):
            deny(self.request, _REQUIRED[self.requires])
        return case

    def get(self, request, *args, **kwargs) -> HttpResponse:
        case = self.checked_case(audit=True)
        # Whatever the action: an anonymised case takes nothing more (the services agree).
        anonymised = case.anonymised_at is not None
        reason = (
            _("Hồ sơ đã được ẩn danh theo thời hạn lưu trữ; không thể cập nhật.")
            if anonymised
            else self.unavailable(case)
        )
        if reason:
            messages.warning(request, reason)
            return redirect(self.case_url(case))
        form = self.form_class(
            initial={"version": case.version, **self.initial(case)}, **self.form_kwargs(case)
        )
        return self.render(case, form, self.formsets(case, None))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        case = self.checked_case(audit=False)
        form = self.form_class(request.POST, **self.form_kwargs(case))
        sets = self.formsets(case, request.POST)
        conflict = None
        # Validate everything (not short-circuit) so every error shows at once.
        valid = [form.is_valid()] + [formset.is_valid() for formset in sets.values()]
        if all(valid):
            try:
                message = self.perform(case, form, sets)
            except services.CaseConflict as stale:
                conflict = conflict_context(request.user, stale)
            except ValidationError as error:
                apply_errors(
                    error, [form], {name: case_forms.filled(fs) for name, fs in sets.items()}
                )
            else:
                if self.draft_form:
                    form_draft_submitted(request, draft_key(self.draft_form, case.pk))
                messages.success(request, message)
                return redirect(self.case_url(case))
        # Shown again: the view of the case is audited like any other.
        case = self.load_case(audit=True)
        if conflict is not None:
            # What was typed stays; the version moves on so a second "save", made knowingly
            # after reading what changed, goes through.
            data = request.POST.copy()
            data["version"] = str(case.version)
            form = self.form_class(data, **self.form_kwargs(case))
            sets = self.formsets(case, data)
            form.is_valid()
            for formset in sets.values():
                formset.is_valid()
        return self.render(case, form, sets, conflict=conflict, status=409 if conflict else 200)

    def case_url(self, case: Case) -> str:
        url = reverse("cases:detail", args=[case.pk])
        return f"{url}#{self.anchor}" if self.anchor else url

    def render(self, case, form, formsets, *, conflict=None, status=200) -> HttpResponse:
        context = {
            "case": case,
            "form": form,
            "formsets": formsets,
            "title": self.title,
            "intro": self.intro,
            "submit_label": self.submit_label or _("Lưu"),
            "fields_template": self.fields_template,
            "conflict": conflict,
            "draft_key": draft_key(self.draft_form, case.pk) if self.draft_form else "",
            **self.extra_context(case),
        }
        return render(self.request, self.template_name, context, status=status)
