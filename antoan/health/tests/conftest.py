"""Shared set-up of the health tests: the demo cast (nurse1 at the Phố Hiến commune health
station), and a valid page form and API body to spoil one field at a time."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.health import services

NAME = "Nguyễn Thị Lan"


def today() -> dt.date:
    return timezone.localdate()


def page_data(**changes: Any) -> dict[str, Any]:
    """What the page posts for a typical contact: a woman of 26-40 beaten by her husband."""
    data = {
        "facility": str(Agency.objects.get(code="tyt-pho-hien").pk),
        "contact_date": today().strftime("%d/%m/%Y"),
        "sex": "female",
        "age_band": "26-40",
        "gbv_type": "physical_assault",
        "violence_forms": ["physical"],
        "perpetrator_relation": "husband",
        "emergency_care": "on",
        "counselling": "on",
        "referral_offered": "on",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def api_body(**changes: Any) -> dict[str, Any]:
    body = {
        "client_uuid": str(uuid.uuid4()),
        "contact_date": today().isoformat(),
        "sex": "female",
        "age_band": "26-40",
        "gbv_type": "physical_assault",
        "violence_forms": ["physical"],
        "perpetrator_relation": "husband",
        "emergency_care": True,
        "counselling": True,
        "referral_offered": True,
        "referral_accepted": False,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def record(user: Any, facility: Agency | None = None, **changes: Any) -> Any:
    """A contact recorded through the service (the set-up of report and indicator tests)."""
    values = {
        "contact_date": today(),
        "sex": "female",
        "age_band": "26-40",
        "gbv_type": "physical_assault",
        "facility": facility.pk if facility is not None else None,
    }
    values.update(changes)
    return services.contact_record(actor=user, data=services.ContactInput(**values)).contact


@pytest.fixture
def nurse(cast):
    return cast["nurse1"]


@pytest.fixture
def station(cast):
    return Agency.objects.get(code="tyt-pho-hien")
