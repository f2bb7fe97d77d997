"""Encryption at rest of case data, read from the raw database rows, and the key commands."""

from __future__ import annotations

import base64
import io
import os
import unicodedata
import uuid

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from antoan.cases import services
from antoan.cases.models import CaseNote, Incident, Perpetrator, Survivor
from antoan.cases.selectors import CaseFilters, case_detail, case_search
from antoan.cases.tests.conftest import NAME
from antoan.core.crypto import (
    DecryptionError,
    EncryptedTextField,
    RowMismatchError,
    UnboundWriteError,
    current_key_version,
    reset_key_cache,
)
from antoan.core.models import AuditEvent

PHONE = "0912345678"
ADDRESS = "Số 5 ngõ 12 phố Bãi Sậy"
NOTE = "Chị Hòa kể chồng đe dọa giết nếu chị đi báo công an"
DESCRIPTION = "Bị chồng đánh vào mặt tại nhà"
DETAILS = "Trần Văn Dũng, lái xe tải"


def raw_row(sql: str, params=()) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def raw_update(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def new_key(version: str) -> str:
    return f"{version}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"


def encrypted_columns():
    """(table, [columns]) of every model with encrypted fields, in every app."""
    for model in apps.get_models():
        columns = [f.column for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if columns:
            yield model._meta.db_table, columns


def stored_versions() -> set[str]:
    """The key versions of every non-empty encrypted value in the database."""
    found = set()
    for table, columns in encrypted_columns():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
            for row in cursor.fetchall():
                found |= {value.partition(":")[0] for value in row if value}
    return found


@pytest.fixture
def keys(settings):
    """Set ANTOAN_FIELD_KEYS / ANTOAN_INDEX_KEY for the rest of the test, caches cleared."""

    def set_keys(*, field=None, index=None):
        if field is not None:
            settings.ANTOAN_FIELD_KEYS = list(field)
        if index is not None:
            settings.ANTOAN_INDEX_KEY = index
        reset_key_cache()

    yield set_keys
    # The settings fixture puts the old keys back after this; the caches must not keep ours.
    reset_key_cache()


@pytest.fixture
def case(open_case, cast):
    worker = cast["worker1"]
    opened = open_case(worker, phone="0912 345 678", address=ADDRESS)
    services.note_add(case=opened, actor=worker, body=NOTE)
    return opened


def test_identifying_fields_are_unreadable_in_the_database(case):
    version = current_key_version()
    row = raw_row(
        "SELECT full_name, phone, address FROM cases_survivor WHERE id = %s", [case.survivor_id]
    )
    for stored, clear in zip(row, [NAME, PHONE, ADDRESS], strict=True):
        assert clear not in stored
        assert stored.startswith(f"{version}:")
    # Nor in the accent-free form a search index might have kept.
    assert "nguyen" not in row[0].lower()
    (body,) = raw_row("SELECT body FROM cases_casenote WHERE case_id = %s", [case.pk])
    (description,) = raw_row("SELECT description FROM cases_incident WHERE case_id = %s", [case.pk])
    (details,) = raw_row(
        "SELECT p.details FROM cases_perpetrator p JOIN cases_incident i ON p.incident_id = i.id "
        "WHERE i.case_id = %s",
        [case.pk],
    )
    for stored, clear in [(body, NOTE), (description, DESCRIPTION), (details, DETAILS)]:
        assert stored.startswith(f"{version}:")
        assert clear not in stored
        assert "Dũng" not in stored
        assert "Hòa" not in stored


def test_the_models_read_the_values_back_in_clear(case):
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert (survivor.full_name, survivor.phone, survivor.address) == (NAME, PHONE, ADDRESS)
    detail = case_detail(case)
    assert [n.body for n in detail["notes"]] == [NOTE]
    assert [i.description for i in detail["incidents"]] == [DESCRIPTION]
    assert [p.details for p in detail["incidents"][0].perpetrators.all()] == [DETAILS]


def test_the_name_and_phone_appear_nowhere_in_clear_in_any_case_table(case):
    """Blind indexes, search tokens, events and stage history hold no trace of them either."""
    needles = [NAME, "Nguyen Thi Hoa", "nguyen thi hoa", PHONE, "912345678", "Dũng", "Bãi Sậy"]
    needles += [unicodedata.normalize("NFD", NAME)]
    tables = [m._meta.db_table for m in apps.get_app_config("cases").get_models()]
    assert "cases_searchtoken" in tables
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            dump = repr(cursor.fetchall())
        for needle in needles:
            assert needle not in dump, f"{needle!r} stored in clear in {table}"


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(case):
    raw_update("UPDATE cases_survivor SET address = full_name WHERE id = %s", [case.survivor_id])
    with pytest.raises(DecryptionError):
        Survivor.objects.get(pk=case.survivor_id)


def test_a_note_moved_into_an_incident_description_does_not_decrypt(case):
    raw_update(
        "UPDATE cases_incident SET description = "
        "(SELECT body FROM cases_casenote WHERE case_id = %s) WHERE case_id = %s",
        [case.pk, case.pk],
    )
    with pytest.raises(DecryptionError):
        list(Incident.objects.filter(case=case))
    # The note itself is untouched.
    assert CaseNote.objects.get(case=case).body == NOTE


def test_a_tampered_ciphertext_does_not_decrypt(case):
    (stored,) = raw_row("SELECT body FROM cases_casenote WHERE case_id = %s", [case.pk])
    version, _, encoded = stored.partition(":")
    blob = bytearray(base64.urlsafe_b64decode(encoded))
    blob[-1] ^= 1
    raw_update(
        "UPDATE cases_casenote SET body = %s WHERE case_id = %s",
        [f"{version}:{base64.urlsafe_b64encode(bytes(blob)).decode()}", case.pk],
    )
    with pytest.raises(DecryptionError):
        CaseNote.objects.get(case=case)


def test_rotation_moves_every_value_to_the_new_key(case, settings, keys):
    old_keys = list(settings.ANTOAN_FIELD_KEYS)
    old_version = current_key_version()
    assert stored_versions() == {old_version}

    keys(field=[new_key("r2"), *old_keys])
    # Before rotation the old rows still read, through the old key.
    assert Survivor.objects.get(pk=case.survivor_id).full_name == NAME
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)

    assert stored_versions() == {"r2"}
    (stored,) = raw_row("SELECT full_name FROM cases_survivor WHERE id = %s", [case.survivor_id])
    assert stored.startswith("r2:")
    assert NAME not in stored
    # Empty values stay empty rather than becoming ciphertexts of "".
    (other_names,) = raw_row(
        "SELECT other_names FROM cases_survivor WHERE id = %s", [case.survivor_id]
    )
    assert other_names == ""

    # The old key can now go: everything still reads.
    keys(field=[settings.ANTOAN_FIELD_KEYS[0]])
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert (survivor.full_name, survivor.phone, survivor.address) == (NAME, PHONE, ADDRESS)
    assert CaseNote.objects.get(case=case).body == NOTE
    assert Incident.objects.get(case=case).description == DESCRIPTION
    assert Perpetrator.objects.get(incident__case=case).details == DETAILS


def test_removing_the_old_key_without_rotating_makes_old_rows_unreadable(case, keys):
    """What rotation is for: the test above would fail if the command did nothing."""
    keys(field=[new_key("r2")])
    with pytest.raises(DecryptionError):
        Survivor.objects.get(pk=case.survivor_id)


def test_rotation_twice_rewrites_nothing_the_second_time(case, settings, keys):
    keys(field=[new_key("r2"), *settings.ANTOAN_FIELD_KEYS])
    call_command("rotate_field_keys", stdout=io.StringIO())
    (before,) = raw_row("SELECT full_name FROM cases_survivor WHERE id = %s", [case.survivor_id])
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    (after,) = raw_row("SELECT full_name FROM cases_survivor WHERE id = %s", [case.survivor_id])
    assert after == before
    assert "Done: 0 row(s)" in out.getvalue()


def test_a_new_index_key_needs_the_index_rebuilt_then_search_works_again(
    case, cast, keys, open_result
):
    supervisor = cast["supervisor1"]

    def found(q: str) -> list[str]:
        return [c.number for c in case_search(supervisor, CaseFilters(q=q))]

    assert found("nguyen thi hoa") == [case.number]
    assert found("0912 345 678") == [case.number]

    keys(index=base64.urlsafe_b64encode(os.urandom(32)).decode())
    assert found("nguyen thi hoa") == []
    assert found("0912 345 678") == []

    call_command("rebuild_search_index", stdout=io.StringIO())
    assert found("nguyen thi hoa") == [case.number]
    assert found("hoa") == [case.number]
    assert found("0912 345 678") == [case.number]
    # The whole-name index behind the duplicate warning is rebuilt too.
    again = open_result(supervisor, phone="", birth_year=1990)
    assert again.duplicates.visible == [case.number]


def test_a_value_under_an_unknown_key_version_is_refused_not_shown_as_garbage(case):
    raw_update(
        "UPDATE cases_survivor SET phone = %s WHERE id = %s",
        ["zz:" + base64.urlsafe_b64encode(os.urandom(40)).decode(), case.survivor_id],
    )
    with pytest.raises(DecryptionError):
        Survivor.objects.get(pk=case.survivor_id)


def test_the_survivor_description_in_logs_never_holds_the_name(case):
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert NAME not in str(survivor)
    assert NAME not in repr(survivor)


# --- Values bound to their row ----------------------------------------------------------------


@pytest.fixture
def two_survivors(cast, open_case):
    first = open_case(cast["worker1"], phone="0912 000 111")
    second = open_case(cast["worker1"], full_name="Lê Thị Mai", phone="0988 222 333")
    return first, second


def test_a_phone_copied_into_another_survivors_row_is_refused_when_read(two_survivors):
    first, second = two_survivors
    raw_update(
        "UPDATE cases_survivor SET phone = (SELECT phone FROM cases_survivor WHERE id = %s) "
        "WHERE id = %s",
        [first.survivor_id, second.survivor_id],
    )
    victim = Survivor.objects.get(pk=second.survivor_id)
    with pytest.raises(RowMismatchError) as refused:
        _ = victim.phone
    assert (refused.value.model, refused.value.field) == ("cases.Survivor", "phone")
    # Nor can it be saved back as if it were this survivor's.
    with pytest.raises(RowMismatchError), transaction.atomic():
        victim.save()
    # The fields nobody touched still read, and the first survivor is unaffected.
    assert victim.full_name == "Lê Thị Mai"
    assert Survivor.objects.get(pk=first.survivor_id).phone == "0912000111"


def test_changing_the_row_key_named_in_a_ciphertext_makes_it_undecryptable(two_survivors):
    """The row key in the stored text is authenticated: rewriting it to the victim's fails."""
    first, second = two_survivors
    (stolen,) = raw_row("SELECT phone FROM cases_survivor WHERE id = %s", [first.survivor_id])
    (victim_key,) = raw_row(
        "SELECT row_key FROM cases_survivor WHERE id = %s", [second.survivor_id]
    )
    version, _row, sealed = stolen.split(":")
    forged = f"{version}:{uuid.UUID(str(victim_key)).hex}:{sealed}"
    raw_update("UPDATE cases_survivor SET phone = %s WHERE id = %s", [forged, second.survivor_id])
    with pytest.raises(DecryptionError):
        Survivor.objects.get(pk=second.survivor_id)


def test_a_note_moved_to_another_case_is_refused(case, cast, open_case):
    other = open_case(cast["worker1"], full_name="Lê Thị Mai")
    services.note_add(case=other, actor=cast["worker1"], body="Ghi chú của ca khác")
    raw_update(
        "UPDATE cases_casenote SET body = (SELECT body FROM cases_casenote WHERE case_id = %s) "
        "WHERE case_id = %s",
        [case.pk, other.pk],
    )
    with pytest.raises(RowMismatchError):
        _ = CaseNote.objects.get(case=other).body


def test_the_case_page_refuses_a_swapped_value_clearly_and_audits_it(two_survivors, client, cast):
    first, second = two_survivors
    raw_update(
        "UPDATE cases_survivor SET phone = (SELECT phone FROM cases_survivor WHERE id = %s) "
        "WHERE id = %s",
        [first.survivor_id, second.survivor_id],
    )
    client.force_login(cast["worker1"])
    client.raise_request_exception = False
    response = client.get(reverse("cases:detail", args=[second.pk]))
    assert response.status_code == 500
    page = response.content.decode()
    assert "không khớp với hồ sơ" in page
    assert "0912000111" not in page
    event = AuditEvent.objects.filter(action="integrity_failed").get()
    assert (event.object_type, event.object_id) == ("cases.Survivor", str(second.survivor_id))
    assert event.extra["field"] == "phone"
    assert event.user == cast["worker1"]


def test_update_cannot_write_a_value_that_is_not_bound_to_its_row(case):
    with pytest.raises(UnboundWriteError), transaction.atomic():
        CaseNote.objects.filter(case=case).update(body="Viết đè ngoài dịch vụ")
    assert CaseNote.objects.get(case=case).body == NOTE
    # Blanking needs no row, and is how anonymisation empties a field.
    CaseNote.objects.filter(case=case).update(body="")
    assert CaseNote.objects.get(case=case).body == ""


def test_bulk_update_cannot_write_a_value_that_is_not_bound_to_its_row(case):
    note = CaseNote.objects.get(case=case)
    note.body = "Viết đè hàng loạt"
    with pytest.raises(UnboundWriteError), transaction.atomic():
        CaseNote.objects.bulk_update([note], ["body"])
    assert CaseNote.objects.get(case=case).body == NOTE


def test_bulk_create_binds_each_row(case, cast):
    CaseNote.objects.bulk_create(
        [
            CaseNote(case=case, body=f"Ghi chú {i}", created_at=case.opened_at,
                     created_by=cast["worker1"])
            for i in range(2)
        ]
    )  # fmt: skip
    assert sorted(n.body for n in CaseNote.objects.filter(case=case)) == sorted(
        [NOTE, "Ghi chú 0", "Ghi chú 1"]
    )


def test_the_migration_binds_values_sealed_before_rows_had_keys(case):
    """What 0003_bind_encrypted_values_to_rows does to an existing database, and back."""
    from antoan.core.crypto import _seal, bind_rows_to_keys, is_row_bound

    # The stored form before this change: sealed to the column only.
    legacy = _seal(PHONE, "cases.survivor.phone")
    raw_update("UPDATE cases_survivor SET phone = %s WHERE id = %s", [legacy, case.survivor_id])
    with pytest.raises(DecryptionError):
        Survivor.objects.get(pk=case.survivor_id)
    # Other rows' values are already bound: re-binding refuses rather than double-sealing,
    # so unbind them first as the migration's reverse would.
    bind_rows_to_keys(CaseNote, connection, unbind=True)
    bind_rows_to_keys(CaseNote, connection)
    raw_update(
        "UPDATE cases_survivor SET full_name = %s, address = %s WHERE id = %s",
        [_seal(NAME, "cases.survivor.full_name"), _seal(ADDRESS, "cases.survivor.address"),
         case.survivor_id],
    )  # fmt: skip
    Survivor.objects.exclude(pk=case.survivor_id).delete()
    bind_rows_to_keys(Survivor, connection)

    (stored,) = raw_row("SELECT phone FROM cases_survivor WHERE id = %s", [case.survivor_id])
    assert is_row_bound(stored)
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert (survivor.full_name, survivor.phone, survivor.address) == (NAME, PHONE, ADDRESS)
    assert CaseNote.objects.get(case=case).body == NOTE


def test_every_model_with_encrypted_fields_has_a_row_key():
    from django.core import checks

    assert [e for e in checks.run_checks() if e.id == "antoan.E002"] == []
    for model in apps.get_models():
        if any(isinstance(f, EncryptedTextField) for f in model._meta.fields):
            assert model._meta.get_field("row_key").unique, model
