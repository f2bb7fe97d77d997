"""The case's journey: stages, closure approval, reopening, closed cases, transfer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from antoan.cases import services
from antoan.cases.models import CaseEvent, CaseStageChange, CaseTransfer, ClosureRequest
from antoan.cases.selectors import (
    case_get_for_user,
    cases_for_user,
    transfer_get_incoming,
    transfers_incoming,
)
from antoan.cases.tests.conftest import (
    MISSING_REASON,
    VN,
    close_case,
    counts,
    fresh,
    full_checklist,
    incident_input,
)

pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture
def case(cast, open_case):
    return open_case(cast["worker1"])


def history(case) -> list[tuple[str, str]]:
    return [
        (c.from_stage, c.to_stage)
        for c in CaseStageChange.objects.filter(case=case).order_by("changed_at", "pk")
    ]


def work_through_to_follow_up(case, worker, agencies, clock):
    services.assessment_add(case=fresh(case), actor=worker, needs=["legal"], answers={})
    clock.advance(hours=1)
    services.case_plan_add(
        case=fresh(case),
        actor=worker,
        goals="An toàn",
        items=[services.PlanItemInput("legal", agencies["a"], clock.today())],
    )
    clock.advance(days=1)
    services.follow_up_add(case=fresh(case), actor=worker, done_on=clock.today(), method="phone")
    return fresh(case)


def request_closure(case, worker, **overrides):
    kwargs = {
        "reason": "Đã hoàn thành kế hoạch hỗ trợ",
        "checklist": full_checklist(),
        "version": fresh(case).version,
        "missing_reason": MISSING_REASON,
    }
    kwargs.update(overrides)
    return services.closure_request(case=fresh(case), actor=worker, **kwargs)


# --- Stages ---------------------------------------------------------------------------------


def test_stages_move_forward_and_every_change_is_recorded(case, cast, agencies, clock):
    w1 = cast["worker1"]
    assert fresh(case).stage == "intake"
    work_through_to_follow_up(case, w1, agencies, clock)
    assert fresh(case).stage == "follow_up"
    assert history(case) == [
        ("intake", "assessment"),
        ("assessment", "case_plan"),
        ("case_plan", "follow_up"),
    ]
    change = CaseStageChange.objects.filter(case=case).last()
    assert (change.changed_by, change.changed_at) == (w1, clock.now())


def test_a_second_assessment_does_not_move_the_case_back(case, cast, agencies, clock):
    w1 = cast["worker1"]
    work_through_to_follow_up(case, w1, agencies, clock)
    services.assessment_add(case=fresh(case), actor=w1, needs=[], answers={"weapon": True})
    assert fresh(case).stage == "follow_up"
    assert len(history(case)) == 3


# --- Closure --------------------------------------------------------------------------------


def test_closure_needs_every_checklist_item(case, cast):
    before = counts()
    checklist = full_checklist()
    checklist["referrals_closed"] = False
    checklist["safety_reviewed"] = "yes"
    with pytest.raises(ValidationError) as info:
        request_closure(case, cast["worker1"], checklist=checklist)
    messages = info.value.message_dict["checklist"]
    assert len(messages) == 2
    assert any("chuyển gửi" in m for m in messages)
    assert any("nguy cơ" in m for m in messages)
    assert counts() == before
    assert not ClosureRequest.objects.exists()
    assert fresh(case).stage == "intake"


def test_closure_needs_a_reason(case, cast):
    with pytest.raises(ValidationError) as info:
        request_closure(case, cast["worker1"], reason="  ")
    assert "reason" in info.value.message_dict
    assert not ClosureRequest.objects.exists()


def test_a_supervisor_approves_the_closure(case, cast, agencies, clock):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    work_through_to_follow_up(case, w1, agencies, clock)
    request_closure(case, w1)
    assert fresh(case).stage == "closure_requested"
    assert fresh(case).status == "open"

    clock.advance(hours=3)
    decided = services.closure_decide(case=fresh(case), actor=s1, approve=True, comment="Đồng ý")

    stored = fresh(case)
    assert (stored.status, stored.stage, stored.closed_at) == ("closed", "closed", clock.now())
    assert (decided.decision, decided.decided_by, decided.decided_at) == (
        "approved",
        s1,
        clock.now(),
    )
    assert history(case)[-2:] == [
        ("follow_up", "closure_requested"),
        ("closure_requested", "closed"),
    ]


def test_a_returned_closure_needs_a_comment_and_goes_back_a_stage(case, cast, agencies, clock):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    services.assessment_add(case=fresh(case), actor=w1, needs=[], answers={})
    request_closure(case, w1)

    before = counts()
    with pytest.raises(ValidationError) as info:
        services.closure_decide(case=fresh(case), actor=s1, approve=False, comment=" ")
    assert "comment" in info.value.message_dict
    assert counts() == before
    assert ClosureRequest.objects.get(case=case).decision == "pending"

    services.closure_decide(
        case=fresh(case), actor=s1, approve=False, comment="Cần đánh giá lại nguy cơ"
    )
    stored = fresh(case)
    assert (stored.status, stored.stage, stored.closed_at) == ("open", "assessment", None)
    returned = ClosureRequest.objects.get(case=case)
    assert (returned.decision, returned.comment) == ("returned", "Cần đánh giá lại nguy cơ")
    # The worker may ask again once the comment is dealt with.
    request_closure(case, w1)
    assert fresh(case).stage == "closure_requested"
    assert ClosureRequest.objects.filter(case=case).count() == 2


@pytest.mark.parametrize("username", ["worker1", "worker2", "hotline1", "reporter1"])
def test_only_a_supervisor_of_the_agency_decides_a_closure(case, cast, supervisor2, username):
    request_closure(case, cast["worker1"])
    for actor in (cast[username], supervisor2):
        with pytest.raises(PermissionDenied):
            services.closure_decide(case=fresh(case), actor=actor, approve=True)
    assert fresh(case).status == "open"
    assert ClosureRequest.objects.get(case=case).decision == "pending"


def test_nothing_to_decide_without_a_pending_request(case, cast):
    with pytest.raises(ValidationError):
        services.closure_decide(case=fresh(case), actor=cast["supervisor1"], approve=True)
    assert fresh(case).status == "open"


def test_closure_cannot_be_requested_twice(case, cast):
    request_closure(case, cast["worker1"])
    with pytest.raises(ValidationError):
        request_closure(case, cast["worker1"])
    assert ClosureRequest.objects.filter(case=case).count() == 1


def test_a_decided_closure_cannot_be_decided_again(case, cast):
    close_case(case, worker=cast["worker1"], supervisor=cast["supervisor1"])
    with pytest.raises(ValidationError):
        services.closure_decide(
            case=fresh(case), actor=cast["supervisor1"], approve=False, comment="Nhầm"
        )
    assert fresh(case).status == "closed"


# --- Reopening ------------------------------------------------------------------------------


def test_reopening_keeps_the_whole_history(case, cast, agencies, clock):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    work_through_to_follow_up(case, w1, agencies, clock)
    close_case(case, worker=w1, supervisor=s1)
    clock.advance(days=30)

    reopened = services.case_reopen(
        case=fresh(case), actor=s1, reason="Bị bạo lực trở lại", version=fresh(case).version
    )

    assert (reopened.status, reopened.stage, reopened.closed_at) == ("open", "reopened", None)
    assert history(case) == [
        ("intake", "assessment"),
        ("assessment", "case_plan"),
        ("case_plan", "follow_up"),
        ("follow_up", "closure_requested"),
        ("closure_requested", "closed"),
        ("closed", "reopened"),
    ]
    assert CaseStageChange.objects.filter(case=case).last().reason == "Bị bạo lực trở lại"
    assert ClosureRequest.objects.get(case=case).decision == "approved"
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-3:] == ["closure_requested", "closure_decided", "reopened"]
    # Work goes on, and the next closure is a new request.
    services.assessment_add(case=fresh(case), actor=w1, needs=[], answers={"weapon": True})
    assert fresh(case).stage == "assessment"
    close_case(case, worker=w1, supervisor=s1)
    assert ClosureRequest.objects.filter(case=case).count() == 2


def test_reopening_needs_a_supervisor_a_reason_and_a_closed_case(case, cast):
    s1 = cast["supervisor1"]
    with pytest.raises(ValidationError):
        services.case_reopen(case=fresh(case), actor=s1, reason="x", version=fresh(case).version)
    close_case(case, worker=cast["worker1"], supervisor=s1)
    with pytest.raises(PermissionDenied):
        services.case_reopen(
            case=fresh(case), actor=cast["worker1"], reason="x", version=fresh(case).version
        )
    with pytest.raises(ValidationError) as info:
        services.case_reopen(case=fresh(case), actor=s1, reason="", version=fresh(case).version)
    assert "reason" in info.value.message_dict
    assert fresh(case).status == "closed"


# --- A closed case is read-only -------------------------------------------------------------


def _writes(clock, agencies):
    today = clock.today()
    return {
        "incident": lambda c, a: services.incident_add(
            case=c, actor=a, incident=incident_input(today)
        ),
        "assessment": lambda c, a: services.assessment_add(case=c, actor=a, needs=[], answers={}),
        "safety_plan": lambda c, a: services.safety_plan_add(case=c, actor=a, content="x"),
        "case_plan": lambda c, a: services.case_plan_add(
            case=c,
            actor=a,
            goals="x",
            items=[services.PlanItemInput("legal", agencies["a"], today)],
        ),
        "follow_up": lambda c, a: services.follow_up_add(
            case=c, actor=a, done_on=today, method="phone"
        ),
        "measure": lambda c, a: services.measure_request(
            case=c, actor=a, type="medical", deciding_body="other"
        ),
        "closure": lambda c, a: services.closure_request(
            case=c,
            actor=a,
            reason="x",
            checklist=full_checklist(),
            version=c.version,
            missing_reason=MISSING_REASON,
        ),
        "transfer": lambda c, a: services.transfer_request(
            case=c, actor=a, to_agency=agencies["b"], reason="x", version=c.version
        ),
        "note": lambda c, a: services.note_add(case=c, actor=a, body="x"),
        "update": lambda c, a: services.case_update(
            case=c, actor=a, version=c.version, changes={"risk_level": "high"}
        ),
    }


@pytest.mark.parametrize(
    "write",
    [
        "incident",
        "assessment",
        "safety_plan",
        "case_plan",
        "follow_up",
        "measure",
        "closure",
        "transfer",
        pytest.param("note"),
        pytest.param("update"),
    ],
)
def test_a_closed_case_refuses_writes_until_reopened(case, cast, agencies, clock, write):
    s1 = cast["supervisor1"]
    closed = close_case(case, worker=cast["worker1"], supervisor=s1)
    before = fresh(case)
    with pytest.raises(ValidationError):
        _writes(clock, agencies)[write](fresh(case), s1)
    after = fresh(case)
    assert (after.version, after.risk_level, after.status) == (
        before.version,
        before.risk_level,
        "closed",
    )
    assert closed.version == before.version


# --- Transfer -------------------------------------------------------------------------------


def ask_transfer(case, actor, to_agency, **overrides):
    kwargs = {"reason": "Chị chuyển về sống ở phường Trần Hưng Đạo", "version": fresh(case).version}
    kwargs.update(overrides)
    return services.transfer_request(case=fresh(case), actor=actor, to_agency=to_agency, **kwargs)


def test_a_transfer_accepted_moves_the_case_to_the_other_agency(case, cast, agencies, supervisor2):
    w1, s1, w2 = cast["worker1"], cast["supervisor1"], cast["worker2"]
    transfer = ask_transfer(case, s1, agencies["b"])

    # The receiving supervisor sees the request, not yet the case.
    assert list(transfers_incoming(supervisor2)) == [transfer]
    assert transfer_get_incoming(supervisor2, transfer.pk) == transfer
    with pytest.raises(Http404):
        case_get_for_user(supervisor2, case.pk)
    assert list(transfers_incoming(s1)) == []
    with pytest.raises(Http404):
        transfer_get_incoming(w2, transfer.pk)
    # Until the decision the case stays where it was.
    assert case_get_for_user(w1, case.pk) == case

    services.transfer_decide(
        transfer=transfer_get_incoming(supervisor2, transfer.pk),
        actor=supervisor2,
        accept=True,
        assign_to=w2,
    )

    stored = fresh(case)
    assert (stored.agency, stored.assigned_to) == (agencies["b"], w2)
    assert case_get_for_user(w2, case.pk) == case
    assert case_get_for_user(supervisor2, case.pk) == case
    for former in (w1, s1):
        with pytest.raises(Http404):
            case_get_for_user(former, case.pk)
        assert not cases_for_user(former).filter(pk=case.pk).exists()
    assert CaseTransfer.objects.get(pk=transfer.pk).status == "accepted"
    assert list(transfers_incoming(supervisor2)) == []
    # The new worker carries on.
    services.note_add(case=fresh(case), actor=w2, body="Đã tiếp nhận")
    with pytest.raises(PermissionDenied):
        services.note_add(case=fresh(case), actor=w1, body="Vẫn còn quyền?")


def test_a_transfer_can_only_be_assigned_to_a_worker_of_the_receiving_agency(
    case, cast, agencies, supervisor2
):
    transfer = ask_transfer(case, cast["supervisor1"], agencies["b"])
    with pytest.raises(ValidationError) as info:
        services.transfer_decide(
            transfer=transfer, actor=supervisor2, accept=True, assign_to=cast["worker1"]
        )
    assert "assign_to" in info.value.message_dict
    assert fresh(case).agency == agencies["a"]
    assert CaseTransfer.objects.get(pk=transfer.pk).status == "pending"


def test_a_declined_transfer_needs_a_reason_and_leaves_the_case_where_it_was(
    case, cast, agencies, supervisor2
):
    transfer = ask_transfer(case, cast["supervisor1"], agencies["b"])
    with pytest.raises(ValidationError) as info:
        services.transfer_decide(transfer=transfer, actor=supervisor2, accept=False)
    assert "decline_reason" in info.value.message_dict
    assert CaseTransfer.objects.get(pk=transfer.pk).status == "pending"

    services.transfer_decide(
        transfer=transfer, actor=supervisor2, accept=False, decline_reason="Không đúng địa bàn"
    )
    stored = CaseTransfer.objects.get(pk=transfer.pk)
    assert (stored.status, stored.decline_reason, stored.decided_by) == (
        "declined",
        "Không đúng địa bàn",
        supervisor2,
    )
    assert fresh(case).agency == agencies["a"]
    assert case_get_for_user(cast["worker1"], case.pk) == case
    with pytest.raises(Http404):
        case_get_for_user(supervisor2, case.pk)
    # Declined, the case may be offered again.
    ask_transfer(case, cast["supervisor1"], agencies["b"])


def test_only_the_receiving_supervisor_decides_a_transfer(case, cast, agencies, supervisor2):
    transfer = ask_transfer(case, cast["supervisor1"], agencies["b"])
    for actor in (cast["supervisor1"], cast["worker2"], cast["worker1"]):
        with pytest.raises(PermissionDenied):
            services.transfer_decide(
                transfer=transfer, actor=actor, accept=True, assign_to=cast["worker2"]
            )
    assert CaseTransfer.objects.get(pk=transfer.pk).status == "pending"


def test_a_transfer_is_requested_by_a_supervisor_to_another_agency_once(
    case, cast, agencies, supervisor2
):
    with pytest.raises(PermissionDenied):
        ask_transfer(case, cast["worker1"], agencies["b"])
    with pytest.raises(ValidationError) as info:
        ask_transfer(case, cast["supervisor1"], agencies["a"])
    assert "to_agency" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        ask_transfer(case, cast["supervisor1"], agencies["b"], reason="")
    assert "reason" in info.value.message_dict
    assert not CaseTransfer.objects.exists()

    transfer = ask_transfer(case, cast["supervisor1"], agencies["b"])
    with pytest.raises(ValidationError):
        ask_transfer(case, cast["supervisor1"], agencies["b"])
    services.transfer_decide(transfer=transfer, actor=supervisor2, accept=True)
    with pytest.raises(ValidationError):
        services.transfer_decide(
            transfer=transfer, actor=supervisor2, accept=False, decline_reason="Đổi ý"
        )
    assert CaseTransfer.objects.get(pk=transfer.pk).status == "accepted"


def test_a_transfer_to_an_agency_that_has_closed_is_refused(case, cast, agencies):
    agencies["b"].valid_to = dt.date(2026, 1, 1)
    agencies["b"].save()
    with pytest.raises(ValidationError) as info:
        ask_transfer(case, cast["supervisor1"], agencies["b"])
    assert "to_agency" in info.value.message_dict


def test_an_agency_closed_yesterday_takes_no_transfer_early_this_morning(
    case, cast, agencies, clock
):
    agencies["b"].valid_to = dt.date(2026, 3, 15)
    agencies["b"].save()
    clock.set(dt.datetime(2026, 3, 16, 6, 0, tzinfo=VN))
    with pytest.raises(ValidationError):
        ask_transfer(case, cast["supervisor1"], agencies["b"])


# --- Assignment -----------------------------------------------------------------------------


def test_a_supervisor_reassigns_a_case_and_the_former_worker_loses_it(case, cast):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    services.case_update(
        case=fresh(case), actor=s1, version=fresh(case).version, changes={"assigned_to": s1}
    )
    assert fresh(case).assigned_to == s1
    with pytest.raises(Http404):
        case_get_for_user(w1, case.pk)
    services.case_update(
        case=fresh(case), actor=s1, version=fresh(case).version, changes={"assigned_to": w1}
    )
    assert case_get_for_user(w1, case.pk) == case


def test_only_a_supervisor_assigns_and_only_within_the_agency(case, cast):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    before = counts()
    with pytest.raises(PermissionDenied):
        services.case_update(
            case=fresh(case), actor=w1, version=fresh(case).version, changes={"assigned_to": s1}
        )
    for outsider in (cast["worker2"], cast["reporter1"], None):
        with pytest.raises(ValidationError) as info:
            services.case_update(
                case=fresh(case),
                actor=s1,
                version=fresh(case).version,
                changes={"assigned_to": outsider},
            )
        assert "assigned_to" in info.value.message_dict
    assert counts() == before
    assert fresh(case).assigned_to == w1


def test_an_incident_with_no_commune_counts_where_the_case_is_after_a_transfer(
    cast, open_case, agencies, supervisor2, clock
):
    """The statistics count an incident at its commune, else the survivor's, else the case
    agency's place: with neither commune known, an accepted transfer moves where it counts
    (the figures and the GBVIMS export read ``Incident.counted_place``)."""
    from antoan.cases.models import Incident

    case = open_case(
        cast["worker1"],
        commune="",  # the survivor's
        incident=incident_input(clock.today(), commune=""),
    )
    with_commune = services.incident_add(
        case=fresh(case),
        actor=cast["worker1"],
        incident=incident_input(clock.today(), commune="11953"),
        version=fresh(case).version,
    )
    without = Incident.objects.get(case=case, commune__isnull=True)
    assert without.counted_place == agencies["a"].place
    assert Incident.objects.get(pk=with_commune.pk).counted_place.code == "11953"

    transfer = ask_transfer(case, cast["supervisor1"], agencies["b"])
    services.transfer_decide(transfer=transfer, actor=supervisor2, accept=True)

    assert agencies["a"].place != agencies["b"].place
    assert Incident.objects.get(pk=without.pk).counted_place == agencies["b"].place
    # The incident's own commune is where it happened: a transfer does not move it.
    assert Incident.objects.get(pk=with_commune.pk).counted_place.code == "11953"
