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
- every place rolls up to today's map (``places.py``);
- GBV-01's survivors who sought help also count the survivors a hospital or commune health
  station saw without a case (``HEALTH_CONTACTS``, ``antoan/health``): once per contact, on its
  date, at the facility's place; a contact marked as having a case is counted by the case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractYear

from antoan.accounts.models import Agency
from antoan.cases import choices as c
from antoan.cases.facts import non_empty
from antoan.cases.models import Incident, Perpetrator
from antoan.health.models import ServiceContact
from antoan.hotline.models import Call
from antoan.indicators.selectors.breakdowns import PENDING_OUTCOME, UNCLASSIFIED
from antoan.programme.choices import ActivityKind, TrainingTopic
from antoan.programme.models import Activity
from antoan.referrals.models import Referral, ReferralStatus

# Trainings of people who work on violence (not of survivors, perpetrators or people at risk).
STAFF_TRAINING_TOPICS = [
    TrainingTopic.GENERAL,
    TrainingTopic.MODEL_STAFF,
    TrainingTopic.TRAINERS,
    TrainingTopic.SERVICE_PROVIDERS,
]


@dataclass(frozen=True)
class Cohort:
    """Rows that are counted: ``rows()`` annotates each with ``stat_date`` (what places it in a
    period), ``stat_place`` (a raw place id) and one annotation per breakdown; ``flags`` are the
    yes/no facts measures are conditions on, annotated only when a measure asks for them."""

    name: str
    rows: Callable[[], QuerySet]
    flags: dict[str, Callable[[], Any]] = field(default_factory=dict)
    # Whether ``stat_date`` is a datetime (read in Asia/Ho_Chi_Minh) or a date.
    dated: bool = True
    # Whether a commune breakdown makes sense (referrals count by agency, not by commune).
    placed: bool = True
    # Breakdown code → annotation holding the category.
    dims: dict[str, str] = field(default_factory=dict)
    # Breakdown code → {category: column summed} (an activity's participants by sex).
    splits: dict[str, dict[str, str]] = field(default_factory=dict)
    # Whether its counts are about people of case records (then suppressed outside case scope).
    personal: bool = True
    # A cohort made of others' rows (survivors of cases and of health-facility contacts): the
    # engine counts the union of the parts' rows, each part annotating the same breakdowns and
    # flags under the same names; ``rows`` is then unused.
    parts: tuple[Cohort, ...] = ()
    # ``stat_place IN ids`` written as disjoint conditions on the cohort's own columns whose
    # union it is exactly, each one an index answers, where ``stat_place`` is a COALESCE over
    # joined tables that no index serves (filtering on it reads the whole country to keep one
    # province): the calls'. None:
    # filter on ``stat_place`` itself (survivors and perpetrators read the incident's stored
    # ``counted_place``, which is indexed).
    places: Callable[[list[int]], list[Q]] | None = None
    # Annotations that only breakdowns read, over joins the rows do not otherwise need (the
    # survivor's sex and age): left out when no breakdown is asked (``with_flags``).
    breakdowns: Callable[[QuerySet], QuerySet] | None = None

    def with_flags(self, *names: str, breakdowns: bool = True) -> QuerySet:
        """The rows with the named flags annotated, and the breakdowns' annotations unless
        ``breakdowns`` is false (a total needs no join of every survivor)."""
        rows = self.rows()
        if breakdowns and self.breakdowns is not None:
            rows = self.breakdowns(rows)
        return rows.annotate(**{name: _flag(self.flags[name]()) for name in names})


@dataclass(frozen=True)
class Measure:
    """A cohort's rows that meet ``when``: a disjunction of conjunctions of flags ("!flag" for
    its negation); an empty ``when`` takes every row. Counted, or ``total`` summed."""

    name: str
    cohort: Cohort
    when: tuple[tuple[str, ...], ...] = ()
    total: str = ""

    @property
    def personal(self) -> bool:
        return self.cohort.personal

    @property
    def flags(self) -> set[str]:
        return {flag.lstrip("!") for clause in self.when for flag in clause}


def _age_band(age: str) -> Case:
    bands = [(11, "0-11"), (17, "12-17"), (25, "18-25"), (40, "26-40"), (60, "41-60")]
    return Case(
        *[When(Q(**{f"{age}__lte": top}), then=Value(code)) for top, code in bands],
        When(Q(**{f"{age}__isnull": False}), then=Value("61+")),
        default=Value("unknown"),
        output_field=CharField(),
    )


# Flags over a case's other records are read from its facts (``CaseFacts``, kept as the records
# change by ``antoan.cases.facts``): one row per case joined by its key, where they were six
# correlated probes into four tables per survivor (two per perpetrator), most of a province's
# first dashboard on the million cases (docs/performance.md, "Dashboards: the cases' facts
# kept"). A case without its row has none of them. The engine inlines the cohorts' rows into
# their grouping, so a flag must stay a column or a plain condition, never a subquery
# (``test_no_cohort_flag_is_a_subquery``).


