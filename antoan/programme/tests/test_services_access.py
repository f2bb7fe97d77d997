"""Recording activities, continued: flags instead of refusals, idempotent retries, who may
write, updates and stale versions."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from antoan.programme import services
from antoan.programme.models import Activity
from antoan.programme.services import ActivityConflict
from antoan.programme.tests.builders import audit_events, make_reporter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def errors_of(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


# --- Assigned or flagged -----------------------------------------------------------------------


def test_an_agency_not_assigned_to_the_task_is_recorded_and_flagged(record):
    # IV.5 is the provincial police's; a commune committee logs under it anyway.
    activity = record(tasks=["IV.5"])
    assert Activity.objects.get(pk=activity.pk).flags == ["agency_not_assigned"]
    [event] = audit_events("programme.activity", activity.pk)
    assert event.extra["flags"] == ["agency_not_assigned"]


def test_a_commune_committee_under_ii_3_a_is_assigned_through_its_bullets(record):
    # II.3.a itself names nobody; its bullets name "UBND các huyện..." (commune committees).
    activity = record(kind="training", tasks=["II.3.a"], details={"topic": "general"})
    assert activity.flags == []


def test_a_commune_committee_under_a_section_it_has_duties_in_is_assigned(record):
    assert record(tasks=["II"]).flags == []


def test_the_heir_of_the_labour_department_is_assigned_its_tasks(record, agencies):
    noi_vu = make_reporter("reporter-noi-vu", agencies["so-noi-vu"])
    # IV.1.a names only Sở LĐTBXH, whose duties went to Sở Nội vụ on 1/3/2025.
    activity = record(
        noi_vu, agency="so-noi-vu", tasks=["IV.1.a"], place=agencies["so-noi-vu"].place
    )
    assert activity.flags == []
    assert record(noi_vu, agency="so-noi-vu", tasks=["IV.5"]).flags == ["agency_not_assigned"]


def test_the_flag_follows_the_tasks_on_update(cast, record, activity_input):
    activity = record(tasks=["IV.5"])
    services.activity_update(
        actor=cast["reporter1"],
        activity=activity,
        version=1,
        data=activity_input(tasks=["II.2.c"]),
    )
    assert Activity.objects.get(pk=activity.pk).flags == []


# --- Idempotent retries ------------------------------------------------------------------------


def test_a_repeated_client_uuid_returns_the_first_activity(cast, plan64, activity_input):
    key = uuid.uuid4()
    first, created = services.activity_create(
        actor=cast["reporter1"], plan=plan64, data=activity_input(), client_uuid=key
    )
    assert created
    again, created = services.activity_create(
        actor=cast["reporter1"],
        plan=plan64,
        data=activity_input(title="Gửi lại lần hai"),
        client_uuid=key,
    )
    assert (again.pk, created) == (first.pk, False)
    assert Activity.objects.get().title == first.title
    assert len(audit_events("programme.activity")) == 1


def test_a_client_uuid_of_another_agency_is_refused(
    cast, plan64, activity_input, reporter2, mini_places
):
    key = uuid.uuid4()
    services.activity_create(
        actor=cast["reporter1"], plan=plan64, data=activity_input(), client_uuid=key
    )
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=reporter2,
            plan=plan64,
            data=activity_input(agency="ubnd-tran-hung-dao", place=mini_places["commune_b"]),
            client_uuid=key,
        )
    assert "client_uuid" in errors_of(exc)
    assert Activity.objects.count() == 1


def test_a_repeated_import_key_returns_the_first_activity_of_that_agency(
    cast, plan64, activity_input, reporter2, mini_places
):
    def create(actor, **overrides):
        return services.activity_create(
            actor=actor, plan=plan64, data=activity_input(**overrides), import_key="row-7-abc"
        )

    first, created = create(cast["reporter1"])
    again, created_again = create(cast["reporter1"], title="Khác")
    assert created and not created_again
    assert again.pk == first.pk
    # The key belongs to the agency: another commune's spreadsheet may reuse it.
    other, created_other = create(
        reporter2, agency="ubnd-tran-hung-dao", place=mini_places["commune_b"]
    )
    assert created_other and other.pk != first.pk
    assert Activity.objects.count() == 2


# --- Who may write -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["worker1", "analyst1", "coordinator1", "manager1", "admin1"])
def test_only_the_agencys_reporters_record_its_activities(record, username):
    with pytest.raises(PermissionDenied):
        record(username)
    assert Activity.objects.count() == 0
    assert audit_events("programme.activity") == []


def test_a_reporter_cannot_record_for_another_agency(record, mini_places, reporter2):
    with pytest.raises(PermissionDenied):
        record("reporter1", agency="ubnd-tran-hung-dao", place=mini_places["commune_b"])
    assert Activity.objects.count() == 0


@pytest.fixture
def theirs(record, reporter2, mini_places):
    """An activity of UBND phường Trần Hưng Đạo."""
    return record(reporter2, agency="ubnd-tran-hung-dao", place=mini_places["commune_b"])


def test_a_reporter_cannot_edit_another_agencys_activity(cast, theirs, activity_input, mini_places):
    for data in (
        activity_input(title="Sửa trộm"),
        activity_input(
            title="Sửa trộm", agency="ubnd-tran-hung-dao", place=mini_places["commune_b"]
        ),
    ):
        with pytest.raises(PermissionDenied):
            services.activity_update(actor=cast["reporter1"], activity=theirs, version=1, data=data)
    theirs.refresh_from_db()
    assert (theirs.title, theirs.version, theirs.agency.code) == (
        "Sinh hoạt cộng đồng về phòng, chống bạo lực trên cơ sở giới",
        1,
        "ubnd-tran-hung-dao",
    )
    assert not services.may_edit_activity(cast["reporter1"], theirs)


def test_a_reporter_cannot_hand_an_activity_to_another_agency(cast, record, activity_input):
    mine = record()
    with pytest.raises(PermissionDenied):
        services.activity_update(
            actor=cast["reporter1"],
            activity=mine,
            version=1,
            data=activity_input(agency="ubnd-tran-hung-dao"),
        )
    mine.refresh_from_db()
    assert mine.agency.code == "ubnd-pho-hien"


def test_who_may_edit_an_activity(cast, record):
    mine = record()
    assert services.may_edit_activity(cast["reporter1"], mine)
    for username in ("coordinator1", "analyst1", "manager1", "worker1"):
        assert not services.may_edit_activity(cast[username], mine), username


# --- Updates and stale versions ----------------------------------------------------------------


def test_an_update_bumps_the_version_and_audits_the_changed_fields(cast, record, activity_input):
    activity = record()
    updated = services.activity_update(
        actor=cast["reporter1"],
        activity=activity,
        version=1,
        data=activity_input(
            title="Sinh hoạt cộng đồng (bổ sung)",
            participants_total=45,
            participants_female=30,
        ),
    )
    assert updated.version == 2
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.participants_total, stored.version) == (
        "Sinh hoạt cộng đồng (bổ sung)",
        45,
        2,
    )
    [event] = audit_events("programme.activity", activity.pk, "update")
    assert set(event.changed_fields) == {
        "title",
        "participants_total",
        "participants_female",
    }


def test_a_stale_version_raises_a_conflict_and_changes_nothing(cast, record, activity_input):
    activity = record(spending={"commune_budget": 1_000_000})
    services.activity_update(
        actor=cast["reporter1"],
        activity=activity,
        version=1,
        data=activity_input(title="Lần sửa thứ nhất", spending={"commune_budget": 1_000_000}),
    )
    with pytest.raises(ActivityConflict) as exc:
        services.activity_update(
            actor=cast["reporter1"],
            activity=activity,
            version=1,
            data=activity_input(title="Lần sửa dựa trên bản cũ", spending={"donor": 9}),
        )
    assert exc.value.loaded_version == 1
    assert exc.value.activity.version == 2
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.version) == ("Lần sửa thứ nhất", 2)
    assert dict(stored.spending.values_list("source", "amount")) == {"commune_budget": 1_000_000}
    assert len(audit_events("programme.activity", activity.pk, "update")) == 1


def test_an_invalid_update_changes_nothing(cast, record, activity_input):
    activity = record(spending={"commune_budget": 1_000_000})
    with pytest.raises(ValidationError):
        services.activity_update(
            actor=cast["reporter1"],
            activity=activity,
            version=1,
            data=activity_input(participants_total=99, spending={}),
        )
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.participants_total, stored.version) == (40, 1)
    assert stored.spending.count() == 1
