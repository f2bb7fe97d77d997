"""Intake: one form for the survivor, the incident, consent and first needs, with a check for
possible duplicates before anything is created."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases import forms, rules, selectors, services
from antoan.cases.models import Case
from antoan.cases.views.common import apply_errors, commune_choices, today
from antoan.core.crypto import blind_index, phone_index
from antoan.core.permissions import PermissionRequiredMixin


class IntakeView(PermissionRequiredMixin, View):
    permission = Perm.CASE_CREATE
    template_name = "cases/intake.html"

    def build(self, data: Any = None) -> dict[str, Any]:
        communes = commune_choices(self.request.user, Perm.CASE_CREATE)
        return {
            "survivor": forms.SurvivorForm(data, prefix="survivor", communes=communes),
            "consent": forms.ConsentForm(data, prefix="consent"),
            # A new id each time the empty form is shown; kept through every re-display,
            # so a double submission or a retry creates one case.
            "case": forms.IntakeCaseForm(
                data, initial=None if data is not None else {"client_uuid": uuid.uuid4()}
            ),
            "incident": forms.IncidentForm(
                data, prefix="incident", optional=True, initial={"first_reported_on": today()}
            ),
            "perpetrators": forms.PerpetratorFormSet(data, prefix="perpetrators"),
            "communes": communes,
        }

    def get(self, request, *args, **kwargs):
        return self.show(self.build())

    def show(self, context: dict[str, Any], *, duplicates: Any = None):
        context["duplicates"] = duplicates
        if duplicates is not None and duplicates.visible:
            # Visible ones are in the user's scope by definition: link them.
            context["visible_duplicates"] = list(
                selectors.cases_for_user(self.request.user)
                .filter(number__in=duplicates.visible)
                .values_list("pk", "number")
            )
        return render(self.request, self.template_name, context)

    def post(self, request, *args, **kwargs):
        context = self.build(request.POST)
        survivor, consent, case_form = context["survivor"], context["consent"], context["case"]
        incident, perpetrators = context["incident"], context["perpetrators"]
        valid = [survivor.is_valid(), consent.is_valid(), case_form.is_valid()]
        valid.append(incident.is_valid())
        if not incident.is_blank:
            valid.append(perpetrators.is_valid())
        _check_dates(survivor, incident)
        if not all(valid) or survivor.errors or incident.errors:
            return self.show(context)

        d = case_form.cleaned_data
        replay = _created_before(request.user, d["client_uuid"])
        if not replay and not d["confirm_duplicate"]:
            report = selectors.duplicates_for(request.user, **_indexes(survivor.cleaned_data))
            if report:
                return self.show(context, duplicates=report)

        rows = [] if incident.is_blank else forms.filled(perpetrators)
        try:
            result = self.open_case(
                d,
                survivor=survivor.to_input(),
                consent=consent.to_input(),
                incident=None
                if incident.is_blank
                else incident.to_input([row.to_input() for row in rows]),
                needs=d["needs"],
                risk_level=d["risk_level"] or None,
                client_uuid=d["client_uuid"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(error, [survivor, consent, case_form, incident], {"perpetrators": rows})
            return self.show(context)
        return self.opened(result)

    def open_case(self, d: dict[str, Any], **inputs: Any) -> services.OpenResult:
        """Create the case from the checked forms (a page that opens cases differently, such
        as the hotline's, overrides this and ``opened``)."""
        return services.case_open(
            actor=self.request.user,
            source=d["source"],
            immediate_danger=d["immediate_danger"],
            **inputs,
        )

    def opened(self, result: services.OpenResult) -> HttpResponse:
        request, case = self.request, result.case
        if result.created:
            messages.success(request, _("Đã tạo hồ sơ %(number)s.") % {"number": case.number})
        else:
            messages.info(
                request,
                _("Hồ sơ %(number)s đã được tạo từ lần gửi trước; không tạo thêm hồ sơ mới.")
                % {"number": case.number},
            )
        return self.to_case_or(case, reverse("cases:intake"))

    def to_case_or(self, case: Case, elsewhere: str) -> HttpResponse:
        """The case page if the user may see it; otherwise say who will, and go elsewhere."""
        if selectors.cases_for_user(self.request.user).filter(pk=case.pk).exists():
            return redirect("cases:detail", pk=case.pk)
        # A hotline operator opens cases for an agency's case workers and does not see them.
        messages.info(
            self.request,
            _("Hồ sơ đã được chuyển cho giám sát quản lý ca của %(agency)s để phân công.")
            % {"agency": case.agency.name},
        )
        return redirect(elsewhere)


def _check_dates(survivor: forms.SurvivorForm, incident: forms.IncidentForm) -> None:
    """The rules on dates, shown on their fields together with every other error."""
    day = today()
    s = getattr(survivor, "cleaned_data", {})
    i = getattr(incident, "cleaned_data", {})
    try:
        rules.check_person_dates(
            date_of_birth=s.get("date_of_birth"), birth_year=s.get("birth_year"), today=day
        )
    except ValidationError as error:
        survivor.add_error(None, error)
    for name in ("phone", "guardian_phone"):
        if s.get(name):
            try:
                s[name] = rules.clean_phone(s[name], field=name)
            except ValidationError as error:
                survivor.add_error(None, error)
    if i.get("occurred_on") and i.get("first_reported_on"):
        try:
            rules.check_incident_dates(
                occurred_on=i["occurred_on"],
                first_reported_on=i["first_reported_on"],
                today=day,
                date_of_birth=s.get("date_of_birth"),
                birth_year=s.get("birth_year"),
            )
        except ValidationError as error:
            incident.add_error(None, error)


def _indexes(survivor: dict[str, Any]) -> dict[str, Any]:
    """The blind indexes ``services.case_open`` matches duplicates on."""
    born = survivor.get("date_of_birth")
    return {
        "name_index": blind_index(survivor["full_name"], purpose="name"),
        "birth_year": survivor.get("birth_year") or (born.year if born else None),
        "phone_index": phone_index(survivor.get("phone") or ""),
    }


def _created_before(user: Any, client_uuid: uuid.UUID) -> bool:
    """Whether this form was already submitted successfully (a retry or a double click)."""
    # Scoped to the user's own creations: someone else's id reveals nothing here, and the
    # service refuses it with a field error.
    return Case.objects.filter(client_uuid=client_uuid, created_by=user).exists()
