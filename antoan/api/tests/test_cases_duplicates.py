"""``POST /api/v1/cases`` and ``/hotline/calls/{id}/open-case``: nothing in an answer depends
on other agencies' cases; checks are audited and limited; a stale replay gets id and number."""

from __future__ import annotations

import uuid

import pytest

from antoan.accounts.models import Agency
from antoan.api.tests.test_cases_helpers import PHONE, case_body, open_case, send, with_survivor
from antoan.cases import services
from antoan.cases.models import Case, DuplicateReview
from antoan.core.models import AuditEvent
from antoan.hotline.tests.conftest import log_call_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
VARYING = {"id", "number", "opened_at", "version"}


def checks():
    return AuditEvent.objects.filter(object_type="duplicate_check")


def comparable(body: dict) -> dict:
    """The answer without what differs between any two new cases."""
    kept = {k: v for k, v in body.items() if k not in VARYING}
    kept["survivor"] = {
        k: v for k, v in body["survivor"].items() if k not in {"phone", "full_name"}
    }
    return kept


def test_the_answer_is_the_same_with_or_without_a_hidden_duplicate(client_for, cast):
    client = client_for(cast["worker1"])
    alone = send(client, "post", CASES, with_survivor(full_name="Trần Thị Mai", phone="0987111222"))
    open_case(cast["worker2"], full_name="Lê Thị Hoa", phone="0912000111", commune="12452")
    # Other names: worker1's first case does not match; agency B's case does, by phone.
    matched = send(
        client, "post", CASES, with_survivor(full_name="Lý Thị Sen", phone="0912 000 111")
    )
    assert alone.status_code == matched.status_code == 201
    assert sorted(alone.headers) == sorted(matched.headers)
    assert comparable(alone.json()) == comparable(matched.json())
    assert matched.json()["possible_duplicates"] == {"cases": []}
    assert DuplicateReview.objects.filter(case_id=matched.json()["id"]).count() == 1
    event = checks().latest("seq")
    assert (event.extra["visible"], event.extra["hidden"]) == (0, 1)


def test_a_refused_request_with_a_known_phone_is_not_checked(client_for, cast):
    open_case(cast["worker2"], commune="12452")
    before = checks().count()
    body = case_body()
    # Refused by the service after the survivor was read (the old check had run by then).
    body["incident"] = {**body["incident"], "commune": "99999"}
    response = send(client_for(cast["worker1"]), "post", CASES, body)
    assert response.status_code == 400
    assert "others_exist" not in response.content.decode()
    assert checks().count() == before
    assert not DuplicateReview.objects.exists()


def test_too_many_checks_answer_429_and_create_nothing(client_for, cast, settings):
    settings.ANTOAN_DUPLICATE_CHECKS_PER_HOUR = 1
    client = client_for(cast["worker1"])
    assert send(client, "post", CASES, case_body()).status_code == 201
    response = send(client, "post", CASES, with_survivor(full_name="Lý Thị Sen"))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert Case.objects.count() == 1
    assert checks().latest("seq").extra["outcome"] == "rate_limited"


def test_a_replay_after_a_transfer_returns_only_id_and_number(client_for, cast):
    client = client_for(cast["worker1"])
    body = case_body(client_uuid=str(uuid.uuid4()))
    first = send(client, "post", CASES, body).json()
    case = Case.objects.get()
    other = Agency.objects.get(code="ubnd-tran-hung-dao")
    transfer = services.transfer_request(
        case=case,
        actor=cast["supervisor1"],
        to_agency=other,
        reason="Chuyển",
        version=case.version,
    )
    # The receiving side's decision, by anyone holding cases.approve there: make one.
    from antoan.accounts.models import Membership
    from antoan.accounts.roles import Role

    Membership.objects.create(
        user=cast["worker2"], agency=other, role=Role.CASE_SUPERVISOR, valid_from=case.opened_at
    )
    services.transfer_decide(transfer=transfer, actor=cast["worker2"], accept=True)
    again = send(client, "post", CASES, body)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == {"id": first["id"], "number": first["number"]}
    assert Case.objects.count() == 1


def test_the_hotline_answer_is_the_same_with_or_without_a_hidden_duplicate(
    client_for, cast, log_call
):
    client = client_for(cast["hotline1"])
    body = {
        "survivor": {"full_name": "Nguyễn Thị Hòa", "sex": "female", "birth_year": 1990},
        "consent": {"services": True, "reporting": True},
    }
    first_call, second_call = log_call(), log_call()
    alone = send(client, "post", f"/api/v1/hotline/calls/{first_call.pk}/open-case", body)
    open_case(cast["worker2"], full_name="Lê Thị Hoa", phone=PHONE, commune="12452")
    body["survivor"] = {"full_name": "Lý Thị Sen", "sex": "female", "phone": PHONE}
    matched = send(client, "post", f"/api/v1/hotline/calls/{second_call.pk}/open-case", body)
    assert alone.status_code == matched.status_code == 201
    assert set(alone.json()) == set(matched.json())
    assert set(alone.json()["case"]) == set(matched.json()["case"])
    assert matched.json()["case"]["id"] is None  # the operator opens no case
    second_call.refresh_from_db()
    assert DuplicateReview.objects.get().case == second_call.case


def test_the_hotline_over_the_limit_answers_429_and_keeps_the_call_unlinked(
    client_for, cast, log_call, settings
):
    settings.ANTOAN_DUPLICATE_CHECKS_PER_HOUR = 1
    client = client_for(cast["hotline1"])
    assert send(client, "post", CASES, case_body()).status_code == 201
    call = log_call()
    body = {
        "survivor": {"full_name": "Lý Thị Sen", "sex": "female", "birth_year": 1990},
        "consent": {"services": True, "reporting": True},
    }
    response = send(client, "post", f"/api/v1/hotline/calls/{call.pk}/open-case", body)
    assert response.status_code == 429
    call.refresh_from_db()
    assert call.case is None and Case.objects.count() == 1
    # The refusal stays in the audit log although the call's transaction created nothing.
    assert checks().latest("seq").extra["outcome"] == "rate_limited"


REVIEWS = "/api/v1/cases/duplicate-reviews"


def test_the_analyst_lists_the_review_queue_without_names(client_for, cast):
    theirs = open_case(cast["worker2"], commune="12452")
    mine = open_case(cast["worker1"], full_name="Lý Thị Sen")  # same phone
    response = client_for(cast["analyst1"]).get(REVIEWS)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["case"]["number"], row["matched"]["number"]) == (mine.number, theirs.number)
    assert (row["match"], row["status"], row["matched"]["birth_year"]) == ("phone", "open", 1990)
    assert "Nguyễn" not in response.content.decode() and PHONE not in response.content.decode()
    assert client_for(cast["analyst1"]).get(f"{REVIEWS}?status=same_person").json()["results"] == []
    assert client_for(cast["analyst1"]).get(f"{REVIEWS}?status=bogus").status_code == 400


@pytest.mark.parametrize("name", ["worker1", "supervisor1", "hotline1", "manager1", "auditor1"])
def test_nobody_else_lists_the_review_queue(client_for, cast, name):
    assert client_for(cast[name]).get(REVIEWS).status_code == 403
