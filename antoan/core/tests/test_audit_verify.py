"""audit_verify and ``manage.py audit_verify``: an intact chain passes; tampering is named."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from antoan.core.audit import audit_record, audit_verify, event_hash
from antoan.core.models import AuditEvent


def verify_command() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_an_empty_log_verifies(db):
    result = audit_verify()
    assert result.ok
    assert result.checked == 0


def test_an_intact_log_verifies(record, cast):
    record(3)
    audit_record(action="update", user=cast["worker1"], changed_fields=["status", "note"])
    audit_record(action="login_failed", username="khách", extra={"nested": {"a": [1, 2.5]}})

    result = audit_verify()

    assert result.ok, result.problem
    assert (result.checked, result.last_seq, result.head_seq) == (5, 5, 5)
    assert "intact: 5 events, #1 to #5" in verify_command()


def test_the_walk_reads_in_bounded_chunks(record, django_assert_num_queries):
    record(7)
    # One query for the head, four chunks of at most 2 rows, one empty chunk to stop, one
    # count of the events not sealed yet.
    with django_assert_num_queries(1 + 4 + 1 + 1):
        assert audit_verify(chunk_size=2).ok


def test_a_changed_event_is_named(record, tamper):
    record(5)
    tamper("UPDATE core_auditevent SET object_id = %s WHERE seq = %s", ["999", 3])

    result = audit_verify()

    assert not result.ok
    assert result.problem_seq == 3
    assert result.checked == 2
    assert "event #3 was changed" in result.problem
    with pytest.raises(CommandError, match="event #3 was changed"):
        verify_command()


def test_a_changed_and_rehashed_event_breaks_the_next_link(record, tamper):
    record(5)
    forged = AuditEvent.objects.get(seq=3)
    forged.object_id = "999"
    tamper(
        "UPDATE core_auditevent SET object_id = %s, hash = %s WHERE seq = %s",
        ["999", event_hash(forged), 3],
    )

    result = audit_verify()

    assert not result.ok
    assert result.problem_seq == 3
    assert "event #4 does not link to event #3" in result.problem


def test_a_deleted_middle_event_is_named(record, tamper):
    record(5)
    tamper("DELETE FROM core_auditevent WHERE seq = %s", [3])

    result = audit_verify()

    assert result.problem == "event #3 is missing (deleted)"
    with pytest.raises(CommandError, match=r"event #3 is missing \(deleted\)"):
        verify_command()


def test_deleted_first_events_are_named(record, tamper):
    record(5)
    tamper("DELETE FROM core_auditevent WHERE seq <= %s", [2])
    assert audit_verify().problem == "events #1 to #2 are missing (deleted)"


def test_deleted_last_events_are_caught_by_the_head(record, tamper):
    record(5)
    tamper("DELETE FROM core_auditevent WHERE seq >= %s", [4])

    result = audit_verify()

    assert result.problem == "the last events were deleted: head says #5, log ends at #3"
    with pytest.raises(CommandError, match="head says #5, log ends at #3"):
        verify_command()


def test_a_rewound_head_is_caught(record, tamper):
    record(5)
    tamper("UPDATE core_auditchainhead SET seq = 4")
    assert "head says #4, log ends at #5" in audit_verify().problem


def test_a_head_with_another_hash_is_caught(record, tamper):
    record(2)
    tamper("UPDATE core_auditchainhead SET hash = %s", ["f" * 64])
    result = audit_verify()
    assert not result.ok
    assert "does not match event #2" in result.problem


def test_a_deleted_log_is_caught_by_the_head(record, tamper):
    record(2)
    tamper("DELETE FROM core_auditevent")
    assert audit_verify().problem == "the last events were deleted: head says #2, log ends at #0"


def _rewrite_from(seq: int, tamper) -> None:
    """What an attacker with the owner's rights can do: change an event, re-chain the rest."""
    events = list(AuditEvent.objects.order_by("seq"))
    prev = events[seq - 2].hash if seq > 1 else "0" * 64
    for event in events[seq - 1 :]:
        if event.seq == seq:
            event.object_id = "forged"
        event.prev_hash = prev
        event.hash = prev = event_hash(event)
        tamper(
            "UPDATE core_auditevent SET object_id = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.object_id, event.prev_hash, event.hash, event.seq],
        )
    tamper("UPDATE core_auditchainhead SET hash = %s", [prev])


def test_an_anchor_kept_elsewhere_catches_a_rewritten_chain(record, tamper):
    record(5)
    first = audit_verify()
    assert first.ok
    anchor = first.anchor  # e.g. printed by last night's run, kept by the inspection
    assert verify_command().rstrip().endswith(f"--anchor {anchor}")

    _rewrite_from(2, tamper)

    assert audit_verify().ok  # the chain alone cannot tell
    result = audit_verify(anchor=(5, anchor.split(":")[1]))
    assert not result.ok
    assert "event #5 no longer has the hash recorded outside the database" in result.problem
    with pytest.raises(CommandError, match="event #5 no longer has the hash"):
        call_command("audit_verify", f"--anchor={anchor}", stdout=io.StringIO())


def test_an_anchor_past_the_end_means_deleted_events(record, tamper):
    events = record(3)
    tamper("DELETE FROM core_auditevent WHERE seq = 3")
    tamper("UPDATE core_auditchainhead SET seq = 2, hash = %s", [events[1].hash])
    assert audit_verify().ok
    result = audit_verify(anchor=(3, events[2].hash))
    assert "before the recorded anchor #3" in result.problem


def test_a_malformed_anchor_is_refused(db):
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("audit_verify", "--anchor=12:nothex")
