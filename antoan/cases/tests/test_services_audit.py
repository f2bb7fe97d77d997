"""The audit trail of case services: every write is logged by field name, never by value."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from antoan.cases import services
from antoan.cases.models import CaseEvent
from antoan.cases.selectors import CaseFilters, case_get_for_user, case_search
from antoan.cases.tests.conftest import MISSING_REASON, fresh, full_checklist, incident_input
from antoan.core.audit import audit_verify
from antoan.core.models import AuditEvent

NAME = "Hoàng Thị Thu Trang"
SECRETS = {
    "full_name": NAME,
    "other_names": "Cô Út",
    "phone": "0934 567 890",
    "address": "Thôn Đông Kết, số nhà 17",
    "guardian_name": "Hoàng Văn Khải",
    "national_id": "033190012345",
}
TEXTS = {
    "description": "Bị chồng dùng dao đe dọa ở bếp",
    "details": "Lê Văn Quyết, thợ hàn",
    "note": "Chị Trang xin chuyển sang ở nhà mẹ đẻ",
    "notes": "Chị run, có vết bầm ở tay",
    "safety": "Giữ sẵn túi đồ ở nhà hàng xóm",
    "goals": "Chị Trang ly hôn an toàn",
    "follow_up": "Đã gặp chị tại nhà mẹ đẻ",
}


def needles() -> list[str]:
    return [*SECRETS.values(), *TEXTS.values(), "0934567890", "Trang", "Quyết", "hoang thi"]


def audit_dump(since: int = 0) -> str:
    rows = list(AuditEvent.objects.filter(seq__gt=since).values())
    return json.dumps(rows, ensure_ascii=False, default=str)


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def events_since(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


@pytest.fixture
def journey(cast, open_result, agencies, clock, supervisor2):
    """Every service once, with identifying text everywhere it can go; the audit per step."""
    w1, s1, w2 = cast["worker1"], cast["supervisor1"], cast["worker2"]
    steps: dict[str, list[AuditEvent]] = {}

    def step(name, call):
        seq = last_seq()
        result = call()
        steps[name] = events_since(seq)
        return result

    today = clock.today()
    case = step(
        "case_open",
        lambda: (
            open_result(
                w1,
                **SECRETS,
                birth_year=1990,
                incident=incident_input(
                    today,
                    description=TEXTS["description"],
                    perpetrators=[
                        services.PerpetratorInput(
                            "male", "26-40", "husband", details=TEXTS["details"]
                        )
                    ],
                ),
            ).case
        ),
    )
    step(
        "case_update",
        lambda: services.case_update(
            case=fresh(case), actor=w1, version=fresh(case).version, changes={"risk_level": "high"}
        ),
    )
    step(
        "incident_add",
        lambda: services.incident_add(
            case=fresh(case),
            actor=w1,
            incident=incident_input(today, description=TEXTS["description"]),
        ),
    )
    step(
        "consent_record",
        lambda: services.consent_record(
            case=fresh(case), actor=w1, consent=services.ConsentInput(True, True)
        ),
    )
    step(
        "assessment_add",
        lambda: services.assessment_add(
            case=fresh(case),
            actor=w1,
            needs=["legal"],
            answers={"weapon": True},
            notes=TEXTS["notes"],
        ),
    )
    step(
        "safety_plan_add",
        lambda: services.safety_plan_add(case=fresh(case), actor=w1, content=TEXTS["safety"]),
    )
    step(
        "case_plan_add",
        lambda: services.case_plan_add(
            case=fresh(case),
            actor=w1,
            goals=TEXTS["goals"],
            items=[services.PlanItemInput("legal", agencies["a"], today)],
        ),
    )
    step(
        "follow_up_add",
        lambda: services.follow_up_add(
            case=fresh(case),
            actor=w1,
            done_on=today,
            method="home_visit",
            notes=TEXTS["follow_up"],
            next_due=today + dt.timedelta(days=7),
        ),
    )
    step("note_add", lambda: services.note_add(case=fresh(case), actor=w1, body=TEXTS["note"]))
    measure = step(
        "measure_request",
        lambda: services.measure_request(
            case=fresh(case), actor=w1, type="no_contact_commune", deciding_body="commune_chair"
        ),
    )
    step(
        "measure_decide",
        lambda: services.measure_decide(
            measure=measure,
            actor=w1,
            decision="granted",
            decided_at=clock.now(),
            starts_at=clock.now(),
            ends_at=clock.now() + dt.timedelta(days=3),
        ),
    )
    step(
        "consent_withdraw",
        lambda: services.consent_withdraw(case=fresh(case), actor=w1, purpose="reporting"),
    )
    step(
        "closure_request",
        lambda: services.closure_request(
            case=fresh(case),
            actor=w1,
            reason="Đã hoàn thành",
            checklist=full_checklist(),
            version=fresh(case).version,
            missing_reason=MISSING_REASON,
        ),
    )
    step(
        "closure_decide",
        lambda: services.closure_decide(case=fresh(case), actor=s1, approve=True),
    )
    step(
        "case_reopen",
        lambda: services.case_reopen(
            case=fresh(case), actor=s1, reason="Bạo lực tái diễn", version=fresh(case).version
        ),
    )
    transfer = step(
        "transfer_request",
        lambda: services.transfer_request(
            case=fresh(case),
            actor=s1,
            to_agency=agencies["b"],
            reason="Chuyển nơi ở",
            version=fresh(case).version,
        ),
    )
    step(
        "transfer_decide",
        lambda: services.transfer_decide(
            transfer=transfer, actor=supervisor2, accept=True, assign_to=w2
        ),
    )
    step("view", lambda: case_get_for_user(w2, case.pk))
    step("search", lambda: list(case_search(w2, CaseFilters(q=NAME))))
    return {"case": case, "steps": steps}


EXPECTED_FIELDS = {
    "case_update": {"risk_level"},
    "incident_add": {"incidents"},
    "consent_record": {"consents"},
    "assessment_add": {"risk_level", "needs", "stage"},
    "safety_plan_add": {"safety_plans"},
    "case_plan_add": {"case_plans", "stage"},
    "follow_up_add": {"follow_ups", "stage"},
    "note_add": {"notes"},
    "measure_request": {"measures"},
    "measure_decide": {"measures"},
    "consent_withdraw": {"consents"},
    "closure_request": {"stage"},
    "closure_decide": {"stage", "status", "closed_at"},
    "case_reopen": {"stage", "status", "closed_at"},
    "transfer_decide": {"agency", "assigned_to"},
}


def test_every_write_is_audited_with_the_names_of_what_changed(journey, cast):
    case, steps = journey["case"], journey["steps"]
    for name, expected in EXPECTED_FIELDS.items():
        events = [e for e in steps[name] if e.object_type == "case"]
        assert len(events) == 1, name
        event = events[0]
        assert (event.action, event.object_id) == ("update", str(case.pk)), name
        assert expected <= set(event.changed_fields), (name, event.changed_fields)
    opened = steps["case_open"]
    assert opened[0].action == "create"
    assert {"survivor", "source", "needs", "risk_level"} <= set(opened[0].changed_fields)
    assert {e.object_id for e in opened} == {str(case.pk)}
    transfer = steps["transfer_request"]
    assert [(e.action, e.extra["event"]) for e in transfer] == [("update", "transfer_requested")]
    assert [e.action for e in steps["view"]] == ["view"]
    assert [e.action for e in steps["search"]] == ["search"]


def test_the_audit_names_who_acted(journey, cast, supervisor2):
    steps = journey["steps"]
    assert {e.user for e in steps["note_add"]} == {cast["worker1"]}
    assert {e.user for e in steps["closure_decide"]} == {cast["supervisor1"]}
    assert {e.user for e in steps["transfer_decide"]} == {supervisor2}
    (decided,) = steps["closure_decide"]
    assert (decided.role, decided.agency.code) == ("case_supervisor", "ubnd-pho-hien")
    (transferred,) = steps["transfer_decide"]
    assert (transferred.role, transferred.agency.code) == ("case_supervisor", "ubnd-tran-hung-dao")


def test_every_audited_write_names_the_acting_role_and_agency(journey):
    for name, events in journey["steps"].items():
        if name in {"view", "search"}:
            continue
        for event in events:
            assert (event.role, event.agency_id) != ("", None), (name, event.extra)


def test_no_identifying_value_ever_reaches_the_audit_log(journey):
    dump = audit_dump()
    assert '"changed_fields"' in dump  # the dump holds the rows
    for needle in needles():
        assert needle not in dump, f"{needle!r} written to the audit log"


def test_the_timeline_holds_codes_not_what_was_written(journey):
    events = CaseEvent.objects.filter(case=journey["case"])
    dump = json.dumps([e.data for e in events], ensure_ascii=False)
    for needle in needles():
        assert needle not in dump


def test_the_audit_chain_stays_valid(journey):
    result = audit_verify()
    assert result.ok, result.problem


def test_a_refused_write_leaves_no_audit_event(cast, open_case):
    case = open_case(cast["worker1"])
    seq = last_seq()
    with pytest.raises(ValidationError):
        services.note_add(case=fresh(case), actor=cast["worker1"], body="x\x00")
    assert last_seq() == seq