def _fact(case: str, name: str) -> Q:
    return Q(**{f"{case}__facts__{name}": True})


def _call_places(ids: list[int]) -> list[Q]:
    """``COALESCE(commune, agency's place) IN ids`` as two conditions an index answers: the
    commune in ``ids``; or no commune, and one of the agencies at ``ids`` (looked up first, a
    few hundred rows: the planner then reads the calls' own statistics of those agencies,
    where a join on the agencies' places made it expect several times the calls, and read
    every call of the country)."""
    agencies = list(Agency.objects.filter(place_id__in=ids).values_list("pk", flat=True))
    return [Q(commune_id__in=ids), Q(commune_id__isnull=True, agency_id__in=agencies)]


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


# --- Survivors: the first counted incident of each case ---------------------------------------


def first_counted_incidents() -> QuerySet[Incident]:
    """One row per case with statistics consent: its first incident recorded with consent,
    marked on the row (``Incident.counted_first``), so that a province's survivors are read
    through one partial index; the anti-join it replaces ("no earlier consented incident")
    hashed every consented incident of the country to count one province."""
    return Incident.objects.filter(counted_first=True)


def _survivors() -> QuerySet:
    return (
        first_counted_incidents()
        .annotate(
            stat_date=F("case__opened_at"),
            # The incident's commune, else the survivor's, else the case agency's place: kept
            # on the row (``Incident.counted_place``), so a province's rows are an index range.
            stat_place=F("counted_place_id"),
        )
        .order_by()
    )


def _survivor_breakdowns(rows: QuerySet) -> QuerySet:
    return rows.annotate(
        sex=F("case__survivor__sex"),
        survivor_age=Coalesce(
            "case__survivor__age_at_intake",
            ExtractYear("case__opened_at") - F("case__survivor__birth_year"),
            output_field=IntegerField(),
        ),
    ).annotate(age_band=_age_band("survivor_age"))


SURVIVORS = Cohort(
    "survivors",
    _survivors,
    flags={
        "gbv": lambda: ~Q(gbv_type=c.GbvType.NON_GBV),
        "dv": lambda: _fact("case", "dv"),
        "needs_help": lambda: _fact("case", "needs_help"),
        "served": lambda: _fact("case", "served"),
        "basic": lambda: _fact("case", "basic_service"),
        "protected": lambda: (
            _fact("case", "measure_granted") | _fact("case", "legal_or_health_service")
        ),
    },
    dims={"sex": "sex", "age_band": "age_band", "gbv_type": "gbv_type"},
    breakdowns=_survivor_breakdowns,
)
_VICTIM = (("gbv",), ("dv",))


def _and(clauses: tuple[tuple[str, ...], ...], *flags: str) -> tuple[tuple[str, ...], ...]:
    return tuple((*clause, *flags) for clause in clauses)


# --- Survivors seen by health facilities without a case ---------------------------------------


def _health_contacts() -> QuerySet:
    """Contacts recorded by hospitals and commune health stations (plan 64, IV.2) for people
    without a case: one row per contact, on its date and at the facility's place. A contact
    marked ``case_opened`` is left out: the case counts that survivor."""
    return (
        ServiceContact.objects.filter(case_opened=False)
        .annotate(stat_date=F("contact_date"), stat_place=F("facility__place_id"))
        .order_by()
    )


HEALTH_CONTACTS = Cohort(
    "health_contacts",
    _health_contacts,
    flags={"gbv": lambda: ~Q(gbv_type=c.GbvType.NON_GBV)},
    dated=False,
    dims={"sex": "sex", "age_band": "age_band", "gbv_type": "gbv_type"},
)


def _parts_only() -> QuerySet:
    raise NotImplementedError("a cohort of parts: the engine reads its parts' rows")


# Everyone who sought help from a service provider: survivors of cases, and survivors a health
# facility saw and counted without a case (GBV-01's numerator).
HELP_SEEKERS = Cohort(
    "help_seekers",
    _parts_only,
    flags={"gbv": SURVIVORS.flags["gbv"]},
    dims={"sex": "sex", "age_band": "age_band", "gbv_type": "gbv_type"},
    parts=(SURVIVORS, HEALTH_CONTACTS),
)


# --- Perpetrators of counted incidents -------------------------------------------------------


def _perpetrators() -> QuerySet:
    return (
        Perpetrator.objects.filter(incident__consent_statistics=True)
        .annotate(
            stat_date=F("incident__case__opened_at"),
            stat_place=F("incident__counted_place_id"),
            gbv_type=F("incident__gbv_type"),
            age_band=F("age_group"),
        )
        .order_by()
    )


