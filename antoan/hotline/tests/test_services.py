"""The call log's services: what is stored, what is refused, and what is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from antoan.cases.models import Case
from antoan.core.models import AuditEvent
from antoan.hotline import services
from antoan.hotline.models import Call
from antoan.hotline.tests.conftest import SUMMARY, consent_input, survivor_input

pytestmark = pytest.mark.django_db


def test_a_call_belongs_to_the_operators_hotline_and_is_audited(cast, log_call):
    call = log_call()
    assert call.agency.code == "ctxh-tinh"
    assert call.operator == cast["hotline1"]
    assert call.status == "open"
    assert call.commune.code == "11953"
    event = AuditEvent.objects.filter(object_type="call", object_id=str(call.pk)).get()
    assert event.action == "create"
    assert event.agency_id == call.agency_id
    assert SUMMARY not in str(event.extra) and "summary" in event.changed_fields


def test_the_summary_is_encrypted_in_the_raw_row(log_call):
    call = log_call()
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM hotline_call WHERE id = %s", [call.pk])
        (stored,) = cursor.fetchone()
    assert "Hòa" not in stored and "chồng" not in stored
    assert Call.objects.get(pk=call.pk).summary == SUMMARY


def test_a_call_dated_in_the_future_is_refused_and_nothing_is_saved(log_call):
    with pytest.raises(ValidationError) as error:
        log_call(received_at=timezone.now() + dt.timedelta(hours=1))
    assert "received_at" in error.value.message_dict
    assert "tương lai" in error.value.message_dict["received_at"][0]
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "fax"),
        ("caller_type", "alien"),
        ("category", "theft"),
        ("outcome", "case_opened"),  # set only by opening a case
        ("commune", "99999"),
        ("duration_seconds", -1),
    ],
)
def test_bad_values_are_refused(log_call, field, value):
    with pytest.raises(ValidationError) as error:
        log_call(**{field: value})
    assert field in error.value.message_dict
    assert not Call.objects.exists()


def test_only_operators_log_calls(cast, log_call):
    for name in ("worker1", "supervisor1", "health1", "admin1"):
        with pytest.raises(PermissionDenied):
            log_call(cast[name])


def test_closing_needs_an_outcome_and_the_chairperson_told_in_immediate_danger(cast, log_call):
    call = log_call(immediate_danger=True)
    operator = cast["hotline1"]
    with pytest.raises(ValidationError):
        services.call_close(call=call, actor=operator, version=call.version)
    with pytest.raises(ValidationError) as error:
        services.call_close(
            call=call, actor=operator, version=call.version, outcome="police_dispatched"
        )
    assert "Chủ tịch" in str(error.value)
    assert services.chair_notice_missing(call)
    services.call_notify_record(
        call=call,
        actor=operator,
        role="commune_chair",
        method="phone",
        notified_at=timezone.now(),
        person_name="Ông Trần Văn Chủ",
    )
    call.refresh_from_db()
    assert not services.chair_notice_missing(call)
    services.call_close(
        call=call, actor=operator, version=call.version, outcome="police_dispatched"
    )
    call.refresh_from_db()
    assert call.status == "closed" and call.closed_at is not None


def test_a_stale_version_is_refused(cast, log_call):
    call = log_call()
    old = call.version
    services.call_update(
        call=call, actor=cast["hotline1"], version=old, changes={"outcome": "referred"}
    )
    with pytest.raises(services.CallConflict):
        services.call_update(
            call=call, actor=cast["hotline1"], version=old, changes={"category": "gbv"}
        )
    call.refresh_from_db()
    assert call.category == "dv"


def test_a_notice_needs_someone_and_no_future_time(cast, log_call):
    call = log_call(immediate_danger=True)
    with pytest.raises(ValidationError) as error:
        services.call_notify_record(
            call=call,
            actor=cast["hotline1"],
            role="police",
            method="phone",
            notified_at=timezone.now() + dt.timedelta(hours=2),
        )
    assert {"notified_at", "person_name"} <= set(error.value.message_dict)
    assert not call.notifications.exists()


def test_hotline_call_to_case_keeps_the_link(cast, log_call):
    """The issue's must-exist test: a case opened from a call stays linked to it."""
    call = log_call(immediate_danger=True)
    result = services.call_open_case(
        call=call, actor=cast["hotline1"], survivor=survivor_input(), consent=consent_input()
    )
    call.refresh_from_db()
    case = Case.objects.get(pk=result.case.pk)
    assert call.case == case and call.outcome == "case_opened"
    assert case.source == "hotline"
    assert case.risk_level == "immediate" and case.immediate_danger
    assert case.survivor.commune.code == "11953"  # the call's commune
    assert list(case.calls.all()) == [call]
    assert AuditEvent.objects.filter(
        object_type="call", object_id=str(call.pk), extra__event="case_opened"
    ).exists()
    # Once only.
    with pytest.raises(ValidationError):
        services.call_open_case(
            call=call, actor=cast["hotline1"], survivor=survivor_input(), consent=consent_input()
        )
    assert Case.objects.count() == 1


def test_a_failed_case_opening_leaves_the_call_as_it_was(cast, log_call):
    call = log_call()
    with pytest.raises(ValidationError):
        services.call_open_case(
            call=call,
            actor=cast["hotline1"],
            survivor=survivor_input(full_name=""),
            consent=consent_input(),
        )
    call.refresh_from_db()
    assert call.case is None and call.outcome == ""
    assert not Case.objects.exists()
