"""Agencies and memberships: validity periods hold, bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Perm, Role
from antoan.core.permissions import forget_memberships, has_perm


def test_membership_outside_its_agency_validity_is_refused(cast):
    old = Agency.objects.get(code="so-ldtbxh")  # dissolved 28/02/2025
    membership = Membership(
        user=cast["reporter1"],
        agency=old,
        role=Role.PROGRAMME_REPORTER,
        valid_from=dt.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "thời gian hoạt động của cơ quan" in str(excinfo.value)
    assert not Membership.objects.filter(agency=old).exists()


def test_overlapping_membership_in_the_same_role_is_refused(cast):
    existing = Membership.objects.get(user=cast["worker1"])
    duplicate = Membership(
        user=existing.user,
        agency=existing.agency,
        role=existing.role,
        valid_from=dt.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "đã có vai trò này" in str(excinfo.value)


def test_membership_ending_before_it_starts_is_refused(cast):
    membership = Membership(
        user=cast["worker2"],
        agency=Agency.objects.get(code="so-y-te"),
        role=Role.ANALYST,
        valid_from=dt.date(2026, 5, 1),
        valid_to=dt.date(2026, 4, 1),
    )
    with pytest.raises(ValidationError):
        membership.full_clean()


def test_agency_on_a_place_that_no_longer_exists_is_refused(cast, mini_places):
    agency = Agency(
        code="moi", name="Cơ quan mới", kind=Agency.Kind.OTHER, place=mini_places["old_province"]
    )
    with pytest.raises(ValidationError) as excinfo:
        agency.full_clean()
    assert "place" in excinfo.value.message_dict


def test_agency_cannot_succeed_itself(cast):
    agency = Agency.objects.get(code="so-noi-vu")
    agency.successor = agency
    with pytest.raises(ValidationError):
        agency.full_clean()


def test_a_second_membership_adds_permissions_scoped_to_its_agency(cast):
    worker = cast["worker2"]
    other = Agency.objects.get(code="ubnd-pho-hien")
    assert not has_perm(worker, Perm.CASE_APPROVE)
    Membership.objects.create(user=worker, agency=other, role=Role.CASE_SUPERVISOR)
    forget_memberships(worker)
    assert has_perm(worker, Perm.CASE_APPROVE, agency_id=other.pk)
    assert not has_perm(
        worker, Perm.CASE_APPROVE, agency_id=Agency.objects.get(code="ubnd-tran-hung-dao").pk
    )


def test_seed_demo_refuses_on_a_server_without_force(mini_places, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_twice_changes_nothing(mini_places, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    before = (User.objects.count(), Agency.objects.count(), Membership.objects.count())
    stamps = dict(User.objects.values_list("username", "password"))
    call_command("seed_demo")
    assert (User.objects.count(), Agency.objects.count(), Membership.objects.count()) == before
    assert dict(User.objects.values_list("username", "password")) == stamps
    # The 14 of the cast (with the commune leader and the health station nurse) and the
    # hotline's supervisor; the demo's agencies include two commune health stations.
    assert before == (15, 15, 15)
    from antoan.cases.models import Case
    from antoan.cases.selectors import cases_for_user

    assert Case.objects.count() == 3  # the demo cases, not duplicated by the second run
    assert cases_for_user(User.objects.get(username="worker1")).count() == 2
    assert cases_for_user(User.objects.get(username="worker2")).count() == 1
