"""Who the survivors are and what happened to them: the proportions of the synthetic cases.

The mix follows what Vietnamese GBV and DV services report (mostly women, mostly violence by
a husband or partner, physical and psychological abuse far ahead of the rest); the figures are
documented in docs/synthetic-data.md. Each draw takes the generator's seeded stream.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from antoan.cases import rules
from antoan.indicators.synthetic.common import Rng

SEXES = [("female", 0.85), ("male", 0.12), ("other", 0.015), ("unknown", 0.015)]
# (youngest, oldest, share): children 0-11 ~6 %, 12-17 ~12 %, 61+ ~6 %.
AGE_BANDS = [
    ((0, 11), 0.06),
    ((12, 17), 0.12),
    ((18, 25), 0.14),
    ((26, 40), 0.36),
    ((41, 60), 0.25),
    ((61, 88), 0.07),
]
RISK_AT_INTAKE = [("low", 0.36), ("medium", 0.38), ("high", 0.26)]
GBV_TYPES = [
    ("physical_assault", 0.40),
    ("psychological_abuse", 0.31),
    ("denial_of_resources", 0.10),
    ("sexual_assault", 0.06),
    ("rape", 0.045),
    ("forced_marriage", 0.025),
    ("non_gbv", 0.05),
]
GBV_TYPES_CHILD = [
    ("physical_assault", 0.36),
    ("psychological_abuse", 0.22),
    ("denial_of_resources", 0.03),
    ("sexual_assault", 0.14),
    ("rape", 0.08),
    ("forced_marriage", 0.07),
    ("non_gbv", 0.10),
]
GBV_TYPES_MALE = [
    ("physical_assault", 0.45),
    ("psychological_abuse", 0.38),
    ("denial_of_resources", 0.10),
    ("sexual_assault", 0.02),
    ("non_gbv", 0.05),
]
PARTNERS = {"husband", "wife", "partner", "former_partner"}
FAMILY = PARTNERS | {"parent", "step_parent", "child", "sibling", "other_relative"}
SEXUAL = {"sexual_assault", "rape"}
# Relationship of the (first) perpetrator, by who the survivor is and the kind of violence.
RELATIONSHIPS = {
    "adult_family": [
        ("husband", 0.60),
        ("former_partner", 0.07),
        ("partner", 0.06),
        ("child", 0.04),
        ("other_relative", 0.03),
        ("parent", 0.03),
        ("sibling", 0.02),
        # Violence outside the family: neighbours, colleagues, employers.
        ("acquaintance", 0.10),
        ("employer", 0.03),
        ("stranger", 0.02),
    ],
    "adult_sexual": [
        ("husband", 0.25),
        ("partner", 0.18),
        ("acquaintance", 0.27),
        ("employer", 0.08),
        ("stranger", 0.17),
        ("other", 0.05),
    ],
    "elderly": [("child", 0.55), ("husband", 0.25), ("other_relative", 0.15), ("sibling", 0.05)],
    "male": [
        ("wife", 0.50),
        ("child", 0.14),
        ("parent", 0.09),
        ("sibling", 0.09),
        ("other_relative", 0.08),
        ("acquaintance", 0.10),
    ],
    "child_sexual": [
        ("acquaintance", 0.35),
        ("other_relative", 0.20),
        ("stranger", 0.15),
        ("step_parent", 0.10),
        ("parent", 0.05),
        ("teacher", 0.05),
        ("sibling", 0.05),
        ("partner", 0.05),
    ],
    "child": [
        ("parent", 0.50),
        ("step_parent", 0.20),
        ("other_relative", 0.10),
        ("acquaintance", 0.10),
        ("sibling", 0.05),
        ("teacher", 0.05),
    ],
    "forced": [("parent", 0.8), ("other_relative", 0.2)],
    "outside": [("acquaintance", 0.5), ("stranger", 0.3), ("other", 0.2)],
}
SOURCES = [
    ("village_head", 0.22),
    ("self", 0.20),
    ("family", 0.15),
    ("police", 0.13),
    ("commune", 0.10),
    ("health_facility", 0.08),
    ("trusted_address", 0.06),
    ("school", 0.03),
    ("ngo", 0.01),
    ("other", 0.02),
]
SOURCES_WOMENS_UNION = [
    ("womens_union", 0.6),
    ("self", 0.2),
    ("family", 0.1),
    ("trusted_address", 0.1),
]
# Hotline calls by hour of the day: evenings and nights are the busiest.
CALL_HOURS = [0.8, 0.6, 0.5, 0.4, 0.4, 0.5, 0.6, 0.8, 0.9, 0.9, 0.9, 0.9]
CALL_HOURS += [0.8, 0.9, 0.9, 1.0, 1.1, 1.4, 1.9, 2.3, 2.5, 2.3, 1.8, 1.2]


@dataclass
class Profile:
    sex: str
    age: int  # true age at intake
    birth_year: int | None
    date_of_birth: dt.date | None
    age_at_intake: int | None
    age_known: int  # the age the rules read from what is recorded (the lowest possible)
    disability: bool
    marital_status: str

    @property
    def child(self) -> bool:
        return rules.is_child(self.age_known)

    def born_on(self, day: dt.date) -> bool:
        """Was the survivor born by ``day``, as far as the record says?"""
        if self.date_of_birth is not None:
            return day >= self.date_of_birth
        if self.birth_year is not None:
            return day.year >= self.birth_year
        return True


@dataclass
class PerpetratorDraw:
    sex: str
    age_group: str
    relationship: str


@dataclass
class IncidentKind:
    gbv_type: str
    dv_forms: list[str]
    contexts: list[str]
    perpetrators: list[PerpetratorDraw]

    @property
    def dv(self) -> bool:
        return bool(self.dv_forms)


def time_of_day(rng: Rng, *, office: bool) -> float:
    """Seconds after midnight: office hours, or the hotline's evening-heavy day."""
    if office:
        return rng.uniform(7.5, 17.5) * 3600
    hour = rng.weighted(list(enumerate(CALL_HOURS)))
    return (hour + rng.random()) * 3600


