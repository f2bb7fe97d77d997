"""Shelter occupancy: updated only by the shelter's staff, within 0..capacity, even in a race."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from antoan.accounts.models import Membership, User
from antoan.accounts.roles import Role
from antoan.referrals import selectors, services
from antoan.referrals.models import Provider


@pytest.fixture
def shelter_staff(providers):
    user = User.objects.create(username="shelter1", first_name="Thảo", last_name="Lê")
    Membership.objects.create(
        user=user,
        agency=providers["dctc-pho-hien"].agency,
        role=Role.PROVIDER_STAFF,
        valid_from=dt.date(2025, 7, 1),
    )
    return user


@pytest.mark.django_db
def test_occupancy_stays_within_capacity(cast, providers, shelter_staff):
    shelter = providers["dctc-pho-hien"]
    with pytest.raises(PermissionDenied):
        services.shelter_admit(provider=shelter, actor=cast["health1"])
    for _ in range(4):
        services.shelter_admit(provider=shelter, actor=shelter_staff)
    with pytest.raises(ValidationError):
        services.shelter_admit(provider=shelter, actor=shelter_staff)
    assert Provider.objects.get(pk=shelter.pk).occupancy == 4
    with pytest.raises(ValidationError):
        services.shelter_occupancy_set(
            provider=shelter, actor=shelter_staff, occupancy=-1, version=None
        )
    with pytest.raises(ValidationError):  # a stale version
        services.shelter_occupancy_set(
            provider=shelter, actor=shelter_staff, occupancy=2, version=1
        )
    assert Provider.objects.get(pk=shelter.pk).occupancy == 4


@pytest.mark.django_db
def test_the_location_is_shown_only_to_its_staff_and_accepted_senders(
    cast, providers, shelter_staff, case_a, send
):
    shelter = providers["dctc-pho-hien"]
    assert selectors.can_see_location(shelter_staff, shelter)
    for who in ("worker1", "health1", "hotline1", "supervisor1"):
        assert not selectors.can_see_location(cast[who], shelter)
    referral = send(case_a, provider="dctc-pho-hien", service="shelter")
    assert not selectors.can_see_location(cast["worker1"], shelter)
    services.referral_accept(referral=referral, actor=shelter_staff)
    assert selectors.can_see_location(cast["worker1"], shelter)
    assert not selectors.can_see_location(cast["worker2"], shelter)


@pytest.mark.postgres_only
def test_two_concurrent_admissions_to_the_last_place(
    transactional_db, cast, providers, shelter_staff
):
    shelter = providers["dctc-pho-hien"]
    Provider.objects.filter(pk=shelter.pk).update(occupancy=3)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def admit() -> None:
        try:
            actor = User.objects.get(username="shelter1")
            start.wait()
            services.shelter_admit(provider=shelter, actor=actor)
            outcomes.append("admitted")
        except ValidationError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=admit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["admitted", "full"]
    assert Provider.objects.get(pk=shelter.pk).occupancy == 4
