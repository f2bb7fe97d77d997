"""Demo cases for `make run`: fictitious survivors, so a case worker's pages are not empty.

Built through the services like real cases; fixed client ids make a second run a no-op.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from antoan.cases import services
from antoan.cases.models import Case

_CASES = [
    # (client uuid, opened by, survivor, incident days ago, type, risk)
    (
        "6f1c2d1e-1111-4c1a-9d6e-000000000001",
        "worker1",
        services.SurvivorInput(
            full_name="Nguyễn Thị Hòa",
            sex="female",
            birth_year=1990,
            phone="0912345678",
            commune="11953",
            address="Tổ 3, phường Phố Hiến",
        ),
        3,
        "physical_assault",
        "high",
    ),
    (
        "6f1c2d1e-1111-4c1a-9d6e-000000000002",
        "worker1",
        services.SurvivorInput(
            full_name="Trần Thị Mai", sex="female", birth_year=1985, commune="11953"
        ),
        10,
        "psychological_abuse",
        "medium",
    ),
    (
        "6f1c2d1e-1111-4c1a-9d6e-000000000003",
        "worker2",
        services.SurvivorInput(
            full_name="Lê Thu Trang", sex="female", birth_year=1998, commune="12452"
        ),
        1,
        "sexual_assault",
        "high",
    ),
]


def build_demo_cases(users: dict) -> int:
    """Open the demo cases that do not exist yet; return how many were created."""
    today = timezone.localdate()
    created = 0
    for key, username, survivor, days_ago, gbv_type, risk in _CASES:
        occurred = today - dt.timedelta(days=days_ago)
        result = services.case_open(
            actor=users[username],
            source="hotline",
            survivor=survivor,
            consent=services.ConsentInput(services=True, reporting=True),
            incident=services.IncidentInput(
                occurred_on=occurred,
                first_reported_on=occurred,
                gbv_type=gbv_type,
                dv_forms=["physical"] if gbv_type == "physical_assault" else ["psychological"],
                contexts=["intimate_partner"],
                commune=survivor.commune,
                perpetrators=[
                    services.PerpetratorInput(sex="male", age_group="26-40", relationship="husband")
                ],
            ),
            needs=["health", "legal"],
            risk_level=risk,
            client_uuid=uuid.UUID(key),
        )
        created += result.created
    # Fictitious, like the cases generate_data writes: it may run on top of them.
    Case.objects.filter(client_uuid__in=[uuid.UUID(row[0]) for row in _CASES]).update(
        synthetic=True
    )
    return created
