"""Conflict-safe editing: a write based on a stale version is refused and overwrites nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from antoan.cases import services
from antoan.cases.models import CaseNote, CaseStageChange, CaseTransfer, ClosureRequest
from antoan.cases.services import CaseConflict
from antoan.cases.tests.conftest import MISSING_REASON, close_case, counts, fresh, full_checklist

pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture
def case(cast, open_case):
    return open_case(cast["worker1"], needs=["health"])


def test_the_second_of_two_edits_from_the_same_version_is_refused(case, cast):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    loaded = case.version
    worker_copy, supervisor_copy = fresh(case), fresh(case)

    services.case_update(
        case=supervisor_copy,
        actor=s1,
        version=loaded,
        changes={"risk_level": "high", "needs": ["health", "legal"]},
    )
    before = counts()
    with pytest.raises(CaseConflict) as info:
        services.case_update(
            case=worker_copy,
            actor=w1,
            version=loaded,
            changes={"risk_level": "medium", "source": "police", "needs": ["shelter"]},
        )

    conflict = info.value
    assert conflict.case.pk == case.pk
    assert conflict.loaded_version == loaded
    assert [(e.kind, e.actor, e.version) for e in conflict.events] == [("updated", s1, loaded + 1)]
    assert conflict.events[0].data == {"fields": ["needs", "risk_level"], "risk_level": "high"}
    stored = fresh(case)
    assert (stored.risk_level, stored.source, stored.needs) == ("high", "self", ["health", "legal"])
    assert stored.version == loaded + 1
    assert counts() == before


def test_the_conflict_lists_every_change_since_the_loaded_version_in_order(case, cast):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    loaded = case.version
    services.note_add(case=fresh(case), actor=w1, body="Gọi điện hỏi thăm")
    services.assessment_add(case=fresh(case), actor=s1, needs=["legal"], answers={})
    with pytest.raises(CaseConflict) as info:
        services.case_update(
            case=fresh(case), actor=w1, version=loaded, changes={"risk_level": "medium"}
        )
    assert [(e.kind, e.actor) for e in info.value.events] == [
        ("note_added", w1),
        ("assessed", s1),
    ]
    # The event summaries hold codes, never what was written in the note.
    assert "Gọi" not in repr([e.data for e in info.value.events])


def test_a_write_with_the_current_version_goes_through(case, cast):
    updated = services.case_update(
        case=fresh(case), actor=cast["worker1"], version=case.version, changes={"source": "police"}
    )
    assert updated.source == "police"
    assert updated.version == case.version + 1


def test_appends_without_a_version_are_accepted_whatever_changed(case, cast):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    loaded = fresh(case)
    services.case_update(
        case=fresh(case), actor=s1, version=case.version, changes={"risk_level": "high"}
    )
    note = services.note_add(case=loaded, actor=w1, body="Ghi chú thêm", version=None)
    assert CaseNote.objects.get(pk=note.pk).body == "Ghi chú thêm"
    # The append did not undo the supervisor's change.
    assert fresh(case).risk_level == "high"
    assert fresh(case).version == case.version + 2


def test_an_append_that_names_a_stale_version_is_refused(case, cast):
    loaded = case.version
    services.case_update(
        case=fresh(case), actor=cast["supervisor1"], version=loaded, changes={"source": "family"}
    )
    with pytest.raises(CaseConflict):
        services.note_add(case=fresh(case), actor=cast["worker1"], body="Ghi chú", version=loaded)
    assert not CaseNote.objects.filter(case=case).exists()


def test_a_stale_closure_request_saves_nothing(case, cast):
    loaded = case.version
    services.note_add(case=fresh(case), actor=cast["supervisor1"], body="Ghi chú")
    before = counts()
    with pytest.raises(CaseConflict):
        services.closure_request(
            case=fresh(case),
            actor=cast["worker1"],
            reason="Đã xong",
            checklist=full_checklist(),
            version=loaded,
            missing_reason=MISSING_REASON,
        )
    assert counts() == before
    assert not ClosureRequest.objects.filter(case=case).exists()
    assert not CaseStageChange.objects.filter(case=case).exists()
    assert fresh(case).stage == "intake"


def test_a_stale_transfer_request_saves_nothing(case, cast, agencies):
    loaded = case.version
    services.note_add(case=fresh(case), actor=cast["worker1"], body="Ghi chú")
    with pytest.raises(CaseConflict):
        services.transfer_request(
            case=fresh(case),
            actor=cast["supervisor1"],
            to_agency=agencies["b"],
            reason="Chuyển nơi ở",
            version=loaded,
        )
    assert not CaseTransfer.objects.filter(case=case).exists()


def test_a_stale_reopen_is_refused(case, cast):
    closed = close_case(case, worker=cast["worker1"], supervisor=cast["supervisor1"])
    with pytest.raises(CaseConflict):
        services.case_reopen(
            case=closed, actor=cast["supervisor1"], reason="Bị đánh lại", version=closed.version - 1
        )
    assert fresh(case).status == "closed"


def test_a_workflow_transition_needs_a_version(case, cast):
    with pytest.raises(TypeError):
        services.closure_request(  # type: ignore[call-arg]
            case=fresh(case),
            actor=cast["worker1"],
            reason="Đã xong",
            checklist=full_checklist(),
            missing_reason=MISSING_REASON,
        )


def test_an_update_of_fields_that_cannot_be_edited_is_refused(case, cast):
    before = counts()
    with pytest.raises(ValidationError) as info:
        services.case_update(
            case=fresh(case),
            actor=cast["worker1"],
            version=case.version,
            changes={"stage": "closed", "agency": 1},
        )
    assert set(info.value.message_dict) == {"stage", "agency"}
    assert counts() == before


def test_an_append_from_an_old_copy_does_not_move_the_case_backwards(case, cast, agencies):
    w1, s1 = cast["worker1"], cast["supervisor1"]
    old_copy = fresh(case)  # loaded at intake, needs ["health"]
    services.assessment_add(case=fresh(case), actor=w1, needs=["shelter"], answers={})
    services.case_plan_add(
        case=fresh(case),
        actor=w1,
        goals="An toàn",
        items=[services.PlanItemInput("shelter", agencies["a"], fresh(case).opened_at.date())],
    )
    assert fresh(case).stage == "case_plan"

    services.assessment_add(case=old_copy, actor=s1, needs=["legal"], answers={}, version=None)

    stored = fresh(case)
    assert stored.stage == "case_plan"
    assert set(stored.needs) == {"health", "shelter", "legal"}
