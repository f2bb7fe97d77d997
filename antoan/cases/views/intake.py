"""Intake: one form for the survivor, the incident, consent and first needs. Once the whole
form is valid, the service checks for possible duplicates the user may open and asks before
creating; nothing is ever said about cases the user may not open."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases import forms, rules, selectors, services
from antoan.cases.models import Case
from antoan.cases.views.common import apply_errors, commune_choices, commune_options, today
from antoan.core.drafts import form_draft_submitted
from antoan.core.permissions import PermissionRequiredMixin


class IntakeView(PermissionRequiredMixin, View):
    permission = Perm.CASE_CREATE
    template_name = "cases/intake.html"
    # The server-side draft of this form (antoan/cases/drafts.py); '' keeps none.
    draft_form = "cases:intake"

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
                data,
                prefix="incident",
                optional=True,
                initial={"first_reported_on": today()},
                communes=commune_options(self.request.user, Perm.CASE_CREATE),
            ),
            "perpetrators": forms.PerpetratorFormSet(data, prefix="perpetrators"),
            "communes": communes,
            "draft_key": self.draft_form,
        }

    def get(self, request, *args, **kwargs):
        return self.show(self.build())

    def show(self, context: dict[str, Any], *, duplicates: Any = None, status: int = 200):
        if duplicates is not None and duplicates.visible:
            # Visible ones are in the user's scope by definition: link them.
            context["visible_duplicates"] = list(
                selectors.cases_for_user(self.request.user)
                .filter(number__in=duplicates.visible)
                .values_list("pk", "number")
            )
        return render(self.request, self.template_name, context, status=status)

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
                # The first submission asks about possible duplicates the user may open; the
                # service checks only once everything else is valid.
                confirm_duplicates=d["confirm_duplicate"],
                request=request,
            )
        except services.DuplicatesToConfirm as stop:
            return self.show(context, duplicates=stop.report)
        except services.DuplicateChecksExceeded as stop:
            case_form.add_error(None, stop.message)
            return self.show(context, status=429)
        except ValidationError as error:
            apply_errors(error, [survivor, consent, case_form, incident], {"perpetrators": rows})
            return self.show(context)
        if self.draft_form:
            form_draft_submitted(request, self.draft_form)
        if not result.in_scope:
            # A retry of a form whose case has since left the user's scope: its number only.
            messages.info(
                request,
                _(
                    "Hồ sơ %(number)s đã được tạo từ lần gửi trước và nay không còn thuộc "
                    "phạm vi bạn được xem; không tạo thêm hồ sơ mới."
                )
                % {"number": result.case.number},
            )
            return redirect(self.elsewhere())
        return self.opened(result)

    def elsewhere(self) -> str:
        """Where to go after opening a case the user may not see."""
        return reverse("cases:intake")

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
        number = case_number_link(request.user, case)
        if result.created:
            messages.success(request, with_number(_("Đã tạo hồ sơ %(number)s."), number))
        else:
            messages.info(
                request,
                with_number(
                    _("Hồ sơ %(number)s đã được tạo từ lần gửi trước; không tạo thêm hồ sơ mới."),
                    number,
                ),
            )
        return self.to_case_or(case, self.elsewhere())

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


def case_number_link(user: Any, case: Case) -> str:
    """The case number as a link to the case, for someone who may open it; else plain text."""
    if selectors.cases_for_user(user).filter(pk=case.pk).exists():
        return format_html(
            '<a href="{}" class="alert-link" data-testid="new-case-link">{}</a>',
            reverse("cases:detail", args=[case.pk]),
            case.number,
        )
    return conditional_escape(case.number)


def with_number(template: str, number: str) -> str:
    """A translated message with an (already escaped) case number link in it."""
    return mark_safe(conditional_escape(template) % {"number": number})  # noqa: S308


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
