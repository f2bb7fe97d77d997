"""The duplicate check at intake and the provincial review of possible duplicates.

A user hears only of possible duplicates they may open already; the check runs only on an
intake that is otherwise valid, is audited with its outcome and limited per user and hour;
other agencies' matches go to a reviewer who decides, and puts the agencies in touch only
where both survivors' sharing consent allows it.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from antoan.accounts.models import Membership, User
from antoan.accounts.roles import Role
from antoan.cases import services
from antoan.cases.models import Case, DuplicateReview
from antoan.cases.services import duplicates
from antoan.cases.tests.conftest import counts, fresh, incident_input
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PHONE = "0912 345 678"


def checks():
    return list(AuditEvent.objects.filter(object_type="duplicate_check").order_by("seq"))


def known_in_b(cast, open_result, **consent):
    """A survivor known to agency B (worker2), reachable by name + birth year and phone."""
    kwargs = {}
    if consent:
        kwargs["consent"] = services.ConsentInput(services=True, reporting=True, **consent)
    return open_result(
        cast["worker2"], full_name="Nguyễn Thị Hòa", birth_year=1990, phone=PHONE, **kwargs
    ).case


# --- The check runs only on a valid intake ----------------------------------------------------


def test_an_intake_refused_for_another_reason_checks_nothing(cast, open_result, clock):
    known_in_b(cast, open_result)
    before = counts()
    future = incident_input(clock.today(), occurred_on=clock.today() + dt.timedelta(days=3))
    with pytest.raises(ValidationError):
        open_result(cast["worker1"], phone=PHONE, incident=future)
    assert counts() == before  # no case, no audit event at all: not even the check
    assert [e.user for e in checks()] == [cast["worker2"]]  # worker2's own intake only
    assert not DuplicateReview.objects.exists()


def test_a_valid_intake_is_checked_once_and_audited_without_what_was_searched(cast, open_result):
    first = known_in_b(cast, open_result)
    result = open_result(cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990)
    assert result.created and result.duplicates.visible == []
    event = checks()[-1]
    assert (event.user, event.action, event.object_id) == (
        cast["worker1"],
        "search",
        str(result.case.pk),
    )
    assert {k: event.extra[k] for k in ("outcome", "visible", "hidden")} == {
        "outcome": "created",
        "visible": 0,
        "hidden": 1,
    }
    assert "Hòa" not in str(event.extra) and "345" not in str(event.extra)
    review = DuplicateReview.objects.get()
    assert (review.case, review.matched, review.match) == (result.case, first, "name_birth_year")


def test_a_case_the_user_may_open_is_asked_about_before_creating(cast, open_result):
    first = open_result(cast["worker1"], phone=PHONE).case
    before = counts()
    with pytest.raises(services.DuplicatesToConfirm) as stop:
        open_result(cast["worker1"], full_name="Tên Khác", phone=PHONE, confirm_duplicates=False)
    assert stop.value.report.visible == [first.number]
    after = counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1  # the check, nothing else
    assert after == before
    assert checks()[-1].extra["outcome"] == "asked_to_confirm"
    confirmed = open_result(cast["worker1"], full_name="Tên Khác", phone=PHONE)
    assert confirmed.created and confirmed.duplicates.visible == [first.number]


def test_hidden_matches_never_stop_an_intake_nor_change_its_result(cast, open_result):
    alone = open_result(cast["worker1"], full_name="Trần Thị Mai", phone="0987 111 222")
    known_in_b(cast, open_result)
    matched = open_result(cast["worker1"], phone=PHONE, confirm_duplicates=False)
    assert (alone.created, alone.in_scope, alone.duplicates.visible) == (True, True, [])
    assert (matched.created, matched.in_scope, matched.duplicates.visible) == (True, True, [])


# --- Rate limit ---------------------------------------------------------------------------------


def test_checks_beyond_the_hourly_limit_create_nothing_and_are_audited(
    cast, open_result, clock, settings
):
    settings.ANTOAN_DUPLICATE_CHECKS_PER_HOUR = 2
    open_result(cast["worker1"])
    open_result(cast["worker1"])
    before = counts()
    with pytest.raises(services.DuplicateChecksExceeded):
        open_result(cast["worker1"], phone=PHONE)
    after = counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
    refusal = checks()[-1]
    assert (refusal.action, refusal.extra["outcome"]) == ("permission_denied", "rate_limited")
    # Someone else is not held back, and the next hour starts afresh.
    assert open_result(cast["supervisor1"]).created
    clock.advance(hours=1)
    assert open_result(cast["worker1"]).created


def test_a_retry_is_not_a_check(cast, open_result, settings):
    settings.ANTOAN_DUPLICATE_CHECKS_PER_HOUR = 1
    key = uuid.uuid4()
    open_result(cast["worker1"], client_uuid=key)
    assert open_result(cast["worker1"], client_uuid=key).created is False


# --- Replays of a client_uuid -------------------------------------------------------------------


def test_a_replay_after_a_transfer_returns_the_case_out_of_scope(
    cast, open_result, agencies, supervisor2
):
    key = uuid.uuid4()
    case = open_result(cast["worker1"], client_uuid=key).case
    transfer = services.transfer_request(
        case=fresh(case),
        actor=cast["supervisor1"],
        to_agency=agencies["b"],
        reason="Người bị bạo lực chuyển nơi ở",
        version=fresh(case).version,
    )
    services.transfer_decide(
        transfer=transfer, actor=supervisor2, accept=True, assign_to=cast["worker2"]
    )
    again = open_result(cast["worker1"], client_uuid=key)
    assert (again.case.pk, again.created, again.in_scope) == (case.pk, False, False)
    event = AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).latest("seq")
    assert (event.user, event.extra["replay"], event.extra["in_scope"]) == (
        cast["worker1"],
        True,
        False,
    )
    assert Case.objects.count() == 1


def test_a_replay_after_reassignment_returns_the_case_out_of_scope(cast, open_result, agencies):
    other = User.objects.create(username="worker3", first_name="Thu", last_name="Đỗ")
    Membership.objects.create(
        user=other, agency=agencies["a"], role=Role.CASE_WORKER, valid_from=dt.date(2025, 7, 1)
    )
    key = uuid.uuid4()
    case = open_result(cast["worker1"], client_uuid=key).case
    services.case_update(
        case=fresh(case),
        actor=cast["supervisor1"],
        version=fresh(case).version,
        changes={"assigned_to": other},
    )
    assert open_result(cast["worker1"], client_uuid=key).in_scope is False
    # Still theirs: the full case again.
    mine = uuid.uuid4()
    open_result(cast["worker1"], client_uuid=mine)
    assert open_result(cast["worker1"], client_uuid=mine).in_scope is True


# --- The provincial review ----------------------------------------------------------------------


@pytest.fixture
def review(cast, open_result):
    known_in_b(cast, open_result)
    open_result(cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990, phone=PHONE)
    return DuplicateReview.objects.get()


def decide(review, actor, decision, **kwargs):
    return duplicates.duplicate_review_decide(
        review=review, actor=actor, decision=decision, version=review.version, **kwargs
    )


def test_the_analyst_records_same_person_for_statistics(cast, review, clock):
    decided = decide(review, cast["analyst1"], "same_person", note="Cùng ngày sinh, cùng xã")
    assert (decided.status, decided.decided_by, decided.decided_at, decided.version) == (
        "same_person",
        cast["analyst1"],
        clock.now(),
        2,
    )
    event = AuditEvent.objects.filter(object_type="duplicate_review").last()
    assert (event.action, event.extra["decision"]) == ("update", "same_person")


@pytest.mark.parametrize("name", ["worker1", "supervisor1", "coordinator1", "auditor1"])
def test_nobody_else_decides(cast, review, name):
    with pytest.raises(PermissionDenied):
        decide(review, cast[name], "different")
    assert fresh_review(review).status == "open"


def test_an_analyst_outside_the_province_does_not_review(cast, review, agencies):
    local = User.objects.create(username="analyst2")
    Membership.objects.create(
        user=local, agency=agencies["a"], role=Role.ANALYST, valid_from=dt.date(2025, 7, 1)
    )
    with pytest.raises(PermissionDenied):
        decide(review, local, "same_person")


def test_a_stale_decision_is_refused(cast, review):
    decide(review, cast["analyst1"], "same_person")
    with pytest.raises(duplicates.ReviewConflict):
        decide(review, cast["analyst1"], "different")  # the version it was loaded at
    assert fresh_review(review).status == "same_person"


def test_agencies_are_put_in_touch_only_with_both_consents(
    cast, open_result, agencies, mailoutbox, django_capture_on_commit_callbacks
):
    known_in_b(cast, open_result, sharing_agencies=[agencies["a"]])
    open_result(cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990, phone=PHONE)
    one_sided = DuplicateReview.objects.get()
    with pytest.raises(ValidationError) as refused:
        decide(one_sided, cast["analyst1"], "in_touch")
    assert "chưa đồng ý chia sẻ" in str(refused.value)
    assert fresh_review(one_sided).status == "open"

    cast["supervisor1"].email = "minh@example.vn"
    cast["supervisor1"].save()
    consent = services.ConsentInput(services=True, reporting=True, sharing_agencies=[agencies["b"]])
    second = open_result(
        cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990, phone=PHONE, consent=consent
    ).case
    both = DuplicateReview.objects.get(case=second, matched__agency=agencies["b"])
    with django_capture_on_commit_callbacks(execute=True):
        decided = decide(both, cast["analyst1"], "in_touch")
    assert decided.status == "in_touch"
    [mail] = mailoutbox  # agency B has no supervisor with an email in the demo cast
    assert mail.to == ["minh@example.vn"]
    assert both.matched.number in mail.body and agencies["b"].name in mail.body
    assert "Hòa" not in mail.body and "345" not in mail.body


def fresh_review(review):
    return DuplicateReview.objects.get(pk=review.pk)
