"""Protection measures (Law 13/2022 Art. 23): the law's deadlines, enforced through services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from antoan.cases import services
from antoan.cases.models import ProtectionMeasure
from antoan.cases.selectors import case_detail, measure_get, tasks_for_user
from antoan.cases.tests.conftest import VN, fresh

pytestmark = pytest.mark.usefixtures("vietnamese")

HOURS_12 = dt.timedelta(hours=12)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def case(cast, open_case):
    return open_case(cast["worker1"])


@pytest.fixture
def no_contact(case, cast, clock):
    """A commune no-contact order requested at 09:00 on 16/03/2026."""
    return services.measure_request(
        case=fresh(case),
        actor=cast["worker1"],
        type="no_contact_commune",
        deciding_body="commune_chair",
    )


def decide(measure, actor, clock, *, at, **kwargs):
    """Record a decision taken at ``at``, entered into the system at that moment."""
    clock.set(at)
    kwargs.setdefault("decision", "granted")
    if kwargs["decision"] == "granted":
        kwargs.setdefault("starts_at", at)
        kwargs.setdefault("ends_at", at + dt.timedelta(days=3))
    return services.measure_decide(
        measure=ProtectionMeasure.objects.get(pk=measure.pk), actor=actor, decided_at=at, **kwargs
    )


def test_a_request_starts_the_decision_clock(no_contact, clock, case):
    assert no_contact.requested_at == clock.now()
    assert no_contact.decision == "pending"
    assert measure_get(case, no_contact.pk) == no_contact
    assert fresh(case).events.last().data == {"type": "no_contact_commune"}


def test_a_decision_within_12_hours_is_accepted(no_contact, cast, clock):
    requested = no_contact.requested_at
    measure = decide(no_contact, cast["worker1"], clock, at=requested + HOURS_12)
    stored = ProtectionMeasure.objects.get(pk=measure.pk)
    assert (stored.decision, stored.decided_at, stored.late_reason) == (
        "granted",
        requested + HOURS_12,
        "",
    )
    assert stored.ends_at - stored.starts_at == dt.timedelta(days=3)


def test_a_decision_one_second_late_needs_the_reason_for_the_delay(no_contact, cast, clock):
    late = no_contact.requested_at + HOURS_12 + SECOND
    with pytest.raises(ValidationError) as info:
        decide(no_contact, cast["worker1"], clock, at=late)
    assert "late_reason" in info.value.message_dict
    assert "12 giờ" in info.value.message_dict["late_reason"][0]
    assert ProtectionMeasure.objects.get(pk=no_contact.pk).decision == "pending"

    decide(no_contact, cast["worker1"], clock, at=late, late_reason="Chủ tịch đi công tác")
    stored = ProtectionMeasure.objects.get(pk=no_contact.pk)
    assert (stored.decision, stored.late_reason) == ("granted", "Chủ tịch đi công tác")
    assert stored.case.events.last().data["late"] is True


def test_a_refusal_is_bound_by_the_12_hours_too(no_contact, cast, clock):
    with pytest.raises(ValidationError) as info:
        decide(
            no_contact,
            cast["worker1"],
            clock,
            at=no_contact.requested_at + HOURS_12 + SECOND,
            decision="refused",
            refusal_reason="Không đủ căn cứ",
        )
    assert "late_reason" in info.value.message_dict


def test_a_commune_order_lasts_at_most_3_days(no_contact, cast, clock):
    start = no_contact.requested_at + dt.timedelta(hours=2)
    with pytest.raises(ValidationError) as info:
        decide(
            no_contact,
            cast["worker1"],
            clock,
            at=start,
            ends_at=start + dt.timedelta(days=3) + SECOND,
        )
    assert "ends_at" in info.value.message_dict
    assert "3 ngày" in info.value.message_dict["ends_at"][0]
    assert ProtectionMeasure.objects.get(pk=no_contact.pk).decision == "pending"

    decide(no_contact, cast["worker1"], clock, at=start, ends_at=start + dt.timedelta(days=3))
    assert ProtectionMeasure.objects.get(pk=no_contact.pk).decision == "granted"


def test_a_court_order_lasts_at_most_4_months(case, cast, clock):
    measure = services.measure_request(
        case=fresh(case), actor=cast["worker1"], type="no_contact_court", deciding_body="court"
    )
    start = dt.datetime(2026, 3, 20, 14, 0, tzinfo=VN)
    with pytest.raises(ValidationError) as info:
        decide(
            measure,
            cast["worker1"],
            clock,
            at=start,
            ends_at=dt.datetime(2026, 7, 20, 14, 0, 1, tzinfo=VN),
        )
    assert "ends_at" in info.value.message_dict
    assert "4 tháng" in info.value.message_dict["ends_at"][0]
    # Calendar months: 20/03 to 20/07 is 122 days, more than 4 × 30.
    decide(
        measure,
        cast["worker1"],
        clock,
        at=start,
        ends_at=dt.datetime(2026, 7, 20, 14, 0, tzinfo=VN),
    )
    assert ProtectionMeasure.objects.get(pk=measure.pk).decision == "granted"


def test_a_court_order_has_no_12_hour_deadline(case, cast, clock):
    measure = services.measure_request(
        case=fresh(case), actor=cast["worker1"], type="no_contact_court", deciding_body="court"
    )
    decide(measure, cast["worker1"], clock, at=clock.now() + dt.timedelta(days=5))
    assert ProtectionMeasure.objects.get(pk=measure.pk).late_reason == ""


def test_a_refusal_needs_a_reason_and_has_no_period(no_contact, cast, clock):
    at = no_contact.requested_at + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as info:
        decide(no_contact, cast["worker1"], clock, at=at, decision="refused")
    assert "refusal_reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        decide(
            no_contact,
            cast["worker1"],
            clock,
            at=at,
            decision="refused",
            refusal_reason="Không đủ căn cứ",
            starts_at=at,
            ends_at=at + dt.timedelta(days=1),
        )
    assert "starts_at" in info.value.message_dict
    assert ProtectionMeasure.objects.get(pk=no_contact.pk).decision == "pending"

    decide(
        no_contact,
        cast["worker1"],
        clock,
        at=at,
        decision="refused",
        refusal_reason="Không đủ căn cứ",
    )
    stored = ProtectionMeasure.objects.get(pk=no_contact.pk)
    assert (stored.decision, stored.refusal_reason, stored.starts_at) == (
        "refused",
        "Không đủ căn cứ",
        None,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "start - 1h"}, "ends_at"),  # end before start
        ({"ends_at": "start"}, "ends_at"),  # ends as it starts
        ({"starts_at": "decided - 1h"}, "starts_at"),  # before the decision
        ({"decided_at": "requested - 1m"}, "decided_at"),  # before the request
        ({"decided_at": "now + 1h"}, "decided_at"),  # in the future
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": None}, "ends_at"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "pending"}, "decision"),
        ({"late_reason": "x" * 501}, "late_reason"),
        ({"refusal_reason": "\x00"}, "refusal_reason"),
    ],
)
def test_an_impossible_decision_is_refused_on_its_field(no_contact, cast, clock, change, field):
    requested = no_contact.requested_at
    clock.set(requested + dt.timedelta(hours=3))
    decided = requested + dt.timedelta(hours=2)
    values = {
        "decision": "granted",
        "decided_at": decided,
        "starts_at": decided,
        "ends_at": decided + dt.timedelta(days=2),
    }
    offsets = {
        "start - 1h": decided - dt.timedelta(hours=1),
        "start": decided,
        "decided - 1h": decided - dt.timedelta(hours=1),
        "requested - 1m": requested - dt.timedelta(minutes=1),
        "now + 1h": clock.now() + dt.timedelta(hours=1),
    }
    values.update({k: offsets.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    with pytest.raises(ValidationError) as info:
        services.measure_decide(
            measure=ProtectionMeasure.objects.get(pk=no_contact.pk), actor=cast["worker1"], **values
        )
    assert field in info.value.message_dict, info.value
    stored = ProtectionMeasure.objects.get(pk=no_contact.pk)
    assert (stored.decision, stored.decided_at, stored.starts_at) == ("pending", None, None)


def test_a_measure_is_decided_once(no_contact, cast, clock):
    decide(no_contact, cast["worker1"], clock, at=no_contact.requested_at + dt.timedelta(hours=1))
    with pytest.raises(ValidationError):
        decide(
            no_contact,
            cast["worker1"],
            clock,
            at=no_contact.requested_at + dt.timedelta(hours=2),
            decision="refused",
            refusal_reason="Đổi ý",
        )
    assert ProtectionMeasure.objects.get(pk=no_contact.pk).decision == "granted"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"type": "no_contact_commune", "deciding_body": "court"}, "deciding_body"),
        ({"type": "no_contact_court", "deciding_body": "commune_chair"}, "deciding_body"),
        ({"type": "exile", "deciding_body": "other"}, "type"),
        ({"type": "medical", "deciding_body": "king"}, "deciding_body"),
        ({"type": "medical", "deciding_body": "other", "requested_at": "future"}, "requested_at"),
    ],
)
def test_a_bad_request_is_refused_and_saves_nothing(case, cast, clock, kwargs, field):
    if kwargs.get("requested_at") == "future":
        kwargs["requested_at"] = clock.now() + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as info:
        services.measure_request(case=fresh(case), actor=cast["worker1"], **kwargs)
    assert field in info.value.message_dict
    assert not ProtectionMeasure.objects.exists()


def test_a_request_made_earlier_can_be_recorded_afterwards(case, cast, clock):
    earlier = clock.now() - dt.timedelta(hours=20)
    measure = services.measure_request(
        case=fresh(case),
        actor=cast["worker1"],
        type="no_contact_commune",
        deciding_body="commune_chair",
        requested_at=earlier,
    )
    # Already past the 12 hours: shown overdue at once.
    (task,) = [
        t for t in tasks_for_user(cast["worker1"], now=clock.now()) if t.kind == "measure_decision"
    ]
    assert task.countdown.overdue
    assert task.countdown.label() == "quá hạn 8 giờ"
    assert measure.requested_at == earlier


def test_others_cannot_request_or_decide_measures(no_contact, case, cast, clock):
    for username in ("worker2", "hotline1", "police1"):
        with pytest.raises(PermissionDenied):
            services.measure_request(
                case=fresh(case), actor=cast[username], type="medical", deciding_body="other"
            )
        with pytest.raises(PermissionDenied):
            decide(no_contact, cast[username], clock, at=clock.now())
    assert ProtectionMeasure.objects.count() == 1


def test_a_pending_decision_is_a_task_with_a_countdown_that_goes_overdue(
    no_contact, case, cast, clock
):
    requested = no_contact.requested_at

    def measure_tasks(user, at):
        return [t for t in tasks_for_user(user, now=at) if t.kind == "measure_decision"]

    (task,) = measure_tasks(cast["worker1"], requested + dt.timedelta(hours=2, minutes=30))
    assert task.case == case
    assert task.due == requested + HOURS_12
    assert not task.countdown.overdue
    assert task.countdown.label() == "còn 9 giờ 30 phút"

    (task,) = measure_tasks(cast["worker1"], requested + HOURS_12)
    assert not task.countdown.overdue
    (task,) = measure_tasks(cast["worker1"], requested + HOURS_12 + SECOND)
    assert task.countdown.overdue
    (task,) = measure_tasks(cast["worker1"], requested + HOURS_12 + dt.timedelta(minutes=45))
    assert task.countdown.label() == "quá hạn 45 phút"
    # The supervisor sees it too; the other agency does not.
    assert len(measure_tasks(cast["supervisor1"], requested)) == 1
    assert measure_tasks(cast["worker2"], requested) == []

    decide(
        no_contact,
        cast["worker1"],
        clock,
        at=requested + HOURS_12 + dt.timedelta(hours=1),
        late_reason="Ngoài giờ hành chính",
    )
    assert measure_tasks(cast["worker1"], requested + dt.timedelta(days=1)) == []


def test_measures_without_a_legal_deadline_make_no_countdown(case, cast, clock):
    services.measure_request(
        case=fresh(case), actor=cast["worker1"], type="shelter", deciding_body="other"
    )
    assert [
        t for t in tasks_for_user(cast["worker1"], now=clock.now()) if t.kind == "measure_decision"
    ] == []
    assert [m.type for m in case_detail(case)["measures"]] == ["shelter"]
