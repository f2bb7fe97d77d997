"""Fixtures of the hotline tests: the hotline's supervisor, calls, and directory entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from antoan.cases.services import ConsentInput, SurvivorInput

SUMMARY = "Chị Nguyễn Thị Hòa bị chồng đánh, đang trốn ở nhà hàng xóm"


@pytest.fixture(name="hotlinesup")
def hotlinesup_fixture(cast):
    from antoan.accounts.demo import DEMO_PASSWORD
    from antoan.hotline.demo import build_demo_hotline

    return build_demo_hotline(password=DEMO_PASSWORD)


@pytest.fixture(name="log_call")
def log_call_fixture(cast):
    """``log_call(actor, **fields)``: a call logged through the service, as an operator would."""
    from antoan.hotline import services

    def make(actor=None, *, close=False, **fields):
        data = {
            "channel": "phone",
            "caller_type": "survivor",
            "category": "dv",
            "summary": SUMMARY,
            "commune": "11953",
            "received_at": timezone.now() - dt.timedelta(minutes=5),
            **fields,
        }
        return services.call_log(
            actor=actor or cast["hotline1"], data=services.CallInput(**data), close=close
        )

    return make


@pytest.fixture(name="directory")
def directory_fixture(cast, mini_places):
    """The on-duty police and the commune committee serving commune A (and only A)."""
    from antoan.accounts.models import Agency
    from antoan.referrals.models import Provider, ProviderContact

    police = Provider.objects.create(
        agency=Agency.objects.get(code="cong-an-tinh"),
        services=["safety"],
        always_open=True,
        emergency_phone="0221113113",
    )
    police.communes.add(mini_places["commune_a"])
    ubnd = Provider.objects.create(
        agency=Agency.objects.get(code="ubnd-pho-hien"), services=["other"]
    )
    ubnd.communes.add(mini_places["commune_a"])
    ProviderContact.objects.create(
        provider=ubnd, name="Trần Văn Chủ", role="Chủ tịch UBND phường", phone="0912000111"
    )
    other = Provider.objects.create(
        agency=Agency.objects.get(code="ubnd-tran-hung-dao"), services=["other"]
    )
    other.communes.add(mini_places["commune_b"])
    ProviderContact.objects.create(
        provider=other, name="Lê Văn Khác", role="Chủ tịch UBND phường", phone="0912999888"
    )
    return {"police": police, "ubnd": ubnd, "other": other}


def survivor_input(**overrides) -> SurvivorInput:
    return SurvivorInput(
        **{"full_name": "Nguyễn Thị Hòa", "sex": "female", "birth_year": 1990, **overrides}
    )


def consent_input() -> ConsentInput:
    return ConsentInput(services=True, reporting=True)
