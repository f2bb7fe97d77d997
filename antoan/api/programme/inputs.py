"""Request bodies and query strings of the programme endpoints: shape and types only.

The rules (sums that add up, dates inside the plan, what each kind needs) are the services'.
Every object refuses keys it does not know: a misspelt field must not be dropped silently.
Kind-specific fields (``channel``, ``topic``, ``findings``...) are top-level, as on the activity
that comes back; one sent for another kind is refused rather than ignored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from antoan.accounts import selectors as account_selectors
from antoan.api.cases.fields import (
    MAX_INT,
    NOT_NULL,
    REQUIRED,
    Code,
    Codes,
    Day,
    Flag,
    Items,
    StrictSerializer,
    Text,
    Uuid,
    Whole,
)
from antoan.cases.choices import Sex
from antoan.programme.choices import (
    ActivityKind,
    Channel,
    ConferenceFormat,
    FundingSource,
    ModelKind,
    ModelStatus,
    PlanStatus,
    RecommendationStatus,
    TargetGroup,
    TrainingTopic,
)
from antoan.programme.models import Activity, Recommendation, text_limit

MAX_AMOUNT = 10**15  # đồng: far above any programme budget, far below the column's limit
VERSION_HELP = "The activity's `version` as you loaded it; a stale one is refused with 409."


class AgencyId(Whole):
    """The id of an agency (``GET /api/v1/agencies``); with ``include_past`` also dissolved
    ones, which partners and inspection members of earlier years may be."""

    default_error_messages = {
        **Whole.default_error_messages,
        "unknown": _("Không có cơ quan với mã số {value}."),
    }

    def __init__(self, *, include_past: bool = False, **kwargs: Any) -> None:
        self.include_past = include_past
        # Validators would run on the Agency this returns; the range is checked here instead.
        kwargs["max_value"] = None
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        pk = super().to_internal_value(data)
        agencies = account_selectors.agency_list(
            user=self.context["user"], include_past=self.include_past
        )
        agency = agencies.filter(pk=pk).first() if 0 < pk <= MAX_INT else None
        if agency is None:
            self.fail("unknown", value=pk)
        return agency


@extend_schema_field(OpenApiTypes.NUMBER)
class Score(serializers.Field):
    """A test score in per cent (0-100), one decimal kept."""

    default_error_messages = {
        "required": REQUIRED,
        "null": NOT_NULL,
        "invalid": _("Cần một số."),
        "range": _("Điểm tính theo phần trăm, từ 0 đến 100."),
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if not 0 <= data <= 100:
            self.fail("range")
        return Decimal(str(data)).quantize(Decimal("0.1"))

    def to_representation(self, value: Any) -> float:
        return float(value)


def optional_text(max_length: int, help_text: str = "") -> Text:
    return Text(required=False, allow_blank=True, max_length=max_length, help_text=help_text)


class ItemIn(StrictSerializer):
    """An object inside a list. A list is replaced whole, so its items are complete even in a
    PATCH (where DRF would otherwise let required keys go missing)."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        missing = {
            name: [REQUIRED]
            for name, field in self.fields.items()
            if field.required and name not in value
        }
        if missing:
            raise serializers.ValidationError(missing)
        return value


# Age bands as the API names them → the activity's fields.
AGE_KEYS = {
    "under_16": "age_under_16",
    "16_29": "age_16_29",
    "30_59": "age_30_59",
    "60_plus": "age_60_plus",
}


class ActivityAgesIn(StrictSerializer):
    """All four bands or none (`null`); they must add up to `total`."""

    def get_fields(self) -> dict[str, serializers.Field]:
        # "16_29" is no Python name, so the fields are listed here rather than declared.
        return {key: Whole(min_value=0) for key in AGE_KEYS}


class ActivityParticipantsIn(StrictSerializer):
    """People who took part, by sex (adding up to `total`) and optionally by age band."""

    total = Whole(min_value=0, help_text="Must equal female + male + other.")
    female = Whole(required=False, min_value=0, help_text="Default 0.")
    male = Whole(required=False, min_value=0, help_text="Default 0.")
    other = Whole(required=False, min_value=0, help_text="Other or unknown sex; default 0.")
    ages = ActivityAgesIn(required=False, allow_null=True)


class ActivitySpentIn(ItemIn):
    """Money spent from one funding source (each source once)."""

    source = Code(FundingSource, name="FundingSource")
    amount = Whole(min_value=0, max_value=MAX_AMOUNT, help_text="In đồng.")


class TraineeIn(ItemIn):
    full_name = Text(max_length=120)
    sex = Code(Sex)
    position = optional_text(120)
    agency_name = optional_text(255)
    pre_score = Score(required=False, allow_null=True)
    post_score = Score(required=False, allow_null=True)


class InspectionMemberIn(ItemIn):
    agency = AgencyId(include_past=True)
    name = optional_text(120)
    role = optional_text(120)


