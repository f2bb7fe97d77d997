"""Work on a case over the API: records, protection measures and the law's deadlines, closure,
reopening and transfers between agencies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.api.tests.test_cases_helpers import (
    CHECKLIST,
    NAME,
    close,
    days_ago,
    fields_of,
    fresh,
    open_case,
    request_closure,
    send,
    supervisor2_fixture,  # noqa: F401 - the supervisor2 fixture
    today,
)
from antoan.cases import rules, services
from antoan.cases.models import (
    CaseNote,
    CaseTransfer,
    ClosureRequest,
    Consent,
    FollowUp,
    Incident,
    ProtectionMeasure,
)
from antoan.cases.services import ConsentInput

pytestmark = pytest.mark.django_db


def url(case, tail: str = "") -> str:
    return f"/api/v1/cases/{case.pk}{tail}"


def detail(client, case) -> dict:
    response = client.get(url(case))
    assert response.status_code == 200, response.json()
    return response.json()


# --- Records -------------------------------------------------------------------------------------


def test_an_incident_is_classified_by_the_ordered_rule(client_for, cast):
    case = open_case(cast["worker1"], with_incident=False)
    body = {
        "occurred_on": days_ago(3).isoformat(),
        "first_reported_on": days_ago(2).isoformat(),
        "acts": ["psychological_abuse", "sexual_assault", "physical_assault"],
        "dv_forms": ["physical", "sexual"],
        "perpetrators": [{"sex": "male", "age_group": "41-60", "relationship": "stranger"}],
    }
    response = send(client_for(cast["worker1"]), "post", url(case, "/incidents"), body)
    assert response.status_code == 201, response.json()
    assert response.json()["gbv_type"] == "sexual_assault"
    assert response.json()["version"] == fresh(case).version
    assert Incident.objects.get().gbv_type == "sexual_assault"

    mismatch = send(
        client_for(cast["worker1"]),
        "post",
        url(case, "/incidents"),
        {**body, "gbv_type": "rape"},
    )
    assert mismatch.status_code == 400
    assert "gbv_type" in fields_of(mismatch)
    assert Incident.objects.count() == 1


def test_an_assessment_computes_the_risk_and_moves_the_case_on(client_for, cast):
    case = open_case(cast["worker1"])
    body = {
        "needs": ["safety", "shelter"],
        "answers": {"threats_to_kill": True, "weapon": True, "strangulation": True},
        "notes": "Đánh giá tại nhà",
    }
    response = send(client_for(cast["worker1"]), "post", url(case, "/assessments"), body)
    assert response.status_code == 201, response.json()
    assert response.json()["risk_level"] == "immediate"
    case = fresh(case)
    assert (case.stage, case.risk_level) == ("assessment", "immediate")
    assert {"safety", "shelter"} <= set(case.needs)

    for answers, field in (({"nonsense": True}, "answers"), ({"weapon": "yes"}, "answers.weapon")):
        bad = send(
            client_for(cast["worker1"]),
            "post",
            url(case, "/assessments"),
            {**body, "answers": answers},
        )
        assert bad.status_code == 400
        assert field in fields_of(bad)


def test_a_case_plan_names_services_agencies_and_due_dates(client_for, cast):
    case = open_case(cast["worker1"])
    hospital = Agency.objects.get(code="bv-da-khoa-tinh")
    body = {
        "goals": "Được khám và tư vấn pháp lý",
        "items": [
            {"service": "health", "responsible_agency": hospital.pk, "due_on": today().isoformat()}
        ],
    }
    client = client_for(cast["worker1"])
    response = send(client, "post", url(case, "/case-plans"), body)
    assert response.status_code == 201, response.json()
    item = response.json()["items"][0]
    assert (item["service"], item["responsible_agency"]) == ("health", hospital.pk)
    assert fresh(case).stage == "case_plan"

    for items, field in (
        ([], "items"),
        (
            [{"service": "health", "responsible_agency": 999_999, "due_on": "2026-01-01"}],
            "items.0.responsible_agency",
        ),
        (
            [{"service": "spa", "responsible_agency": hospital.pk, "due_on": "2026-01-01"}],
            "items.0.service",
        ),
        (
            [
                {
                    "service": "health",
                    "responsible_agency": hospital.pk,
                    "due_on": days_ago(400).isoformat(),
                }
            ],
            "items.0.due_on",
        ),
    ):
        bad = send(client, "post", url(case, "/case-plans"), {**body, "items": items})
        assert bad.status_code == 400, items
        assert field in fields_of(bad), fields_of(bad)


def test_safety_plans_follow_ups_and_notes_are_added(client_for, cast):
    case = open_case(cast["worker1"])
    client = client_for(cast["worker1"])

    plan = send(client, "post", url(case, "/safety-plans"), {"content": "Gọi 111 khi nguy hiểm"})
    assert plan.status_code == 201, plan.json()

    follow_up = send(
        client,
        "post",
        url(case, "/follow-ups"),
        {
            "done_on": today().isoformat(),
            "method": "home_visit",
            "next_due": (today() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert follow_up.status_code == 201, follow_up.json()

    backwards = send(
        client,
        "post",
        url(case, "/follow-ups"),
        {"done_on": today().isoformat(), "method": "phone", "next_due": days_ago(1).isoformat()},
    )
    assert backwards.status_code == 400
    assert "next_due" in fields_of(backwards)
    assert FollowUp.objects.count() == 1

    body = detail(client, case)
    assert [p["content"] for p in body["safety_plans"]] == ["Gọi 111 khi nguy hiểm"]
    assert body["follow_ups"][0]["method"] == "home_visit"


def test_a_note_with_markup_is_stored_and_returned_as_text(client_for, cast):
    case = open_case(cast["worker1"])
    client = client_for(cast["worker1"])
    text = '<script>alert("x")</script> Chồng đe dọa <b>lần nữa</b>'
    response = send(client, "post", url(case, "/notes"), {"body": text})
    assert response.status_code == 201, response.json()
    assert response["Content-Type"] == "application/json"
    assert response.json()["body"] == text
    assert detail(client, case)["notes"][0]["body"] == text

    for bad in ("", "a\x00b", "x" * 20_001):
        refused = send(client, "post", url(case, "/notes"), {"body": bad})
        assert refused.status_code == 400
        assert "body" in fields_of(refused)
    assert CaseNote.objects.count() == 1


def test_an_append_is_accepted_without_a_version_but_refused_with_a_stale_one(client_for, cast):
    case = open_case(cast["worker1"])
    loaded = case.version
    services.note_add(case=case, actor=cast["supervisor1"], body="Giám sát ghi chú")
    client = client_for(cast["worker1"])

    stale = send(client, "post", url(case, "/notes"), {"body": "Ghi chú", "version": loaded})
    assert stale.status_code == 409
    assert [c["kind"] for c in stale.json()["error"]["changes"]] == ["note_added"]
    assert CaseNote.objects.count() == 1

    appended = send(client, "post", url(case, "/notes"), {"body": "Ghi chú"})
    assert appended.status_code == 201
    assert appended.json()["version"] == loaded + 2


def test_consent_is_recorded_and_withdrawn_at_once(client_for, cast):
    case = open_case(cast["worker1"])
    client = client_for(cast["worker1"])
    police = Agency.objects.get(code="cong-an-tinh")

    recorded = send(
        client,
        "post",
        url(case, "/consents"),
        {"services": True, "reporting": True, "method": "written", "sharing_agencies": [police.pk]},
    )
    assert recorded.status_code == 201, recorded.json()
    assert {c["purpose"] for c in recorded.json()["consents"]} == {
        "services",
        "reporting",
        "sharing",
    }
    assert detail(client, case)["consents"]["current"]["sharing_agencies"] == [police.pk]

    withdrawn = send(client, "post", url(case, "/consents/withdraw"), {"purpose": "reporting"})
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["withdrawn"] >= 1
    current = detail(client, case)["consents"]["current"]
    assert (current["services"], current["reporting"]) == (True, False)
    assert not Incident.objects.get(case=case).consent_statistics

    bad = send(client, "post", url(case, "/consents/withdraw"), {"purpose": "everything"})
    assert bad.status_code == 400
    assert "purpose" in fields_of(bad)


def test_consent_for_a_child_needs_a_guardian(client_for, cast):
    guardian = ConsentInput(services=True, reporting=True, given_by="guardian", child_agreed=True)
    case = open_case(cast["worker1"], birth_year=today().year - 10, consent=guardian)
    client = client_for(cast["worker1"])
    before = Consent.objects.count()

    body = {"services": True, "reporting": True, "given_by": "survivor"}
    refused = send(client, "post", url(case, "/consents"), body)
    assert refused.status_code == 400
    assert "given_by" in fields_of(refused)

    not_asked = send(client, "post", url(case, "/consents"), {**body, "given_by": "guardian"})
    assert not_asked.status_code == 400
    assert "child_agreed" in fields_of(not_asked)
    assert Consent.objects.count() == before

    agreed = {**body, "given_by": "guardian", "child_agreed": True}
    assert send(client, "post", url(case, "/consents"), agreed).status_code == 201


# --- Protection measures -----------------------------------------------------------------------


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _measure(case, user, *, type="no_contact_commune", body="commune_chair", hours_ago=1.0):
    return services.measure_request(
        case=case,
        actor=user,
        type=type,
        deciding_body=body,
        requested_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def _decide(client, case, measure, **body):
    return send(client, "post", url(case, f"/measures/{measure.pk}/decision"), body)


def test_a_measure_request_shows_the_12_hour_countdown(client_for, cast):
    case = open_case(cast["worker1"])
    client = client_for(cast["worker1"])
    requested = timezone.now() - dt.timedelta(hours=2)
    response = send(
        client,
        "post",
        url(case, "/measures"),
        {
            "type": "no_contact_commune",
            "deciding_body": "commune_chair",
            "requested_at": _iso(requested),
        },
    )
    assert response.status_code == 201, response.json()
    deadline = response.json()["deadline"]
    assert deadline["kind"] == "decision"
    assert 9.9 * 3600 < deadline["seconds_left"] <= 10 * 3600
    assert deadline["overdue"] is False
    assert deadline["label"].startswith("còn 9 giờ")

    wrong_body = send(
        client,
        "post",
        url(case, "/measures"),
        {"type": "no_contact_commune", "deciding_body": "court"},
    )
    assert wrong_body.status_code == 400
    assert "deciding_body" in fields_of(wrong_body)
    assert ProtectionMeasure.objects.count() == 1


def test_a_commune_no_contact_decision_after_12_hours_needs_a_late_reason(client_for, cast):
    case = open_case(cast["worker1"])
    measure = _measure(case, cast["worker1"], hours_ago=13)
    client = client_for(cast["worker1"])
    now = timezone.now() - dt.timedelta(minutes=1)
    order = {
        "decision": "granted",
        "decided_at": _iso(now),
        "starts_at": _iso(now),
        "ends_at": _iso(now + dt.timedelta(days=2)),
    }
    late = _decide(client, case, measure, **order)
    assert late.status_code == 400
    assert "late_reason" in fields_of(late)
    assert ProtectionMeasure.objects.get().decision == "pending"

    explained = _decide(client, case, measure, **order, late_reason="Chủ tịch đi công tác")
    assert explained.status_code == 200, explained.json()
    assert explained.json()["decision"] == "granted"
    assert explained.json()["deadline"]["kind"] == "end"


@pytest.mark.parametrize(("days", "allowed"), [(3, True), (4, False)])
def test_a_commune_no_contact_order_lasts_at_most_3_days(client_for, cast, days, allowed):
    case = open_case(cast["worker1"])
    measure = _measure(case, cast["worker1"])
    now = timezone.now() - dt.timedelta(minutes=1)
    response = _decide(
        client_for(cast["worker1"]),
        case,
        measure,
        decision="granted",
        decided_at=_iso(now),
        starts_at=_iso(now),
        ends_at=_iso(now + dt.timedelta(days=days)),
    )
    if allowed:
        assert response.status_code == 200, response.json()
    else:
        assert response.status_code == 400
        assert "ends_at" in fields_of(response)
        assert ProtectionMeasure.objects.get().decision == "pending"


@pytest.mark.parametrize(("extra_days", "allowed"), [(0, True), (1, False)])
def test_a_court_no_contact_order_lasts_at_most_4_months(client_for, cast, extra_days, allowed):
    case = open_case(cast["worker1"])
    measure = _measure(case, cast["worker1"], type="no_contact_court", body="court", hours_ago=48)
    now = (timezone.now() - dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    ends = rules.add_months(now, 4) + dt.timedelta(days=extra_days)
    response = _decide(
        client_for(cast["worker1"]),
        case,
        measure,
        decision="granted",
        decided_at=_iso(now),
        starts_at=_iso(now),
        ends_at=_iso(ends),
    )
    if allowed:
        assert response.status_code == 200, response.json()
        deadline = response.json()["deadline"]
        assert deadline["kind"] == "end"
        assert deadline["seconds_left"] > 119 * 24 * 3600
    else:
        assert response.status_code == 400
        assert "ends_at" in fields_of(response)


def test_a_refusal_needs_a_reason_and_a_measure_of_another_case_is_404(client_for, cast):
    case = open_case(cast["worker1"])
    other = open_case(cast["worker1"], full_name="Trần Thị Bích", phone="0987654321")
    measure = _measure(case, cast["worker1"], type="shelter", body="other")
    client = client_for(cast["worker1"])
    now = _iso(timezone.now())

    silent = _decide(client, case, measure, decision="refused", decided_at=now)
    assert silent.status_code == 400
    assert "refusal_reason" in fields_of(silent)

    assert (
        _decide(
            client, other, measure, decision="refused", decided_at=now, refusal_reason="x"
        ).status_code
        == 404
    )
    pending = _decide(client, case, measure, decision="pending", decided_at=now)
    assert pending.status_code == 400
    assert "decision" in fields_of(pending)

    done = _decide(
        client, case, measure, decision="refused", decided_at=now, refusal_reason="Không đủ căn cứ"
    )
    assert done.status_code == 200, done.json()
    assert done.json()["deadline"] is None


def test_the_case_page_counts_down_pending_decisions(client_for, cast):
    case = open_case(cast["worker1"])
    _measure(case, cast["worker1"], hours_ago=13)
    measure = detail(client_for(cast["worker1"]), case)["measures"][0]
    assert measure["deadline"]["kind"] == "decision"
    assert measure["deadline"]["overdue"] is True
    assert measure["deadline"]["seconds_left"] < 0
    assert measure["deadline"]["label"].startswith("quá hạn")


# --- Closure and reopening ----------------------------------------------------------------------


def test_closure_is_requested_by_the_worker_and_approved_by_the_supervisor(
    client_for, cast, client
):
    case = open_case(cast["worker1"])
    client_for(cast["worker1"])
    requested = send(
        client,
        "post",
        url(case, "/closure-request"),
        {
            "reason": "Đã an toàn, đồng ý đóng",
            "checklist": CHECKLIST,
            "version": case.version,
            "missing_reason": "Người bị bạo lực đã chuyển đi nơi khác",
        },
    )
    assert requested.status_code == 201, requested.json()
    assert requested.json()["decision"] == "pending"
    assert fresh(case).stage == "closure_requested"

    # The worker may not approve their own request.
    own = send(client, "post", url(case, "/closure-decision"), {"approve": True})
    assert own.status_code == 403
    assert fresh(case).status == "open"

    client_for(cast["supervisor1"])
    approved = send(
        client, "post", url(case, "/closure-decision"), {"approve": True, "comment": "Đồng ý"}
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["decision"] == "approved"
    case = fresh(case)
    assert (case.status, case.stage) == ("closed", "closed")
    assert approved.json()["version"] == case.version

    # A closed case takes no more records until reopened.
    client_for(cast["worker1"])
    refused = send(
        client,
        "post",
        url(case, "/follow-ups"),
        {"done_on": today().isoformat(), "method": "phone"},
    )
    assert refused.status_code == 400


def test_a_returned_closure_goes_back_to_the_stage_before_with_the_comment(client_for, cast):
    worker = cast["worker1"]
    case = open_case(worker)
    services.assessment_add(case=case, actor=worker, needs=["health"], answers={})
    request_closure(fresh(case), worker)
    client = client_for(cast["supervisor1"])

    silent = send(client, "post", url(case, "/closure-decision"), {"approve": False})
    assert silent.status_code == 400
    assert "comment" in fields_of(silent)
    assert fresh(case).stage == "closure_requested"

    returned = send(
        client,
        "post",
        url(case, "/closure-decision"),
        {"approve": False, "comment": "Cần theo dõi thêm một tháng"},
    )
    assert returned.status_code == 200, returned.json()
    assert returned.json()["decision"] == "returned"
    case = fresh(case)
    assert (case.status, case.stage) == ("open", "assessment")
    assert ClosureRequest.objects.get().comment == "Cần theo dõi thêm một tháng"


def test_a_closure_request_needs_every_checklist_item_and_the_version(client_for, cast):
    case = open_case(cast["worker1"])
    client = client_for(cast["worker1"])
    partial = {**CHECKLIST, "survivor_informed": False}
    for body, field in (
        ({"reason": "Xong", "checklist": partial, "version": case.version}, "checklist"),
        ({"reason": "Xong", "checklist": CHECKLIST}, "version"),
        ({"reason": "", "checklist": CHECKLIST, "version": case.version}, "reason"),
    ):
        response = send(client, "post", url(case, "/closure-request"), body)
        assert response.status_code == 400, body
        assert field in fields_of(response)
    assert not ClosureRequest.objects.exists()
    assert fresh(case).stage == "intake"


def test_a_supervisor_reopens_a_closed_case_and_history_stays(client_for, cast):
    case = close(open_case(cast["worker1"]), cast["worker1"], cast["supervisor1"])
    body = {"reason": "Bạo lực tái diễn", "version": case.version}

    assert send(client_for(cast["worker1"]), "post", url(case, "/reopen"), body).status_code == 403
    response = send(client_for(cast["supervisor1"]), "post", url(case, "/reopen"), body)
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["stage"]) == ("open", "reopened")
    kinds = [e["kind"] for e in detail(client_for(cast["supervisor1"]), case)["events"]]
    assert kinds[-3:] == ["closure_requested", "closure_decided", "reopened"]


# --- Transfers between agencies ------------------------------------------------------------------


def test_a_transfer_is_requested_seen_without_survivor_data_and_accepted(
    client_for, cast, client, supervisor2
):
    case = open_case(cast["worker1"])
    agency_b = Agency.objects.get(code="ubnd-tran-hung-dao")

    client_for(cast["worker1"])
    body = {"to_agency": agency_b.pk, "reason": "Chuyển nơi ở", "version": case.version}
    assert send(client, "post", url(case, "/transfer"), body).status_code == 403

    client_for(cast["supervisor1"])
    requested = send(client, "post", url(case, "/transfer"), body)
    assert requested.status_code == 201, requested.json()
    transfer_id = requested.json()["id"]
    assert requested.json()["status"] == "pending"
    assert client.get("/api/v1/case-transfers").json()["results"] == []

    client_for(supervisor2)
    listing = client.get("/api/v1/case-transfers")
    assert listing.status_code == 200
    (item,) = listing.json()["results"]
    assert item["case_number"] == case.number
    assert item["risk_level"] == "medium"
    assert item["reason"] == "Chuyển nơi ở"
    assert NAME not in listing.content.decode()
    assert "survivor" not in item
    # Not theirs yet.
    assert client.get(url(case)).status_code == 404

    accepted = send(
        client,
        "post",
        f"/api/v1/case-transfers/{transfer_id}/decision",
        {"accept": True, "assign_to": cast["worker2"].pk},
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    case = fresh(case)
    assert (case.agency_id, case.assigned_to_id) == (agency_b.pk, cast["worker2"].pk)
    assert accepted.json()["version"] == case.version

    assert client_for(cast["worker2"]).get(url(case)).status_code == 200
    assert client_for(cast["worker1"]).get(url(case)).status_code == 404


def test_a_declined_transfer_needs_a_reason_and_leaves_the_case(client_for, cast, supervisor2):
    case = open_case(cast["worker1"])
    agency_b = Agency.objects.get(code="ubnd-tran-hung-dao")
    transfer = services.transfer_request(
        case=case,
        actor=cast["supervisor1"],
        to_agency=agency_b,
        reason="Chuyển",
        version=case.version,
    )
    client = client_for(supervisor2)
    decision = f"/api/v1/case-transfers/{transfer.pk}/decision"

    silent = send(client, "post", decision, {"accept": False})
    assert silent.status_code == 400
    assert "decline_reason" in fields_of(silent)

    stranger = send(client, "post", decision, {"accept": True, "assign_to": 999_999})
    assert stranger.status_code == 400
    assert "assign_to" in fields_of(stranger)

    declined = send(
        client, "post", decision, {"accept": False, "decline_reason": "Không thuộc địa bàn"}
    )
    assert declined.status_code == 200, declined.json()
    assert CaseTransfer.objects.get().status == "declined"
    assert fresh(case).agency.code == "ubnd-pho-hien"

    again = send(client, "post", decision, {"accept": True})
    assert again.status_code == 404  # no longer pending: not in the incoming list


def test_a_transfer_to_the_same_agency_is_refused(client_for, cast):
    case = open_case(cast["worker1"])
    response = send(
        client_for(cast["supervisor1"]),
        "post",
        url(case, "/transfer"),
        {"to_agency": case.agency_id, "reason": "?", "version": case.version},
    )
    assert response.status_code == 400
    assert "to_agency" in fields_of(response)
    assert not CaseTransfer.objects.exists()


def test_a_closure_request_with_something_missing_needs_a_missing_reason(client_for, cast):
    """A bare case (no assessment, no plan, an unmet need) is not sent for closure silently."""
    case = open_case(cast["worker1"])
    client = client_for(cast["worker1"])
    body = {"reason": "Xong", "checklist": CHECKLIST, "version": case.version}
    refused = send(client, "post", url(case, "/closure-request"), body)
    assert refused.status_code == 400
    assert "missing_reason" in fields_of(refused)
    assert not ClosureRequest.objects.exists()
    assert fresh(case).stage == "intake"

    body["missing_reason"] = "Người bị bạo lực từ chối mọi dịch vụ"
    accepted = send(client, "post", url(case, "/closure-request"), body)
    assert accepted.status_code == 201, accepted.json()
    assert {"no_assessment", "no_case_plan", "unmet_needs"} <= set(accepted.json()["missing"])
    assert accepted.json()["missing_reason"] == "Người bị bạo lực từ chối mọi dịch vụ"