PERPETRATORS = Cohort(
    "perpetrators",
    _perpetrators,
    flags={
        "gbv": lambda: ~Q(incident__gbv_type=c.GbvType.NON_GBV),
        "dv": lambda: non_empty("incident__dv_forms"),
        "prosecuted": lambda: _fact("incident__case", "preventive_granted"),
        "counselled": lambda: _fact("incident__case", "education_granted"),
    },
    dims={"sex": "sex", "age_band": "age_band", "gbv_type": "gbv_type"},
)


# --- Calls, referrals, activities ------------------------------------------------------------


def _calls() -> QuerySet:
    # Contacts someone answered: one that waited and was never taken (a web chat the visitor
    # closed, a missed call) is not a call handled; one not classified yet counts apart.
    return (
        Call.objects.filter(answered_at__isnull=False)
        .annotate(
            category_code=Case(
                When(category="", then=Value(UNCLASSIFIED)),
                default=F("category"),
                output_field=CharField(),
            ),
            stat_date=F("received_at"),
            stat_place=Coalesce("commune_id", "agency__place_id"),
            hour=Cast(ExtractHour("received_at"), CharField()),
            outcome_code=Case(
                When(outcome="", then=Value(PENDING_OUTCOME)),
                default=F("outcome"),
                output_field=CharField(),
            ),
        )
        .order_by()
    )


CALLS = Cohort(
    "calls",
    _calls,
    dims={"category": "category_code", "outcome": "outcome_code", "hour": "hour"},
    places=_call_places,
)


def _referrals() -> QuerySet:
    counted = Incident.objects.filter(case_id=OuterRef("case_id"), consent_statistics=True)
    return (
        Referral.objects.filter(Exists(counted))
        .exclude(status=ReferralStatus.REVOKED)
        .annotate(
            stat_date=F("sent_at"),
            stat_place=F("from_agency__place_id"),
            agency=Cast("to_agency_id", CharField()),
        )
        .order_by()
    )


REFERRALS = Cohort(
    "referrals",
    _referrals,
    flags={
        "accepted": lambda: Q(answered_at__isnull=False) & ~Q(status=ReferralStatus.DECLINED),
        "completed": lambda: Q(delivered_on__isnull=False),
    },
    placed=False,
    dims={"agency": "agency", "service": "service"},
)

_BY_SEX = {
    "female": "participants_female",
    "male": "participants_male",
    "other": "participants_other",
}


def _activities() -> QuerySet:
    return Activity.objects.annotate(stat_date=F("start_date"), stat_place=F("place_id")).order_by()


ACTIVITIES = Cohort(
    "activities",
    _activities,
    flags={
        "communication": lambda: Q(kind=ActivityKind.COMMUNICATION),
        "training": lambda: Q(kind=ActivityKind.TRAINING),
        "staff_training": lambda: Q(kind=ActivityKind.TRAINING, topic__in=STAFF_TRAINING_TOPICS),
    },
    dated=False,
    splits={"sex": _BY_SEX},
    personal=False,
)


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in [
        # Survivors (GBV-01, GBV-02, GE-01, DV-01, OP-01).
        Measure("gbv_survivors", HELP_SEEKERS, (("gbv",),)),
        Measure("gbv_needing_help", SURVIVORS, (("gbv", "needs_help"),)),
        Measure("gbv_helped", SURVIVORS, (("gbv", "needs_help", "served"),)),
        Measure("victims", SURVIVORS, _VICTIM),
        Measure("victims_basic_service", SURVIVORS, _and(_VICTIM, "basic")),
        Measure("victims_served", SURVIVORS, _and(_VICTIM, "served")),
        Measure("dv_victims", SURVIVORS, (("dv",),)),
        Measure("dv_victims_protected", SURVIVORS, (("dv", "protected"),)),
        # Perpetrators (GE-02, DV-02).
        Measure("perpetrators_not_prosecuted", PERPETRATORS, _and(_VICTIM, "!prosecuted")),
        Measure(
            "perpetrators_not_prosecuted_counselled",
            PERPETRATORS,
            _and(_VICTIM, "!prosecuted", "counselled"),
        ),
        Measure("dv_perpetrators", PERPETRATORS, (("dv",),)),
        Measure("dv_perpetrators_counselled", PERPETRATORS, (("dv", "counselled"),)),
        # Calls (OP-04).
        Measure("calls", CALLS),
        # Referrals (OP-02, OP-03).
        Measure("referrals_sent", REFERRALS),
        Measure("referrals_accepted", REFERRALS, (("accepted",),)),
        Measure("referrals_completed", REFERRALS, (("completed",),)),
        # Activities (DV-04, OP-09, OP-10).
        Measure("people_reached", ACTIVITIES, (("communication",),), total="participants_total"),
        Measure("trainees", ACTIVITIES, (("training",),), total="participants_total"),
        Measure("staff_trained", ACTIVITIES, (("staff_training",),), total="participants_total"),
    ]
}