class RecommendationIn(ItemIn):
    text = Text(max_length=text_limit(Recommendation, "text"))
    responsible = optional_text(255)
    due_date = Day(required=False, allow_null=True)
    status = Code(RecommendationStatus, name="RecommendationStatus", required=False)
    follow_up = optional_text(text_limit(Recommendation, "follow_up"))


class ActivityIn(StrictSerializer):
    plan = Whole(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="A plan's id. Default: the plan whose period contains `start_date`.",
    )
    client_uuid = Uuid(
        required=False,
        allow_null=True,
        help_text="Makes retries safe: the same uuid answers 200 with the activity recorded.",
    )
    kind = Code(ActivityKind, name="ActivityKind")
    title = Text(max_length=255)
    description = optional_text(text_limit(Activity, "description"))
    tasks = Items(
        child=Text(max_length=30),
        max_length=50,
        help_text='Task codes of the plan, as the plan numbers them ("II.3.a").',
    )
    agency = AgencyId(help_text="The organising agency: one you report for.")
    partners = Items(child=AgencyId(include_past=True), required=False, max_length=50)
    partners_other = optional_text(255, "Partners that are not agencies of the system.")
    place = Text(
        max_length=10,
        help_text="Statistics-office code of a place (any level) valid on `start_date`.",
    )
    start_date = Day(help_text="Inside the plan's period, and not in the future.")
    end_date = Day()
    target_groups = Codes(TargetGroup, name="TargetGroup", required=False)
    participants = ActivityParticipantsIn(
        required=False,
        help_text="Required, except for a training whose `trainees` are listed (counted then).",
    )
    spent = Items(child=ActivitySpentIn(), required=False, max_length=20)
    # Communication.
    channel = Code(Channel, name="ActivityChannel", required=False, allow_blank=True)
    materials_produced = Whole(required=False, allow_null=True, min_value=0)
    materials_distributed = Whole(required=False, allow_null=True, min_value=0)
    # Training.
    topic = Code(TrainingTopic, name="TrainingTopic", required=False, allow_blank=True)
    training_of_trainers = Flag(required=False)
    pre_test_score = Score(required=False, allow_null=True, help_text="Per cent, 0-100.")
    post_test_score = Score(required=False, allow_null=True, help_text="Per cent, 0-100.")
    trainees = Items(child=TraineeIn(), required=False, max_length=5000)
    # Conference, workshop, dialogue.
    conference_format = Code(
        ConferenceFormat, name="ConferenceFormat", required=False, allow_blank=True
    )
    # Study visit.
    destination = optional_text(255)
    # Inspection.
    units_inspected = optional_text(text_limit(Activity, "units_inspected"))
    findings = optional_text(text_limit(Activity, "findings"))
    members = Items(child=InspectionMemberIn(), required=False, max_length=200)
    recommendations = Items(child=RecommendationIn(), required=False, max_length=200)
    # Commendation.
    recipient = optional_text(255)
    reason = optional_text(text_limit(Activity, "reason"))
    decision_number = optional_text(60)
    decision_date = Day(required=False, allow_null=True)
    decided_by = optional_text(255)
    # Model activity.
    community_model = Whole(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="A model's id (`GET /api/v1/programme/models`).",
    )


class ActivityUpdateIn(ActivityIn):
    """Only the fields to change, and the version you loaded. Objects merge key by key
    (`participants`, its `ages`); lists (`tasks`, `spent`, `trainees`...) are replaced."""

    plan = None
    client_uuid = None
    version = Whole(min_value=1, help_text=VERSION_HELP)


# --- Query strings ---------------------------------------------------------------------------

_INT_MESSAGES = {
    "invalid": _("Cần một số nguyên."),
    "max_value": _("Giá trị phải nhỏ hơn hoặc bằng {max_value}."),
    "min_value": _("Giá trị phải lớn hơn hoặc bằng {min_value}."),
    "max_string_length": _("Số quá lớn."),
}


def query_int(**kwargs: Any) -> serializers.IntegerField:
    kwargs.setdefault("max_value", MAX_INT)
    return serializers.IntegerField(required=False, error_messages=_INT_MESSAGES, **kwargs)


def query_year() -> serializers.IntegerField:
    return query_int(min_value=1900, max_value=2999)


class ActivityQuery(serializers.Serializer):
    plan = query_int(min_value=1)
    task = Text(required=False, max_length=30)
    kind = Code(ActivityKind, name="ActivityKind", required=False)
    agency = query_int(min_value=1)
    year = query_year()
    place = Text(required=False, max_length=10)
    q = Text(required=False, max_length=200)
    flagged = serializers.BooleanField(
        required=False, default=False, error_messages={"invalid": _("Cần true hoặc false.")}
    )


class ModelQuery(serializers.Serializer):
    kind = Code(ModelKind, name="ModelKind", required=False)
    status = Code(ModelStatus, name="ModelStatus", required=False)
    place = Text(required=False, max_length=10)
    agency = query_int(min_value=1)


class BudgetQuery(serializers.Serializer):
    plan = query_int(min_value=1)
    year = query_year()
    agency = query_int(min_value=1)


class TaskQuery(serializers.Serializer):
    year = query_year()


# --- Building plans --------------------------------------------------------------------------

