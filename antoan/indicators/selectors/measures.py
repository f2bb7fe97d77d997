"""The named query functions behind every indicator's numerator and denominator.

``data/indicators.yaml`` names a measure for each numerator and denominator; this module says
what each one counts. Most are counts over a *cohort*: rows of one kind (a survivor's first
counted incident, a perpetrator, a call, a referral, an activity) with the date that places
them in a period, the place they roll up to, the breakdowns they support and yes/no flags,
all computed in the database. A measure is a cohort and a condition on its flags; the engine
(``engine.py``) counts many measures of one cohort in one query.

Counting rules (docs/indicators.md):
- a case counts only through incidents whose survivor consented to reporting
  (``Incident.consent_statistics``); withdrawing consent clears the flag, so the case leaves
  every figure computed afterwards;
- a survivor is one case (``case_open`` makes one survivor record per case): served by several
  agencies (referrals, transfers, direct services) they still count once, through the first
  incident recorded with consent; that incident gives the place, the type of violence and the
  period (the day the case was opened, when they first sought help);
- every place rolls up to today's map (``places.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractYear

from antoan.cases import choices as c
from antoan.cases.models import Assessment, Incident, Perpetrator, ProtectionMeasure
from antoan.hotline.models import Call
from antoan.indicators.selectors.breakdowns import PENDING_OUTCOME
from antoan.programme.choices import ActivityKind, TrainingTopic
from antoan.programme.models import Activity
from antoan.referrals.models import Referral, ReferralStatus, ServiceDelivery

# Services that count as basic support (NQ 28/NQ-CP: health care, counselling, legal aid,
# safety and shelter, essential needs).
BASIC_SERVICES = [
    c.Need.HEALTH,
    c.Need.PSYCHOSOCIAL,
    c.Need.LEGAL,
    c.Need.SAFETY,
    c.Need.SHELTER,
    c.Need.SOCIAL_ASSISTANCE,
]
# Trainings of people who work on violence (not of survivors, perpetrators or people at risk).
STAFF_TRAINING_TOPICS = [
    TrainingTopic.GENERAL,
    TrainingTopic.MODEL_STAFF,
    TrainingTopic.TRAINERS,
    TrainingTopic.SERVICE_PROVIDERS,
]


@dataclass(frozen=True)
class Cohort:
    """Rows that are counted, annotated with ``at`` (the date that places them in a period),
    ``place`` (a raw place id), one annotation per breakdown, and flags."""

    name: str
    build: Callable[[], QuerySet]
    # Whether ``at`` is a datetime (read in Asia/Ho_Chi_Minh) or a date.
    dated: bool = True
    # Whether a commune breakdown makes sense (referrals count by agency, not by commune).
    placed: bool = True
    # Breakdown code → annotation holding the category.
    dims: dict[str, str] = field(default_factory=dict)
    # Breakdown code → {category: field summed} (an activity's participants by sex).
    splits: dict[str, dict[str, str]] = field(default_factory=dict)
    # Whether its counts are about people of case records (then suppressed outside case scope).
    personal: bool = True


@dataclass(frozen=True)
class Measure:
    name: str
    cohort: Cohort
    where: Q
    # A field to add up instead of counting rows (people reached by activities).
    total: str = ""

    @property
    def personal(self) -> bool:
        return self.cohort.personal


def _non_empty(path: str) -> Q:
    """A JSON list field that holds something."""
    return ~Q(**{path: []}) & Q(**{f"{path}__isnull": False})


def _age_band(age: F | Coalesce) -> Case:
    bands = [(11, "0-11"), (17, "12-17"), (25, "18-25"), (40, "26-40"), (60, "41-60")]
    return Case(
        *[When(Q(_age__lte=top), then=Value(code)) for top, code in bands],
        When(_age__isnull=False, then=Value("61+")),
        default=Value("unknown"),
        output_field=CharField(),
    )


def _granted(case_ref: str, *types: str) -> Exists:
    return Exists(
        ProtectionMeasure.objects.filter(
            case_id=OuterRef(case_ref), type__in=types, decision=c.MeasureDecision.GRANTED
        )
    )


def _delivered(case_ref: str, services: list[str] | None = None) -> Exists:
    qs = ServiceDelivery.objects.filter(case_id=OuterRef(case_ref))
    if services is not None:
        qs = qs.filter(service__in=services)
    return Exists(qs)


def _flag(condition: Q | Exists) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


# --- Survivors: the first counted incident of each case ---------------------------------------


def first_counted_incidents() -> QuerySet[Incident]:
    """One row per case with statistics consent: its first incident recorded with consent."""
    firsts = (
        Incident.objects.filter(consent_statistics=True)
        .values("case_id")
        .annotate(first=Min("pk"))
        .values("first")
    )
    return Incident.objects.filter(pk__in=firsts)


def _survivors() -> QuerySet:
    dv = Exists(
        Incident.objects.filter(case_id=OuterRef("case_id"), consent_statistics=True).filter(
            _non_empty("dv_forms")
        )
    )
    assessed_needs = Exists(
        Assessment.objects.filter(case_id=OuterRef("case_id")).filter(_non_empty("needs"))
    )
    return (
        first_counted_incidents()
        .annotate(
            stat_date=F("case__opened_at"),
            stat_place=Coalesce(
                "commune_id", "case__survivor__commune_id", "case__agency__place_id"
            ),
            sex=F("case__survivor__sex"),
            _age=Coalesce(
                "case__survivor__age_at_intake",
                ExtractYear("case__opened_at") - F("case__survivor__birth_year"),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            age_band=_age_band(F("_age")),
            gbv=_flag(~Q(gbv_type=c.GbvType.NON_GBV)),
            dv=_flag(dv),
            needs_help=_flag(_non_empty("case__needs") | assessed_needs),
            served=_flag(_delivered("case_id")),
            basic=_flag(_delivered("case_id", BASIC_SERVICES)),
            protected=_flag(
                _granted("case_id", *c.MeasureType.values)
                | _delivered("case_id", [c.Need.LEGAL, c.Need.HEALTH])
            ),
        )
    )


SURVIVORS = Cohort(
    "survivors",
    _survivors,
    dims={"sex": "sex", "age_band": "age_band", "gbv_type": "gbv_type"},
)
_VICTIM = Q(gbv=True) | Q(dv=True)


# --- Perpetrators of counted incidents -------------------------------------------------------


def _perpetrators() -> QuerySet:
    return (
        Perpetrator.objects.filter(incident__consent_statistics=True)
        .annotate(
            stat_date=F("incident__case__opened_at"),
            stat_place=Coalesce(
                "incident__commune_id",
                "incident__case__survivor__commune_id",
                "incident__case__agency__place_id",
            ),
            gbv_type=F("incident__gbv_type"),
            age_band=F("age_group"),
        )
        .annotate(
            gbv=_flag(~Q(incident__gbv_type=c.GbvType.NON_GBV)),
            dv=_flag(_non_empty("incident__dv_forms")),
            prosecuted=_flag(_granted("incident__case_id", c.MeasureType.PREVENTIVE)),
            counselled=_flag(_granted("incident__case_id", c.MeasureType.EDUCATION)),
        )
    )


PERPETRATORS = Cohort(
    "perpetrators",
    _perpetrators,
    dims={"sex": "sex", "age_band": "age_band", "gbv_type": "gbv_type"},
)


# --- Calls, referrals, activities ------------------------------------------------------------


def _calls() -> QuerySet:
    return Call.objects.annotate(
        stat_date=F("received_at"),
        stat_place=Coalesce("commune_id", "agency__place_id"),
        hour=Cast(ExtractHour("received_at"), CharField()),
        outcome_code=Case(
            When(outcome="", then=Value(PENDING_OUTCOME)),
            default=F("outcome"),
            output_field=CharField(),
        ),
    )


CALLS = Cohort(
    "calls",
    _calls,
    dims={"category": "category", "outcome": "outcome_code", "hour": "hour"},
)


def _referrals() -> QuerySet:
    counted = Exists(Incident.objects.filter(case_id=OuterRef("case_id"), consent_statistics=True))
    return (
        Referral.objects.filter(counted)
        .exclude(status=ReferralStatus.REVOKED)
        .annotate(
            stat_date=F("sent_at"),
            stat_place=F("from_agency__place_id"),
            agency=Cast("to_agency_id", CharField()),
        )
        .annotate(
            accepted=_flag(Q(answered_at__isnull=False) & ~Q(status=ReferralStatus.DECLINED)),
            completed=_flag(Q(delivered_on__isnull=False)),
        )
    )


REFERRALS = Cohort(
    "referrals", _referrals, placed=False, dims={"agency": "agency", "service": "service"}
)

_BY_SEX = {
    "female": "participants_female",
    "male": "participants_male",
    "other": "participants_other",
}


def _activities() -> QuerySet:
    return Activity.objects.annotate(stat_date=F("start_date"), stat_place=F("place_id"))


ACTIVITIES = Cohort("activities", _activities, dated=False, splits={"sex": _BY_SEX}, personal=False)


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in [
        # Survivors (GBV-01, GBV-02, GE-01, DV-01, OP-01).
        Measure("gbv_survivors", SURVIVORS, Q(gbv=True)),
        Measure("gbv_needing_help", SURVIVORS, Q(gbv=True, needs_help=True)),
        Measure("gbv_helped", SURVIVORS, Q(gbv=True, needs_help=True, served=True)),
        Measure("victims", SURVIVORS, _VICTIM),
        Measure("victims_basic_service", SURVIVORS, _VICTIM & Q(basic=True)),
        Measure("victims_served", SURVIVORS, _VICTIM & Q(served=True)),
        Measure("dv_victims", SURVIVORS, Q(dv=True)),
        Measure("dv_victims_protected", SURVIVORS, Q(dv=True, protected=True)),
        # Perpetrators (GE-02, DV-02).
        Measure("perpetrators_not_prosecuted", PERPETRATORS, _VICTIM & Q(prosecuted=False)),
        Measure(
            "perpetrators_not_prosecuted_counselled",
            PERPETRATORS,
            _VICTIM & Q(prosecuted=False, counselled=True),
        ),
        Measure("dv_perpetrators", PERPETRATORS, Q(dv=True)),
        Measure("dv_perpetrators_counselled", PERPETRATORS, Q(dv=True, counselled=True)),
        # Calls (OP-04).
        Measure("calls", CALLS, Q()),
        # Referrals (OP-02, OP-03).
        Measure("referrals_sent", REFERRALS, Q()),
        Measure("referrals_accepted", REFERRALS, Q(accepted=True)),
        Measure("referrals_completed", REFERRALS, Q(completed=True)),
        # Activities (DV-04, OP-09, OP-10).
        Measure(
            "people_reached",
            ACTIVITIES,
            Q(kind=ActivityKind.COMMUNICATION),
            total="participants_total",
        ),
        Measure("trainees", ACTIVITIES, Q(kind=ActivityKind.TRAINING), total="participants_total"),
        Measure(
            "staff_trained",
            ACTIVITIES,
            Q(kind=ActivityKind.TRAINING, topic__in=STAFF_TRAINING_TOPICS),
            total="participants_total",
        ),
    ]
}
