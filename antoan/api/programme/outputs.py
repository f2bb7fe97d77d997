"""Response bodies of the programme endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from antoan.accounts.models import Agency
from antoan.api.cases.fields import Code
from antoan.api.cases.outputs import PageOut
from antoan.api.programme.inputs import AGE_KEYS
from antoan.cases.choices import Sex
from antoan.programme.choices import (
    ActivityKind,
    AssignmentRole,
    Channel,
    ConferenceFormat,
    EvidenceKind,
    FundingSource,
    ModelKind,
    ModelStatus,
    PlanStatus,
    RecommendationStatus,
    TaskStatus,
    TrainingTopic,
)

# --- Plans and tasks -------------------------------------------------------------------------


class ReportDueOut(serializers.Serializer):
    month = serializers.IntegerField()
    day = serializers.IntegerField()


class ProgrammePlanOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text='The plan file\'s code, e.g. "64-KH-UBND-2021".')
    number = serializers.CharField(help_text='Number and symbol, e.g. "64/KH-UBND".')
    title = serializers.CharField()
    issued_on = serializers.DateField()
    issuing_agency = serializers.IntegerField(source="issuing_agency_id", allow_null=True)
    issuing_agency_name = serializers.CharField(
        source="issuing_agency.name", allow_null=True, default=None
    )
    place = serializers.CharField(source="place.code")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    report_to = serializers.IntegerField(source="report_to_id", allow_null=True)
    report_due = serializers.SerializerMethodField(
        help_text="Yearly reporting deadline (day and month), or null."
    )

    status = Code(
        PlanStatus,
        name="PlanStatus",
        help_text="A plan built in the app is a `draft` (seen only by those who build it), "
        "then `published`; a local plan is `submitted` to the commune's leader in between. "
        "Plans loaded from a plan file are published.",
    )
    parent = serializers.IntegerField(
        source="parent_id",
        allow_null=True,
        help_text="For a commune's local plan: the provincial plan it carries out.",
    )
    copied_from = serializers.IntegerField(
        source="copied_from_id", allow_null=True, help_text="The plan this draft was copied from."
    )
    budget_total = serializers.IntegerField(
        allow_null=True, help_text="In đồng: the local plan's total; its lines add up to it."
    )
    version = serializers.IntegerField(help_text="Send it back with every change (409 if stale).")

    @extend_schema_field(ReportDueOut(allow_null=True))
    def get_report_due(self, plan: Any) -> dict | None:
        if not (plan.report_due_month and plan.report_due_day):
            return None
        return {"month": plan.report_due_month, "day": plan.report_due_day}


class ProgrammePlanPageOut(PageOut):
    results = ProgrammePlanOut(many=True)


class ObjectiveTargetOut(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    comparison = serializers.CharField(help_text='`>=`, `>`, `=`, `<=`, `<` or "".')
    unit = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)


class ObjectiveOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text='e.g. "I.2.a".')
    text = serializers.CharField()
    indicator = serializers.CharField(source="indicator_code", help_text='e.g. "GBV-01", or "".')
    target = serializers.SerializerMethodField()

    @extend_schema_field(ObjectiveTargetOut(allow_null=True))
    def get_target(self, objective: Any) -> dict | None:
        given = (
            objective.target_value is not None
            or objective.target_comparison
            or objective.target_unit
            or objective.target_year
        )
        if not given:
            return None
        value = objective.target_value
        return {
            "value": float(value) if value is not None else None,
            "comparison": objective.target_comparison,
            "unit": objective.target_unit,
            "year": objective.target_year,
        }


class PlanBudgetLineOut(serializers.Serializer):
    year = serializers.IntegerField()
    source = Code(FundingSource, name="FundingSource")
    planned = serializers.IntegerField(help_text="In đồng.")


class ProgrammePlanDetailOut(ProgrammePlanOut):
    implements = serializers.CharField()
    budget_text = serializers.CharField()
    return_reason = serializers.CharField(
        help_text='Why the commune\'s leader returned the local plan, or "".'
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    objectives = ObjectiveOut(many=True, source="objectives.all")
    budget_lines = serializers.SerializerMethodField(
        help_text="A local plan's budget by year and source ([] for a provincial plan: see "
        "`GET /api/v1/programme/budget`)."
    )
    editable = serializers.SerializerMethodField(
        help_text="Whether you may change this draft now (its header, tasks, targets, budget)."
    )
    approvable = serializers.SerializerMethodField(
        help_text="Whether you may publish it now (the coordinator: a provincial draft; the "
        "commune's leader: a submitted local plan)."
    )

    @extend_schema_field(PlanBudgetLineOut(many=True))
    def get_budget_lines(self, plan: Any) -> list[dict]:
        if not plan.is_local:
            return []
        lines = plan.budget_lines.filter(agency_id=plan.issuing_agency_id or 0).order_by(
            "year", "source"
        )
        return [{"year": x.year, "source": x.source, "planned": x.planned} for x in lines]

    @extend_schema_field(serializers.BooleanField())
    def get_editable(self, plan: Any) -> bool:
        from antoan.programme.services.plan_build import may_build

        return plan.status == PlanStatus.DRAFT and may_build(self.context["user"], plan)

    @extend_schema_field(serializers.BooleanField())
    def get_approvable(self, plan: Any) -> bool:
        from antoan.programme.services.plan_build import may_approve

        expected = PlanStatus.SUBMITTED if plan.is_local else PlanStatus.DRAFT
        return plan.status == expected and may_approve(self.context["user"], plan)


class PlanConflictDetail(serializers.Serializer):
    code = serializers.CharField(help_text="`conflict`")
    message = serializers.CharField()
    current_version = serializers.IntegerField()


class PlanConflictError(serializers.Serializer):
    error = PlanConflictDetail()


class CoverageRowOut(serializers.Serializer):
    commune = serializers.CharField(source="commune.code", help_text="Statistics-office code.")
    commune_name = serializers.CharField(source="commune.name")
    agency = serializers.IntegerField(
        source="agency.pk", allow_null=True, default=None, help_text="Its People's Committee."
    )
    plan = serializers.IntegerField(
        source="shown_plan_id",
        allow_null=True,
        help_text=(
            "Its local plan for the year, when you may open it (a draft is its builders' and "
            "approvers'): otherwise null, and `plan_status` alone says a plan exists."
        ),
    )
    plan_status = Code(
        PlanStatus, name="PlanStatus", source="plan.status", allow_null=True, default=None
    )
    budget = serializers.IntegerField(help_text="In đồng: the local plan's lines for the year.")
    activities = serializers.IntegerField(help_text="Logged in the year under the local plan.")
    reporting = serializers.BooleanField(
        help_text="Approved, with activities in the year or its yearly report submitted."
    )
    complete = serializers.BooleanField(
        help_text="An approved plan with a budget for the year, and reporting."
    )


class CoverageTotalsOut(serializers.Serializer):
    communes = serializers.IntegerField()
    with_plan = serializers.IntegerField()
    approved = serializers.IntegerField()
    with_budget = serializers.IntegerField()
    reporting = serializers.IntegerField()
    complete = serializers.IntegerField()


class CoverageOut(serializers.Serializer):
    plan = serializers.IntegerField()
    year = serializers.IntegerField()
    results = CoverageRowOut(many=True)
    totals = CoverageTotalsOut()
    next = serializers.CharField(allow_null=True, help_text="Always null: one page.")


class HeirOut(serializers.Serializer):
    agency = serializers.IntegerField()
    name = serializers.CharField()
    duties = serializers.CharField(help_text="The duties that moved to this agency.")


class AssignmentOut(serializers.Serializer):
    agency = serializers.IntegerField(allow_null=True, help_text="null for a group of agencies.")
    agency_code = serializers.CharField(help_text='"" for a group of agencies.')
    group = serializers.CharField(
        help_text='An agency kind ("commune_committee") when the plan names every agency of '
        'that kind; "" for one agency.'
    )
    name = serializers.CharField(help_text="The agency's name, or the plan's words for a group.")
    role = Code(AssignmentRole, name="AssignmentRole")
    current = HeirOut(
        many=True, help_text="For an agency dissolved since (2025 mergers): who took over."
    )


class ProgrammeTaskOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text='The plan\'s own numbering, e.g. "II.2.a".')
    parent = serializers.CharField(allow_null=True, help_text="The parent task's code.")
    depth = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    label = serializers.CharField(help_text="The title, or the text's first sentence.")
    status = Code(TaskStatus, name="TaskStatus")
    status_comment = serializers.CharField()
    agencies = AssignmentOut(many=True)
    activities = serializers.IntegerField(help_text="Activities under the task or its sub-tasks.")
    people = serializers.IntegerField(help_text="Participants of those activities.")
    female = serializers.IntegerField(help_text="Of whom women and girls.")
    spent = serializers.IntegerField(help_text="Đồng spent on those activities.")
    carries = serializers.CharField(
        allow_null=True,
        help_text="A local plan's task: the code of the provincial task it carries out.",
    )
    communes = serializers.IntegerField(
        help_text="A provincial task: communes whose approved local plan carries it (or a task "
        "under it)."
    )
    local_activities = serializers.IntegerField(
        help_text="Of `activities`, those logged under the communes' local plans (counted once)."
    )
    local_people = serializers.IntegerField(help_text="Participants of those.")


class ProgrammeTaskPageOut(PageOut):
    results = ProgrammeTaskOut(many=True)


# --- Activities ------------------------------------------------------------------------------


class ActivityAgesOut(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {key: serializers.IntegerField() for key in AGE_KEYS}


class ActivityParticipantsOut(serializers.Serializer):
    total = serializers.IntegerField()
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    other = serializers.IntegerField()
    ages = ActivityAgesOut(allow_null=True)


class ActivitySpentOut(serializers.Serializer):
    source = Code(FundingSource, name="FundingSource")
    amount = serializers.IntegerField(help_text="In đồng.")


class ActivityOut(serializers.Serializer):
    """Kind-specific fields are blank (or null) for the other kinds."""

    id = serializers.IntegerField()
    version = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    plan_number = serializers.CharField(source="plan.number")
    kind = Code(ActivityKind, name="ActivityKind")
    title = serializers.CharField()
    description = serializers.CharField()
    tasks = serializers.SerializerMethodField(help_text="Task codes.")
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    partners = serializers.SerializerMethodField(help_text="Agency ids.")
    partners_other = serializers.CharField()
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    target_groups = serializers.ListField(child=serializers.CharField())
    participants = serializers.SerializerMethodField()
    spent = serializers.SerializerMethodField()
    spent_total = serializers.SerializerMethodField(help_text="In đồng.")
    channel = Code(Channel, name="ActivityChannel", allow_blank=True)
    materials_produced = serializers.IntegerField(allow_null=True)
    materials_distributed = serializers.IntegerField(allow_null=True)
    topic = Code(TrainingTopic, name="TrainingTopic", allow_blank=True)
    training_of_trainers = serializers.BooleanField()
    pre_test_score = serializers.FloatField(allow_null=True)
    post_test_score = serializers.FloatField(allow_null=True)
    conference_format = Code(ConferenceFormat, name="ConferenceFormat", allow_blank=True)
    destination = serializers.CharField()
    units_inspected = serializers.CharField()
    findings = serializers.CharField()
    recipient = serializers.CharField()
    reason = serializers.CharField()
    decision_number = serializers.CharField()
    decision_date = serializers.DateField(allow_null=True)
    decided_by = serializers.CharField()
    community_model = serializers.IntegerField(source="community_model_id", allow_null=True)
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="Warnings that did not block saving: `agency_not_assigned`.",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tasks(self, activity: Any) -> list[str]:
        return [t.code for t in sorted(activity.tasks.all(), key=lambda t: t.order)]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_partners(self, activity: Any) -> list[int]:
        return sorted(p.pk for p in activity.partners.all())

    @extend_schema_field(ActivityParticipantsOut)
    def get_participants(self, activity: Any) -> dict:
        ages = {key: getattr(activity, name) for key, name in AGE_KEYS.items()}
        return {
            "total": activity.participants_total,
            "female": activity.participants_female,
            "male": activity.participants_male,
            "other": activity.participants_other,
            "ages": None if any(v is None for v in ages.values()) else ages,
        }

    @extend_schema_field(ActivitySpentOut(many=True))
    def get_spent(self, activity: Any) -> list[dict]:
        return [{"source": s.source, "amount": s.amount} for s in activity.spending.all()]

    @extend_schema_field(serializers.IntegerField())
    def get_spent_total(self, activity: Any) -> int:
        return sum(s.amount for s in activity.spending.all())


class ActivityPageOut(PageOut):
    results = ActivityOut(many=True)


class TraineeOut(serializers.Serializer):
    full_name = serializers.CharField()
    sex = Code(Sex)
    position = serializers.CharField()
    agency_name = serializers.CharField()
    pre_score = serializers.FloatField(allow_null=True)
    post_score = serializers.FloatField(allow_null=True)


class InspectionMemberOut(serializers.Serializer):
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    name = serializers.CharField()
    role = serializers.CharField()


class RecommendationOut(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    responsible = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    status = Code(RecommendationStatus, name="RecommendationStatus")
    follow_up = serializers.CharField()


class EvidenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = Code(EvidenceKind, name="EvidenceKind")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class CommentOut(serializers.Serializer):
    author = serializers.SerializerMethodField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_author(self, comment: Any) -> str:
        return comment.author.get_full_name() or comment.author.get_username()


class ActivityDetailOut(ActivityOut):
    trainees = TraineeOut(many=True, source="trainees.all")
    members = InspectionMemberOut(many=True, source="inspection_members.all")
    recommendations = RecommendationOut(many=True, source="recommendations.all")
    evidence = EvidenceOut(many=True, source="evidence.all", help_text="Files on record.")
    comments = CommentOut(many=True, source="comments.all", help_text="The coordinator's.")
    editable = serializers.SerializerMethodField(
        help_text="Whether you may change it now (your agency's, and its year not submitted)."
    )

    @extend_schema_field(serializers.BooleanField())
    def get_editable(self, activity: Any) -> bool:
        from antoan.programme.services import may_edit_activity

        return may_edit_activity(self.context["user"], activity)


# --- Models registry and budget --------------------------------------------------------------


class CommunityModelOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = Code(ModelKind, name="ModelKind")
    name = serializers.CharField()
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    founded_on = serializers.DateField(allow_null=True)
    status = Code(ModelStatus, name="ModelStatus")
    members_total = serializers.IntegerField()
    members_female = serializers.IntegerField()
    activities = serializers.IntegerField(source="activity_count")
    note = serializers.CharField()
    version = serializers.IntegerField()


class CommunityModelPageOut(PageOut):
    results = CommunityModelOut(many=True)


class BudgetRowOut(serializers.Serializer):
    agency = serializers.IntegerField(source="agency.pk")
    agency_name = serializers.CharField(source="agency.name")
    year = serializers.IntegerField()
    source = Code(FundingSource, name="FundingSource")
    planned = serializers.IntegerField(help_text="In đồng.")
    allocated = serializers.IntegerField(help_text="In đồng.")
    spent = serializers.IntegerField(help_text="In đồng: the sum of the activities' spending.")
    execution_rate = serializers.FloatField(
        allow_null=True, help_text="Spent as a percentage of allocated; null if none allocated."
    )


class AgencyBudgetOut(serializers.Serializer):
    agency = serializers.IntegerField(source="agency.pk")
    agency_name = serializers.CharField(source="agency.name")
    planned = serializers.IntegerField()
    allocated = serializers.IntegerField()
    spent = serializers.IntegerField()
    execution_rate = serializers.FloatField(allow_null=True)


class BudgetPageOut(PageOut):
    plan = serializers.IntegerField(allow_null=True, help_text="The plan the figures are for.")
    results = BudgetRowOut(many=True)
    by_agency = AgencyBudgetOut(
        many=True, help_text="The same rows summed per agency (all years and sources shown)."
    )


def assignment_body(responsible: Any) -> dict[str, Any]:
    """One ``selectors.Responsible`` as the API shows it."""
    a = responsible.assignment
    agency: Agency | None = a.agency
    return {
        "agency": agency.pk if agency else None,
        "agency_code": agency.code if agency else "",
        "group": a.group,
        "name": responsible.name,
        "role": a.role,
        "current": [
            {"agency": heir.pk, "name": heir.name, "duties": duties}
            for heir, duties in responsible.current
        ],
    }