def survivor_profile(rng: Rng, intake: dt.date) -> Profile:
    sex = rng.weighted(SEXES)
    low, high = rng.weighted(AGE_BANDS)
    age = rng.randint(low, high)
    born = intake - dt.timedelta(days=365 * age + rng.randint(0, 364))
    born = min(born, intake)
    date_of_birth = born if rng.chance(0.15) else None
    birth_year: int | None = born.year
    if date_of_birth is None and rng.chance(0.07):
        birth_year = None  # only an age was given
    age_at_intake = age if birth_year is None or rng.chance(0.25) else None
    known = rules.age_on(
        on=intake,
        date_of_birth=date_of_birth,
        birth_year=birth_year,
        age_at_intake=age_at_intake,
        intake_on=intake,
    )
    return Profile(
        sex=sex,
        age=age,
        birth_year=birth_year,
        date_of_birth=date_of_birth,
        age_at_intake=age_at_intake,
        age_known=age if known is None else known,
        disability=rng.chance(0.10 if age > 60 else 0.04),
        marital_status=_marital(rng, age),
    )


def _marital(rng: Rng, age: int) -> str:
    if rng.chance(0.1):
        return ""
    if age < 18:
        return "single"
    if age <= 25:
        return rng.weighted([("single", 0.45), ("married", 0.40), ("cohabiting", 0.15)])
    if age <= 60:
        return rng.weighted(
            [
                ("married", 0.75),
                ("separated", 0.07),
                ("divorced", 0.08),
                ("cohabiting", 0.05),
                ("single", 0.05),
            ]
        )
    return rng.weighted([("married", 0.55), ("widowed", 0.40), ("divorced", 0.05)])


def reporting_delay(rng: Rng) -> int:
    """Days from the incident to its first report: mostly 0-3, a tail to 60."""
    band = rng.random()
    if band < 0.30:
        return 0
    if band < 0.70:
        return rng.randint(1, 3)
    if band < 0.88:
        return rng.randint(4, 14)
    return rng.randint(15, 60)


def incident_kind(rng: Rng, p: Profile) -> IncidentKind:
    child = p.child
    table = GBV_TYPES_CHILD if child else GBV_TYPES_MALE if p.sex == "male" else GBV_TYPES
    gbv_type = rng.weighted(table)
    if gbv_type == "forced_marriage" and p.age_known < 12:
        gbv_type = "psychological_abuse"
    if gbv_type == "non_gbv":
        group = "outside"
    elif gbv_type == "forced_marriage":
        group = "forced"
    elif child:
        group = "child_sexual" if gbv_type in SEXUAL else "child"
    elif gbv_type in SEXUAL:
        group = "adult_sexual"
    elif p.sex == "male":
        group = "male"
    elif p.age_known > 60:
        group = "elderly"
    else:
        group = "adult_family"
    relationship = rng.weighted(RELATIONSHIPS[group])
    perpetrators = [_perpetrator(rng, p, relationship)]
    if relationship in FAMILY and rng.chance(0.08):
        # Often the husband's family too ("mẹ chồng"): a second perpetrator.
        perpetrators.append(_perpetrator(rng, p, "other_relative"))
    dv = relationship in FAMILY and gbv_type != "non_gbv"
    return IncidentKind(
        gbv_type=gbv_type,
        dv_forms=_dv_forms(rng, gbv_type) if dv else [],
        contexts=_contexts(rng, p, gbv_type, relationship),
        perpetrators=perpetrators,
    )


