"""Response bodies of the case endpoints.

Users appear as ids (``*_by``): names only where the selectors load them anyway (the assigned
worker, the timeline's actors), so a case with many records costs no extra query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from antoan.api.cases.fields import Code
from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.models import Case, Consent, ProtectionMeasure

CASE_VERSION_HELP = "The case's version after this write: send it with your next change."


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class PageOut(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null.")


# --- The case and its survivor ---------------------------------------------------------------


class SurvivorBriefOut(serializers.Serializer):
    full_name = serializers.CharField()
    sex = Code(c.Sex)
    birth_year = serializers.IntegerField(allow_null=True)
    commune = serializers.CharField(source="commune.code", allow_null=True)


class SurvivorOut(SurvivorBriefOut):
    other_names = serializers.CharField()
    date_of_birth = serializers.SerializerMethodField()
    age_at_intake = serializers.IntegerField(allow_null=True)
    phone = serializers.CharField()
    national_id = serializers.CharField()
    address = serializers.CharField()
    guardian_name = serializers.CharField()
    guardian_phone = serializers.CharField()
    commune_name = serializers.CharField(source="commune.name", allow_null=True)
    disability = serializers.BooleanField()
    ethnicity = serializers.CharField()
    marital_status = Code(c.MaritalStatus, allow_blank=True)
    occupation = serializers.CharField()

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_date_of_birth(self, survivor) -> str | None:
        return survivor.date_of_birth or None


class CaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Shown instead of the name to everyone else.")
    version = serializers.IntegerField(help_text="Send it back with every change (409 if stale).")
    status = Code(c.Status)
    stage = Code(c.Stage)
    risk_level = Code(c.RiskLevel)
    immediate_danger = serializers.BooleanField()
    source = Code(c.Source)
    needs = serializers.ListField(child=Code(c.Need))
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    assigned_to_name = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_assigned_to_name(self, case: Case) -> str | None:
        return _name(case.assigned_to)


class DuplicatesOut(serializers.Serializer):
    # Cases of other agencies are never mentioned, not even as a flag: whether one exists
    # must not change any answer (they go to a provincial review instead; docs/cases.md).
    cases = serializers.ListField(
        source="visible",
        child=serializers.CharField(),
        help_text="Numbers of possible duplicates you may open already (same name and birth "
        "year, or same phone). Nothing is said about cases you may not open.",
    )


class CaseCreatedOut(CaseOut):
    survivor = SurvivorOut(help_text="As entered, for the caller who entered it.")
    possible_duplicates = DuplicatesOut(source="duplicates")


class CaseReplayedOut(serializers.Serializer):
    """A replayed ``client_uuid`` whose case the caller may no longer open."""

    id = serializers.IntegerField()
    number = serializers.CharField()


class CaseListItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = Code(c.Status)
    stage = Code(c.Stage)
    risk_level = Code(c.RiskLevel)
    opened_at = serializers.DateTimeField()
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    assigned_to_name = serializers.SerializerMethodField()
    survivor = SurvivorBriefOut()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_assigned_to_name(self, case: Case) -> str | None:
        return _name(case.assigned_to)


class CasePageOut(PageOut):
    results = CaseListItemOut(many=True)


class CaseSearchPageOut(serializers.Serializer):
    results = CaseListItemOut(many=True)
    next_cursor = serializers.CharField(
        allow_null=True,
        help_text="Send it back as `cursor` with the same filters for the next page; null at "
        "the end.",
    )


# --- Records ----------------------------------------------------------------------------------


class PerpetratorOut(serializers.Serializer):
    id = serializers.IntegerField()
    sex = Code(c.Sex)
    age_group = Code(c.AgeGroup)
    relationship = Code(c.Relationship)
    occupation = serializers.CharField()
    details = serializers.CharField()


class IncidentOut(serializers.Serializer):
    id = serializers.IntegerField()
    gbv_type = Code(c.GbvType)
    dv_forms = serializers.ListField(child=Code(c.DvForm))
    contexts = serializers.ListField(child=Code(c.Context))
    occurred_on = serializers.DateField()
    commune = serializers.CharField(source="commune.code", allow_null=True)
    first_reported_on = serializers.DateField()
    description = serializers.CharField()
    consent_statistics = serializers.BooleanField()
    perpetrators = PerpetratorOut(many=True)
    created_at = serializers.DateTimeField()
    created_by = serializers.IntegerField(source="created_by_id")


class ConsentOut(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = Code(c.ConsentPurpose)
    granted = serializers.BooleanField()
    agencies = serializers.SerializerMethodField()
    given_by = Code(c.ConsentGivenBy)
    child_agreed = serializers.BooleanField(allow_null=True)
    method = Code(c.ConsentMethod)
    given_at = serializers.DateTimeField()
    recorded_by = serializers.IntegerField(source="recorded_by_id")
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawn_by = serializers.IntegerField(source="withdrawn_by_id", allow_null=True)

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_agencies(self, consent: Consent) -> list[int]:
        # .all() uses the selector's prefetch; values_list() would query per consent.
        return [agency.pk for agency in consent.agencies.all()]


class ConsentCurrentOut(serializers.Serializer):
    services = serializers.BooleanField()
    reporting = serializers.BooleanField()
    sharing = serializers.BooleanField()
    sharing_agencies = serializers.ListField(child=serializers.IntegerField())


class ConsentsOut(serializers.Serializer):
    current = ConsentCurrentOut(help_text="What holds now, per purpose (withdrawals applied).")
    history = ConsentOut(many=True, help_text="Every decision recorded, oldest first.")


def consents_summary(consents: list[Consent]) -> dict[str, Any]:
    """The current decision per purpose: the latest one not withdrawn (as ``consent_current``)."""
    latest: dict[str, Consent] = {}
    for consent in consents:  # ordered by given_at, pk
        if consent.withdrawn_at is None:
            latest[consent.purpose] = consent

    def granted(purpose: str) -> bool:
        record = latest.get(purpose)
        return bool(record and record.granted)

    sharing = latest.get(c.ConsentPurpose.SHARING)
    return {
        "current": {
            "services": granted(c.ConsentPurpose.SERVICES),
            "reporting": granted(c.ConsentPurpose.REPORTING),
            "sharing": granted(c.ConsentPurpose.SHARING),
            "sharing_agencies": [a.pk for a in sharing.agencies.all()] if sharing else [],
        },
        "history": consents,
    }


class AssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    needs = serializers.ListField(child=Code(c.Need))
    answers = serializers.DictField(child=serializers.BooleanField())
    immediate_danger = serializers.BooleanField()
    risk_level = Code(c.RiskLevel)
    notes = serializers.CharField()
    assessed_at = serializers.DateTimeField()
    assessed_by = serializers.IntegerField(source="assessed_by_id")


class SafetyPlanOut(serializers.Serializer):
    id = serializers.IntegerField()
    content = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.IntegerField(source="created_by_id")


class PlanItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    service = Code(c.Need)
    responsible_agency = serializers.IntegerField(source="responsible_agency_id")
    responsible_agency_name = serializers.CharField(source="responsible_agency.name")
    due_on = serializers.DateField()
    status = Code(c.PlanItemStatus)


class CasePlanOut(serializers.Serializer):
    id = serializers.IntegerField()
    goals = serializers.CharField()
    items = PlanItemOut(many=True, source="items.all")
    created_at = serializers.DateTimeField()
    created_by = serializers.IntegerField(source="created_by_id")


class FollowUpOut(serializers.Serializer):
    id = serializers.IntegerField()
    done_on = serializers.DateField()
    method = Code(c.FollowUpMethod)
    notes = serializers.CharField()
    next_due = serializers.DateField(allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id")


class NoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField(help_text="Plain text: escape it when showing it in HTML.")
    created_at = serializers.DateTimeField()
    created_by = serializers.IntegerField(source="created_by_id")


class DeadlineOut(serializers.Serializer):
    kind = Code(
        name="MeasureDeadlineKind",
        choices=[("decision", "decision"), ("end", "end")],
        help_text="`decision`: the law's deadline to decide (no-contact, commune: 12 h); "
        "`end`: when an order in force ends.",
    )
    at = serializers.DateTimeField()
    seconds_left = serializers.IntegerField(help_text="Negative when overdue.")
    overdue = serializers.BooleanField()
    label = serializers.CharField(help_text="E.g. “còn 3 giờ 20 phút”, in the caller's language.")


def measure_deadline(measure: ProtectionMeasure, now: dt.datetime) -> dict[str, Any] | None:
    """The countdown a measure needs: a pending decision's deadline, or an order's end."""
    if measure.decision == c.MeasureDecision.PENDING:
        kind = "decision"
        at = rules.decision_deadline(measure_type=measure.type, requested_at=measure.requested_at)
    elif measure.decision == c.MeasureDecision.GRANTED and measure.ends_at:
        kind, at = "end", measure.ends_at
        if at <= now:
            return None  # ended: nothing left to count down
    else:
        return None
    if at is None:
        return None
    left = rules.countdown(deadline=at, now=now)
    return {
        "kind": kind,
        "at": at,
        "seconds_left": left.seconds_left,
        "overdue": left.overdue,
        "label": left.label(),
    }


class MeasureOut(serializers.Serializer):
    id = serializers.IntegerField()
    type = Code(c.MeasureType)
    deciding_body = Code(c.DecidingBody)
    requested_at = serializers.DateTimeField()
    decision = Code(c.MeasureDecision)
    decided_at = serializers.DateTimeField(allow_null=True)
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    refusal_reason = serializers.CharField()
    late_reason = serializers.CharField()
    deadline = serializers.SerializerMethodField()
    created_by = serializers.IntegerField(source="created_by_id")

    @extend_schema_field(DeadlineOut(allow_null=True))
    def get_deadline(self, measure: ProtectionMeasure) -> dict[str, Any] | None:
        from antoan.cases.services import now

        found = measure_deadline(measure, self.context.get("now") or now())
        return DeadlineOut(found).data if found else None


class ClosureRequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    checklist = serializers.DictField(child=serializers.BooleanField())
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the case lacked when closure was asked: "
        + ", ".join(f"`{code}`" for code in rules.CLOSURE_GAPS)
        + ".",
    )
    missing_reason = serializers.CharField()
    requested_at = serializers.DateTimeField()
    requested_by = serializers.IntegerField(source="requested_by_id")
    decision = Code(c.ClosureDecision)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)
    comment = serializers.CharField()


class TransferOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    from_agency = serializers.IntegerField(source="from_agency_id")
    from_agency_name = serializers.CharField(source="from_agency.name")
    to_agency = serializers.IntegerField(source="to_agency_id")
    to_agency_name = serializers.CharField(source="to_agency.name")
    reason = serializers.CharField()
    requested_at = serializers.DateTimeField()
    requested_by = serializers.IntegerField(source="requested_by_id")
    status = Code(c.TransferStatus)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)
    decline_reason = serializers.CharField()


class TransferIncomingOut(serializers.Serializer):
    """What a receiving supervisor sees before accepting: no survivor data."""

    id = serializers.IntegerField()
    case_number = serializers.CharField(source="case.number")
    from_agency = serializers.IntegerField(source="from_agency_id")
    from_agency_name = serializers.CharField(source="from_agency.name")
    to_agency = serializers.IntegerField(source="to_agency_id")
    reason = serializers.CharField()
    risk_level = Code(c.RiskLevel, source="case.risk_level")
    requested_at = serializers.DateTimeField()


class TransferPageOut(PageOut):
    results = TransferIncomingOut(many=True)


class EventOut(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="What happened, e.g. `opened`, `assessed`.")
    version = serializers.IntegerField(help_text="The case's version after this event.")
    actor = serializers.IntegerField(source="actor_id")
    actor_name = serializers.SerializerMethodField()
    data = serializers.JSONField(help_text="Codes and numbers only, never names.")

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor_name(self, event) -> str:
        return _name(event.actor) or ""


class CaseDetailOut(CaseOut):
    survivor = SurvivorOut()
    incidents = IncidentOut(many=True, source="detail.incidents")
    consents = ConsentsOut(source="detail.consent_summary")
    assessments = AssessmentOut(many=True, source="detail.assessments")
    safety_plans = SafetyPlanOut(many=True, source="detail.safety_plans")
    case_plans = CasePlanOut(many=True, source="detail.case_plans")
    follow_ups = FollowUpOut(many=True, source="detail.follow_ups")
    notes = NoteOut(many=True, source="detail.notes")
    measures = MeasureOut(many=True, source="detail.measures")
    closure_requests = ClosureRequestOut(many=True, source="detail.closure_requests")
    transfers = TransferOut(many=True, source="detail.transfers")
    events = EventOut(many=True, source="detail.events", help_text="The timeline, oldest first.")


# --- Write responses: the record plus the case's new version ---------------------------------


class IncidentWrittenOut(IncidentOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class AssessmentWrittenOut(AssessmentOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class SafetyPlanWrittenOut(SafetyPlanOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class CasePlanWrittenOut(CasePlanOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class FollowUpWrittenOut(FollowUpOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class NoteWrittenOut(NoteOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class MeasureWrittenOut(MeasureOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class ClosureRequestWrittenOut(ClosureRequestOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class TransferWrittenOut(TransferOut):
    version = serializers.IntegerField(source="case_version", help_text=CASE_VERSION_HELP)


class ConsentsWrittenOut(serializers.Serializer):
    consents = ConsentOut(many=True, help_text="One record per purpose decided.")
    version = serializers.IntegerField(help_text=CASE_VERSION_HELP)


class ConsentWithdrawnOut(serializers.Serializer):
    purpose = Code(c.ConsentPurpose)
    withdrawn = serializers.IntegerField(help_text="How many consents were withdrawn.")
    version = serializers.IntegerField(help_text=CASE_VERSION_HELP)


def written(record: Any, case: Case) -> Any:
    """Attach the case's version (after the write) for a ``*WrittenOut``."""
    record.case_version = case.version
    return record


# --- The provincial review of possible duplicates ---------------------------------------------


class DuplicateSideOut(serializers.Serializer):
    """One case of a pair, as a reviewer sees it: no name, no phone."""

    number = serializers.CharField()
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    opened_at = serializers.DateTimeField()
    sex = Code(c.Sex, source="survivor.sex")
    birth_year = serializers.IntegerField(source="survivor.birth_year", allow_null=True)


class DuplicateReviewOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = DuplicateSideOut(help_text="The case whose intake found the match.")
    matched = DuplicateSideOut(help_text="The earlier case it may duplicate.")
    match = Code(c.DuplicateMatch)
    status = Code(c.DuplicateStatus)
    found_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class DuplicateReviewPageOut(PageOut):
    results = DuplicateReviewOut(many=True)