PLAN_VERSION_HELP = "The plan's `version` as you loaded it; a stale one is refused with 409."


def plan_version() -> Whole:
    return Whole(min_value=1, help_text=PLAN_VERSION_HELP)


class PlanCreateIn(StrictSerializer):
    """A draft: the next provincial plan copied from a plan (the coordinator), or a commune's
    local plan under a published provincial plan (`parent`; the commune's reporter)."""

    copy_from = Whole(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The plan to copy: required for a provincial plan (its tasks, assignments "
        "and targets come along); for a local plan, an earlier local plan of the same commune.",
    )
    number = Text(max_length=60, help_text='Number and symbol, e.g. "12/KH-UBND".')
    title = Text(max_length=400)
    period_start = Day()
    period_end = Day(help_text="A local plan's period lies inside its parent's.")
    parent = Whole(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="For a local plan: the published provincial plan it carries out.",
    )
    agency = AgencyId(
        required=False,
        allow_null=True,
        help_text="For a local plan: the commune's People's Committee (default: the only one "
        "you report for).",
    )
    issued_on = Day(required=False, allow_null=True, help_text="Default: today.")


class PlanUpdateIn(StrictSerializer):
    """The header of a draft: only the fields to change, and the version you loaded."""

    version = plan_version()
    number = Text(max_length=60)
    title = Text(max_length=400)
    issued_on = Day()
    period_start = Day()
    period_end = Day()
    implements = optional_text(10_000, "The plan's legal bases (“Căn cứ”).")
    budget_text = optional_text(10_000, "What the plan says of its funding.")


class PlanVersionIn(StrictSerializer):
    version = plan_version()


class PlanReturnIn(StrictSerializer):
    version = plan_version()
    reason = Text(max_length=4000, help_text="Why the plan goes back to its commune.")


class PlanTaskIn(StrictSerializer):
    """A task of a draft. A provincial plan: `code` in its numbering, optionally under
    `parent`. A local plan: `carries` adopts a task of the provincial plan (its code becomes
    the task's), or `parent` adds a local task under an adopted one (numbered
    "<parent>/<n>")."""

    version = plan_version()
    carries = Text(
        required=False,
        allow_null=True,
        max_length=30,
        help_text='Local plans: a task code of the provincial plan, e.g. "II.2.a".',
    )
    parent = Text(
        required=False, allow_null=True, max_length=30, help_text="A task code of this plan."
    )
    code = Text(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text='Provincial plans: the task\'s code, e.g. "II.3.c". Ignored by local plans.',
    )
    title = optional_text(400, "Adopting a task: default its title.")
    text = optional_text(10_000)


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 9_999_999})
class TargetValue(serializers.Field):
    """A target figure, 0 to 9,999,999, kept to two decimals."""

    default_error_messages = {
        "required": REQUIRED,
        "null": NOT_NULL,
        "invalid": _("Cần một số."),
        "range": _("Chỉ tiêu phải từ 0 đến 9.999.999."),
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if not 0 <= data <= 9_999_999:
            self.fail("range")
        return Decimal(str(data)).quantize(Decimal("0.01"))

    def to_representation(self, value: Any) -> float:
        return float(value)


class ObjectiveTargetIn(StrictSerializer):
    value = TargetValue(required=False, allow_null=True)
    comparison = Code(
        name="TargetComparison",
        choices=[(c, c) for c in (">=", ">", "=", "<=", "<")],
        required=False,
        allow_blank=True,
    )
    unit = optional_text(20, 'e.g. "%".')
    year = Whole(
        required=False,
        allow_null=True,
        min_value=1900,
        max_value=2999,
        help_text="Inside the plan's period.",
    )


class PlanObjectiveIn(StrictSerializer):
    """A target of a draft (section I of a plan)."""

    version = plan_version()
    code = Text(max_length=20, help_text='e.g. "I.2.a".')
    text = Text(max_length=10_000)
    indicator = optional_text(20, 'The indicator it is measured by, e.g. "GBV-01".')
    target = ObjectiveTargetIn(required=False, allow_null=True)


class BudgetLineIn(ItemIn):
    year = Whole(min_value=1900, max_value=2999, help_text="A year of the plan's period.")
    source = Code(FundingSource, name="FundingSource")
    planned = Whole(min_value=0, max_value=MAX_AMOUNT, help_text="In đồng.")


class PlanBudgetIn(StrictSerializer):
    """A local plan's whole budget: its total and, per year and source, what it plans. The
    lines must add up to the total; the lines sent replace the plan's lines."""

    version = plan_version()
    total = Whole(min_value=0, max_value=MAX_AMOUNT, help_text="In đồng.")
    lines = Items(child=BudgetLineIn(), max_length=200)


class TaskDeleteQuery(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, error_messages={**_INT_MESSAGES, "required": REQUIRED}
    )


class PlanQuery(serializers.Serializer):
    parent = query_int(min_value=1)
    status = Code(PlanStatus, name="PlanStatus", required=False)


class CoverageQuery(serializers.Serializer):
    year = query_year()
