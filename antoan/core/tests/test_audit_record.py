"""audit_record: a valid chain, names not values, and a table that cannot be rewritten."""

from __future__ import annotations

import itertools

import pytest
from django.test import RequestFactory

from antoan.core.audit import GENESIS_HASH, audit_record, audit_verify, event_hash
from antoan.core.models import AuditChainHead, AuditEvent


def test_events_form_a_chain_anchored_in_the_head(record):
    events = record(5)

    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    for stored in AuditEvent.objects.all():
        assert event_hash(stored) == stored.hash  # what was hashed is what is read back
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (5, events[-1].hash)


def test_request_supplies_actor_role_agency_address_and_request_id(rf, cast):
    from antoan.accounts.roles import Perm
    from antoan.core.permissions import act_as

    request = rf.get("/cases/12/", {"q": "Nguyễn Thị Lan"})
    request.user = cast["supervisor1"]
    request.request_id = "req-12345678"
    request.client_ip = "203.0.113.7"
    act_as(request, Perm.CASE_VIEW_AGENCY)

    event = audit_record(action="view", request=request, object_type="case", object_id=12)

    event.refresh_from_db()
    assert event.user == cast["supervisor1"]
    assert event.username == "supervisor1"
    assert event.role == "case_supervisor"
    assert event.agency.code == "ubnd-pho-hien"
    assert (event.ip, event.request_id, event.object_id) == ("203.0.113.7", "req-12345678", "12")
    # The path only: the query string may hold a survivor's name.
    assert event.extra == {"path": "/cases/12/"}
    assert "Nguyễn" not in str(event.extra)


def test_changed_fields_holds_the_names_it_is_given_and_nothing_else(db):
    event = audit_record(
        action="update", object_type="survivor", object_id=7, changed_fields=["full_name"]
    )
    event.refresh_from_db()
    assert event.changed_fields == ["full_name"]


@pytest.mark.parametrize("bad", ["Nguyễn Thị Lan", "0912 345 678", "full name", "x" * 101])
def test_a_value_passed_as_a_field_name_is_refused(db, bad):
    with pytest.raises(ValueError, match="field names only"):
        audit_record(action="update", object_type="survivor", changed_fields=[bad])
    assert not AuditEvent.objects.exists()


def test_a_string_is_not_taken_for_a_list_of_names(db):
    with pytest.raises(TypeError):
        audit_record(action="update", changed_fields="full_name")


def test_the_model_refuses_to_update_or_delete_events(record):
    (event,) = record(1)
    with pytest.raises(TypeError):
        AuditEvent.objects.update(object_id="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(object_id="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    stored.object_id = "x"
    with pytest.raises(TypeError):
        stored.save()
    with pytest.raises(TypeError):
        stored.delete()
    assert AuditEvent.objects.get(pk=event.pk).object_id == "1"


@pytest.mark.parametrize("address", ["::ffff:192.0.2.1", "2001:DB8::1", "192.0.2.1"])
def test_addresses_are_hashed_as_stored(db, address):
    # Python writes ::ffff:192.0.2.1 as ::ffff:c000:201, Django stores it as given: hashing
    # the unnormalised value made the chain look tampered with.
    request = RequestFactory().get("/")
    request.client_ip = address
    audit_record(action="login_failed", request=request, username="x")
    assert audit_verify().ok


def test_a_nul_in_a_typed_username_does_not_stop_the_event(db):
    event = audit_record(action="login_failed", username="adm\x00in")
    event.refresh_from_db()
    assert event.username == "admin"
    assert audit_verify().ok
