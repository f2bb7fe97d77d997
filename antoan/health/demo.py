"""Demo contacts of the Phố Hiến commune health station, 2025 to today, recorded by nurse1.

Deterministic (a fixed seed and ids derived from it): running ``seed_demo`` again adds
nothing. Some months hold few contacts, so the report shows hidden cells as well as figures.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from antoan.accounts.models import Agency, User
from antoan.cases import choices as c
from antoan.health.models import ServiceContact

SEED = 20250101
FACILITY = "tyt-pho-hien"
RECORDER = "nurse1"
_NAMESPACE = uuid.UUID("8f2d4a6e-1b3c-4d5e-9f70-a1b2c3d4e5f6")

_SEXES = [c.Sex.FEMALE] * 8 + [c.Sex.MALE, c.Sex.UNKNOWN]
_AGES = ["12-17", "18-25", "18-25", "26-40", "26-40", "26-40", "41-60", "41-60", "61+", "0-11"]
_TYPES = [
    c.GbvType.PHYSICAL_ASSAULT,
    c.GbvType.PHYSICAL_ASSAULT,
    c.GbvType.PHYSICAL_ASSAULT,
    c.GbvType.PSYCHOLOGICAL_ABUSE,
    c.GbvType.SEXUAL_ASSAULT,
    c.GbvType.RAPE,
    c.GbvType.DENIAL_OF_RESOURCES,
    c.GbvType.NON_GBV,
]
_RELATIONS = [c.Relationship.HUSBAND] * 4 + [
    c.Relationship.FORMER_PARTNER,
    c.Relationship.PARENT,
    c.Relationship.ACQUAINTANCE,
    "",
]


@transaction.atomic
def build_demo_contacts() -> int:
    """Create the demo contacts that do not exist yet; returns how many were created."""
    facility = Agency.objects.filter(code=FACILITY).first()
    recorder = User.objects.filter(username=RECORDER).first()
    if facility is None or recorder is None:
        return 0
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    day = dt.date(2025, 1, 1)
    rows = []
    n = 0
    while day <= today:
        # Between 0 and 9 contacts a month, more in the second half of each year.
        for _i in range(rng.randint(0, 4) + (rng.randint(0, 5) if day.month > 6 else 0)):
            n += 1
            when = day + dt.timedelta(days=rng.randint(0, 27))
            if when > today:
                continue
            gbv_type = rng.choice(_TYPES)
            offered = rng.random() < 0.5
            physical = gbv_type in (c.GbvType.PHYSICAL_ASSAULT, c.GbvType.RAPE)
            rows.append(
                ServiceContact(
                    facility=facility,
                    contact_date=when,
                    sex=rng.choice(_SEXES),
                    age_band=rng.choice(_AGES),
                    gbv_type=gbv_type,
                    violence_forms=[c.DvForm.PHYSICAL] if physical else [],
                    perpetrator_relation=rng.choice(_RELATIONS),
                    emergency_care=physical or rng.random() < 0.3,
                    forensic_exam=gbv_type == c.GbvType.RAPE,
                    counselling=rng.random() < 0.7,
                    contraception_pep=gbv_type == c.GbvType.RAPE,
                    referral_offered=offered,
                    referral_accepted=offered and rng.random() < 0.6,
                    case_opened=offered and rng.random() < 0.3,
                    recorded_by=recorder,
                    recorded_at=timezone.make_aware(dt.datetime.combine(when, dt.time(10, 0))),
                    client_uuid=uuid.uuid5(_NAMESPACE, str(n)),
                )
            )
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    known = set(
        ServiceContact.objects.filter(client_uuid__in=[r.client_uuid for r in rows]).values_list(
            "client_uuid", flat=True
        )
    )
    new = [r for r in rows if r.client_uuid not in known]
    ServiceContact.objects.bulk_create(new)
    return len(new)