def _dv_forms(rng: Rng, gbv_type: str) -> list[str]:
    if gbv_type == "physical_assault":
        return ["physical", "psychological"] if rng.chance(0.5) else ["physical"]
    if gbv_type == "denial_of_resources":
        return ["economic", "psychological"] if rng.chance(0.4) else ["economic"]
    if gbv_type in SEXUAL:
        return ["sexual", "physical"] if rng.chance(0.3) else ["sexual"]
    if gbv_type == "psychological_abuse" and rng.chance(0.15):
        return ["psychological", "economic"]
    return ["psychological"]


def _contexts(rng: Rng, p: Profile, gbv_type: str, relationship: str) -> list[str]:
    contexts = []
    if relationship in PARTNERS and not p.child:
        contexts.append("intimate_partner")
    if p.child and gbv_type in SEXUAL:
        contexts.append("child_sexual_abuse")
    if p.child and gbv_type == "forced_marriage":
        contexts.append("child_marriage")
    if p.child and relationship == "teacher":
        contexts.append("school_violence")
    if gbv_type == "sexual_assault" and relationship == "employer":
        contexts.append("workplace_harassment")
    if relationship == "stranger" and gbv_type != "non_gbv" and rng.chance(0.1):
        contexts.append("trafficking")
    if p.disability:
        contexts.append("disability")
    if p.age_known > 60:
        contexts.append("elderly")
    return contexts


def _perpetrator(rng: Rng, p: Profile, relationship: str) -> PerpetratorDraw:
    if relationship == "wife":
        sex = "female"
    elif relationship in PARTNERS:
        sex = "female" if p.sex == "male" else "male"
    elif relationship in ("parent", "other_relative"):
        sex = "male" if rng.chance(0.7) else "female"
    else:
        sex = "male" if rng.chance(0.9) else "female"
    offset = {"parent": 28, "step_parent": 30, "child": -28, "teacher": 20}.get(relationship)
    if offset is None:
        offset = rng.randint(-3, 8) if relationship in PARTNERS else rng.randint(-10, 25)
    age = p.age + offset + rng.randint(-4, 4)
    if rng.chance(0.05):
        group = "unknown"
    elif relationship in ("acquaintance", "stranger", "employer", "other", "teacher"):
        group = _age_group(max(age, 18))
    else:
        group = _age_group(max(age, 12))
    return PerpetratorDraw(sex=sex, age_group=group, relationship=relationship)


def _age_group(age: int) -> str:
    for limit, group in ((11, "0-11"), (17, "12-17"), (25, "18-25"), (40, "26-40"), (60, "41-60")):
        if age <= limit:
            return group
    return "61+"


def needs(rng: Rng, p: Profile, kind: IncidentKind, risk: str) -> list[str]:
    """What the survivor needs (about 90 % of cases name at least one need)."""
    if rng.chance(0.10):
        return []
    hurt = kind.gbv_type in {"physical_assault", "sexual_assault", "rape"}
    danger = risk in ("high", "immediate")
    chances = [
        ("health", 0.65 if hurt else 0.15),
        ("psychosocial", 0.70),
        ("legal", 0.40),
        ("safety", 0.45 if danger or kind.dv else 0.20),
        ("shelter", 0.25 if danger else 0.06),
        ("social_assistance", 0.20),
        ("livelihood", 0.0 if p.child else 0.08),
        ("education", 0.15 if p.child else 0.0),
        ("other", 0.03),
    ]
    found = [need for need, chance in chances if rng.chance(chance)]
    return found or ["psychosocial"]


def risk_answers(rng: Rng, level: str) -> dict[str, bool]:
    """Answers to the risk questions, more often "yes" the higher the risk seen at intake."""
    yes = {"low": 0.06, "medium": 0.18, "high": 0.35, "immediate": 0.55}[level]
    return {code: rng.chance(yes) for code in rules.RISK_QUESTIONS}


def source(rng: Rng, *, womens_union: bool) -> str:
    return rng.weighted(SOURCES_WOMENS_UNION if womens_union else SOURCES)
