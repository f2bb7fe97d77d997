"""Request bodies of the case endpoints: shape and types only; the rules are the services'.

Every object refuses keys it does not know (``StrictSerializer``): a misspelt field would
otherwise be dropped silently.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from antoan.accounts import selectors as account_selectors
from antoan.accounts.roles import Perm
from antoan.api.cases.fields import (
    Answers,
    Code,
    Codes,
    Day,
    Flag,
    Items,
    Moment,
    StrictSerializer,
    Text,
    Uuid,
    Whole,
)
from antoan.api.pagination import MAX_PAGE_SIZE, PAGE_SIZE
from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.services import (
    ConsentInput,
    IncidentInput,
    PerpetratorInput,
    PlanItemInput,
    SurvivorInput,
)
from antoan.core.permissions import grant
from antoan.places.exceptions import PlaceNotFound
from antoan.places.selectors import place_get

VERSION_HELP = "The case's `version` as you loaded it; a stale one is refused with 409."
APPEND_VERSION_HELP = (
    "Optional: the case's `version` as you loaded it (409 when stale). Without it the record "
    "is appended whatever happened since, as it overwrites nothing."
)


def version_field(*, required: bool) -> Whole:
    if required:
        return Whole(min_value=1, help_text=VERSION_HELP)
    return Whole(min_value=1, required=False, allow_null=True, help_text=APPEND_VERSION_HELP)


class AgencyRef(Whole):
    """The id of an agency valid today (see ``GET /api/v1/agencies``)."""

    default_error_messages = {
        **Whole.default_error_messages,
        "unknown": _("Không có cơ quan đang hoạt động với mã số {value}."),
    }

    def __init__(self, **kwargs: Any) -> None:
        # Validators would run on the Agency this returns; an unknown id is refused anyway.
        kwargs["max_value"] = None
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        pk = super().to_internal_value(data)
        agency = account_selectors.agency_list(user=self.context["user"]).filter(pk=pk).first()
        if agency is None:
            self.fail("unknown", value=pk)
        return agency


def commune_field(help_text: str) -> Text:
    return Text(
        required=False, allow_null=True, allow_blank=True, max_length=10, help_text=help_text
    )


# --- Intake ---------------------------------------------------------------------------------


class SurvivorIn(StrictSerializer):
    full_name = Text(help_text="Stored encrypted.")
    sex = Code(c.Sex)
    birth_year = Whole(required=False, allow_null=True, min_value=0, max_value=9999)
    date_of_birth = Day(required=False, allow_null=True, help_text="Stored encrypted.")
    age_at_intake = Whole(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=999,
        help_text="When neither the date nor the year of birth is known.",
    )
    phone = Text(required=False, allow_blank=True, help_text="Stored encrypted.")
    other_names = Text(required=False, allow_blank=True, help_text="Stored encrypted.")
    national_id = Text(required=False, allow_blank=True, help_text="Stored encrypted.")
    address = Text(required=False, allow_blank=True, help_text="Stored encrypted.")
    guardian_name = Text(required=False, allow_blank=True, help_text="For a child; encrypted.")
    guardian_phone = Text(required=False, allow_blank=True, help_text="For a child; encrypted.")
    commune = commune_field("Statistics-office code of a current commune of residence.")
    disability = Flag(required=False)
    ethnicity = Text(required=False, allow_blank=True)
    marital_status = Code(c.MaritalStatus, required=False, allow_blank=True)
    occupation = Text(required=False, allow_blank=True)

    def validate_commune(self, value: str | None) -> str | None:
        if not value:
            return None
        place_get(code=value, level="commune", on=timezone.localdate())  # PlaceNotFound → 400
        return value


def survivor_input(data: dict[str, Any]) -> SurvivorInput:
    return SurvivorInput(**data)


class PerpetratorIn(StrictSerializer):
    sex = Code(c.Sex)
    age_group = Code(c.AgeGroup)
    relationship = Code(c.Relationship)
    occupation = Text(required=False, allow_blank=True)
    details = Text(required=False, allow_blank=True, help_text="Identifying details; encrypted.")


class IncidentIn(StrictSerializer):
    occurred_on = Day()
    first_reported_on = Day()
    commune = commune_field(
        "Code of the commune where it happened, valid on `occurred_on` (pre-2025 codes for "
        "old incidents)."
    )
    gbv_type = Code(
        c.GbvType,
        required=False,
        allow_null=True,
        help_text="Required unless `acts` is given; must match the type `acts` classify to.",
    )
    acts = Codes(
        name="GbvAct",
        choices=[(code, code) for code in rules.ACT_CODES],
        required=False,
        help_text="What happened; the GBVIMS type is the first of these in the ordered rule.",
    )
    dv_forms = Codes(c.DvForm, required=False)
    contexts = Codes(c.Context, required=False)
    description = Text(required=False, allow_blank=True, help_text="Stored encrypted.")
    consent_statistics = Flag(
        required=False,
        allow_null=True,
        help_text="Default: the case's current consent to statistics reporting.",
    )
    perpetrators = Items(child=PerpetratorIn(), required=False, max_length=20)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        code = attrs.get("commune")
        if code:
            try:
                place_get(code=code, level="commune", on=attrs["occurred_on"])
            except PlaceNotFound as exc:
                raise serializers.ValidationError({"commune": exc.messages}) from exc
        else:
            attrs["commune"] = None
        return attrs


def incident_input(data: dict[str, Any]) -> IncidentInput:
    data = {key: value for key, value in data.items() if key != "version"}
    people = data.pop("perpetrators", [])
    return IncidentInput(**data, perpetrators=[PerpetratorInput(**person) for person in people])


class ConsentIn(StrictSerializer):
    services = Flag(help_text="Consent to receive services and be referred.")
    reporting = Flag(help_text="Consent to be counted in statistics reports.")
    given_by = Code(
        c.ConsentGivenBy,
        required=False,
        default=c.ConsentGivenBy.SURVIVOR.value,
        help_text="`guardian` for a child under 18.",
    )
    child_agreed = Flag(
        required=False,
        allow_null=True,
        default=None,
        help_text="The child's own agreement, required from age 7 when consent is given.",
    )
    method = Code(c.ConsentMethod, required=False, default=c.ConsentMethod.VERBAL.value)


class CaseOpenIn(StrictSerializer):
    client_uuid = Uuid(
        required=False,
        allow_null=True,
        help_text="Chosen by the client: a retried request returns the first case (201 again, "
        "header `Idempotent-Replayed: true`).",
    )
    source = Code(c.Source)
    survivor = SurvivorIn()
    incident = IncidentIn(required=False, allow_null=True)
    consent = ConsentIn()
    needs = Codes(c.Need, required=False)
    risk_level = Code(c.RiskLevel, required=False, allow_null=True)
    immediate_danger = Flag(required=False, help_text="true sets the risk level to immediate.")
    agency = AgencyRef(
        required=False,
        allow_null=True,
        help_text="Owning agency; default: the caller's agency where they may create cases.",
    )

    def validate_agency(self, agency: Any) -> Any:
        if agency is not None and grant(self.context["user"], Perm.CASE_CREATE, agency.pk) is None:
            raise serializers.ValidationError(_("Bạn không có quyền tạo hồ sơ cho cơ quan này."))
        return agency


class CaseUpdateIn(StrictSerializer):
    version = version_field(required=True)
    risk_level = Code(c.RiskLevel, required=False)
    immediate_danger = Flag(required=False)
    needs = Codes(c.Need, required=False)
    source = Code(c.Source, required=False)
    assigned_to = Whole(
        required=False,
        help_text="User id of a case worker of the case's agency (supervisors only).",
    )


# --- Records --------------------------------------------------------------------------------


class IncidentAddIn(IncidentIn):
    version = version_field(required=False)


class AssessmentIn(StrictSerializer):
    needs = Codes(c.Need)
    answers = Answers(help_text="Risk questions answered: `{question_code: true|false}`.")
    immediate_danger = Flag(required=False, default=False)
    notes = Text(required=False, allow_blank=True, default="", help_text="Stored encrypted.")
    version = version_field(required=False)


class FollowUpIn(StrictSerializer):
    done_on = Day()
    method = Code(c.FollowUpMethod)
    notes = Text(required=False, allow_blank=True, default="", help_text="Stored encrypted.")
    next_due = Day(required=False, allow_null=True, default=None)
    version = version_field(required=False)


class NoteIn(StrictSerializer):
    body = Text(help_text="Stored encrypted; shown as text, never as markup.")
    version = version_field(required=False)


class SafetyPlanIn(StrictSerializer):
    content = Text(help_text="Stored encrypted.")
    version = version_field(required=False)


class PlanItemIn(StrictSerializer):
    service = Code(c.Need)
    responsible_agency = AgencyRef()
    due_on = Day()


class CasePlanIn(StrictSerializer):
    goals = Text(help_text="Stored encrypted.")
    items = Items(child=PlanItemIn(), max_length=50)
    version = version_field(required=False)


def plan_items(items: list[dict[str, Any]]) -> list[PlanItemInput]:
    return [PlanItemInput(**item) for item in items]


class ConsentRecordIn(ConsentIn):
    sharing_agencies = Items(
        child=AgencyRef(),
        required=False,
        max_length=50,
        help_text="Agencies the survivor agrees to share the case with.",
    )
    version = version_field(required=False)


def consent_input(data: dict[str, Any]) -> ConsentInput:
    data = {key: value for key, value in data.items() if key != "version"}
    return ConsentInput(**data)


class ConsentWithdrawIn(StrictSerializer):
    purpose = Code(c.ConsentPurpose)
    version = version_field(required=False)


# --- Workflow -------------------------------------------------------------------------------


class MeasureIn(StrictSerializer):
    type = Code(c.MeasureType)
    deciding_body = Code(c.DecidingBody)
    requested_at = Moment(required=False, allow_null=True, help_text="Default: now.")
    version = version_field(required=False)


class MeasureDecisionIn(StrictSerializer):
    decision = Code(
        name="MeasureDecisionMade",
        choices=[
            (c.MeasureDecision.GRANTED.value, c.MeasureDecision.GRANTED.label),
            (c.MeasureDecision.REFUSED.value, c.MeasureDecision.REFUSED.label),
        ],
    )
    decided_at = Moment()
    starts_at = Moment(required=False, allow_null=True, default=None)
    ends_at = Moment(
        required=False,
        allow_null=True,
        default=None,
        help_text="No-contact orders: at most 3 days (commune chair), 4 months (court).",
    )
    refusal_reason = Text(required=False, allow_blank=True, default="")
    late_reason = Text(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when a commune no-contact order is decided after 12 hours.",
    )
    version = version_field(required=False)


class ClosureRequestIn(StrictSerializer):
    reason = Text()
    checklist = Answers(
        help_text="Every item of the closure checklist, each `true`: "
        + ", ".join(f"`{code}`" for code in rules.CLOSURE_CHECKLIST)
        + "."
    )
    missing_reason = Text(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the case is closed although something is still missing (no assessment "
        "or case plan, open referrals, needs not met, protection measures pending or in "
        "force). Required then; kept encrypted and shown to the approving supervisor.",
    )
    version = version_field(required=True)


class ClosureDecisionIn(StrictSerializer):
    approve = Flag()
    comment = Text(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when returning, and when approving a case that still lacks "
        "something the request's `missing_reason` did not explain.",
    )
    version = version_field(required=False)


class ReopenIn(StrictSerializer):
    reason = Text()
    version = version_field(required=True)


class TransferIn(StrictSerializer):
    to_agency = AgencyRef()
    reason = Text()
    version = version_field(required=True)


class TransferDecisionIn(StrictSerializer):
    accept = Flag()
    assign_to = Whole(
        required=False,
        allow_null=True,
        default=None,
        help_text="User id of a case worker of the receiving agency (on accepting).",
    )
    decline_reason = Text(
        required=False, allow_blank=True, default="", help_text="Required when declining."
    )


class CaseQuery(serializers.Serializer):
    """``GET /api/v1/cases`` filters (query string, so plain DRF parsing).

    None of them identifies a person: a name, phone or case number is searched with
    ``POST /api/v1/cases/search`` (``CaseSearchIn``), so it never lands in an access log.
    """

    status = Code(c.Status, required=False)
    stage = Code(c.Stage, required=False)
    risk_level = Code(c.RiskLevel, required=False)
    commune = Text(required=False, max_length=10)
    mine = serializers.BooleanField(
        required=False,
        default=False,
        error_messages={"invalid": _("Cần true hoặc false.")},
    )


class CaseSearchIn(StrictSerializer):
    """``POST /api/v1/cases/search``: the list's filters and the search terms, in the body."""

    q = Text(
        required=False,
        max_length=200,
        allow_blank=True,
        help_text="Case number, phone, or words of the name (with or without diacritics).",
    )
    status = Code(c.Status, required=False)
    stage = Code(c.Stage, required=False)
    risk_level = Code(c.RiskLevel, required=False)
    commune = Text(
        required=False, max_length=10, allow_blank=True, help_text="Survivor's commune code."
    )
    mine = Flag(required=False, default=False, help_text="Only cases assigned to you.")
    cursor = Text(
        required=False,
        max_length=200,
        help_text="The previous answer's `next_cursor`; any other value is refused.",
    )
    limit = Whole(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Page size (default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
    )
