# ruff: noqa: F811 - pytest fixtures imported from the helpers are redefined as parameters
"""Recording activities over the API: the contract of API.md, the checks, idempotency."""

from __future__ import annotations

import unicodedata
import uuid

import pytest

from antoan.accounts.models import Agency
from antoan.api.tests.test_cases_helpers import fields_of, send
from antoan.api.tests.test_programme_helpers import (
    ACTIVITIES,
    activity_body,
    agency_id,
    post_activity,
    reporter2,  # noqa: F401 - fixture
    task_row,
)
from antoan.places.models import Place
from antoan.programme import services
from antoan.programme.models import Activity, Spending, Trainee

pytestmark = pytest.mark.django_db


def test_a_reporter_records_a_training_and_it_counts_under_its_task(cast, client_for, plan64):
    client = client_for(cast["reporter1"])
    before = task_row(client, plan64, "II.3.a")
    response = post_activity(client)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] and body["version"] == 1
    assert body["kind"] == "training"
    assert body["tasks"] == ["II.3.a"]
    assert body["plan"] == plan64.pk and body["plan_number"] == "64/KH-UBND"
    assert body["place"] == "11953"
    assert body["start_date"] == "2025-11-10"
    assert body["participants"] == {
        "total": 30,
        "female": 20,
        "male": 10,
        "other": 0,
        "ages": None,
    }
    assert body["spent"] == [{"source": "provincial_budget", "amount": 15_000_000}]
    assert body["flags"] == []
    assert body["editable"] is True

    after = task_row(client, plan64, "II.3.a")
    assert after["activities"] == before["activities"] + 1
    assert after["people"] == before["people"] + 30
    assert after["female"] == before["female"] + 20
    assert after["spent"] == before["spent"] + 15_000_000
    # The section above it counts it too; a sibling does not.
    assert task_row(client, plan64, "II.3")["activities"] == 1
    assert task_row(client, plan64, "II.3.b")["activities"] == 0
    # And it is listed under the task.
    listed = client.get(f"{ACTIVITIES}?plan={plan64.pk}&task=II.3.a").json()["results"]
    assert [a["id"] for a in listed] == [body["id"]]


def test_the_same_client_uuid_twice_records_one_activity(cast, client_for, plan64):
    client = client_for(cast["reporter1"])
    key = str(uuid.uuid4())
    first = post_activity(client, client_uuid=key)
    assert first.status_code == 201, first.json()
    again = post_activity(client, client_uuid=key)
    assert again.status_code == 200, again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Activity.objects.count() == 1


def test_another_agencys_client_uuid_is_a_409(cast, client_for, plan64, reporter2):
    key = str(uuid.uuid4())
    assert post_activity(client_for(cast["reporter1"]), client_uuid=key).status_code == 201
    other = client_for(reporter2)
    response = post_activity(
        other, client_uuid=key, agency=agency_id("ubnd-tran-hung-dao"), place="12452"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("participants", "field"),
    [
        ({"total": 30, "female": 20, "male": 5}, "participants"),
        ({"total": 30, "female": 25, "male": 10}, "participants"),
        ({"total": -1, "female": 0, "male": 0}, "participants.total"),
        ({"total": 30, "female": -5, "male": 35}, "participants.female"),
        (
            {
                "total": 30,
                "female": 20,
                "male": 10,
                "ages": {"under_16": 0, "16_29": 10, "30_59": 10, "60_plus": 0},
            },
            "participants.ages",
        ),
        (
            {"total": 30, "female": 20, "male": 10, "ages": {"16_29": 30}},
            "participants.ages.under_16",
        ),
        ({"female": 20, "male": 10}, "participants.total"),
    ],
)
def test_participants_that_do_not_add_up_are_refused(cast, client_for, plan64, participants, field):
    response = post_activity(client_for(cast["reporter1"]), participants=participants)
    assert response.status_code == 400
    assert field in fields_of(response), fields_of(response)
    assert Activity.objects.count() == 0
    assert Spending.objects.count() == 0


def test_age_bands_that_add_up_are_kept(cast, client_for, plan64):
    ages = {"under_16": 0, "16_29": 12, "30_59": 15, "60_plus": 3}
    response = post_activity(
        client_for(cast["reporter1"]),
        participants={"total": 30, "female": 20, "male": 10, "ages": ages},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["participants"]["ages"] == ages


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        # The old province (code 33 until 30/06/2025) existed then; the plan had not started.
        ({"start_date": "2020-12-31", "place": "33", "plan": "PLAN"}, "start_date"),
        ({"end_date": "2026-01-02", "plan": "PLAN"}, "end_date"),
        ({"start_date": "2026-05-10", "end_date": "2026-05-11"}, "start_date"),
        ({"end_date": "2025-11-09"}, "end_date"),
        ({"tasks": ["II.3.a", "IX.99"]}, "tasks"),
        ({"tasks": []}, "tasks"),
        ({"place": "99999"}, "place"),
        ({"kind": "picnic"}, "kind"),
        ({"topic": ""}, "topic"),
        ({"channel": "radio_tv"}, "channel"),
        ({"spent": [{"source": "lottery", "amount": 5}]}, "spent.0.source"),
        ({"spent": [{"source": "donor", "amount": -5}]}, "spent.0.amount"),
        (
            {"spent": [{"source": "donor", "amount": 5}, {"source": "donor", "amount": 6}]},
            "spent",
        ),
        ({"target_groups": ["aliens"]}, "target_groups.0"),
        ({"agency": 999999}, "agency"),
        ({"plan": 999999}, "plan"),
        ({"colour": "red"}, "colour"),
        ({"title": ""}, "title"),
        ({"pre_test_score": 140}, "pre_test_score"),
        ({"community_model": 5}, "community_model"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_saved(
    cast, client_for, plan64, overrides, field
):
    if overrides.get("plan") == "PLAN":
        overrides["plan"] = plan64.pk
    response = post_activity(client_for(cast["reporter1"]), **overrides)
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "invalid"
    assert field in fields_of(response), fields_of(response)
    assert Activity.objects.count() == 0


def test_the_plan_period_message_names_the_period(cast, client_for, plan64):
    response = post_activity(
        client_for(cast["reporter1"]), plan=plan64.pk, start_date="2020-12-31", place="33"
    )
    message = " ".join(fields_of(response)["start_date"])
    assert "31/12/2020" in message and "01/01/2021" in message and "31/12/2025" in message


def test_an_agency_not_assigned_to_the_task_is_accepted_and_flagged(cast, client_for, plan64):
    # IV.5 is the provincial police's task alone.
    response = post_activity(client_for(cast["reporter1"]), kind="other", topic="", tasks=["IV.5"])
    assert response.status_code == 201, response.json()
    assert response.json()["flags"] == ["agency_not_assigned"]
    flagged = client_for(cast["reporter1"]).get(f"{ACTIVITIES}?flagged=true").json()["results"]
    assert [a["id"] for a in flagged] == [response.json()["id"]]


def test_an_agency_you_do_not_report_for_is_a_403(cast, client_for, plan64):
    response = post_activity(
        client_for(cast["reporter1"]), agency=agency_id("ubnd-tran-hung-dao"), place="12452"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("username", ["coordinator1", "analyst1", "manager1", "worker1"])
def test_only_reporters_record_activities(cast, client_for, plan64, username):
    response = post_activity(client_for(cast[username]))
    assert response.status_code == 403
    assert Activity.objects.count() == 0


def test_anonymous_callers_are_refused(client, cast, plan64):
    response = post_activity(client)
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_training_with_its_trainees_is_counted_from_the_list(cast, client_for, plan64):
    trainees = [
        {"full_name": f"Học viên {i}", "sex": "female" if i % 3 else "male", "position": "CTV"}
        for i in range(30)
    ]
    body = activity_body(trainees=trainees, training_of_trainers=True, post_test_score=85.5)
    del body["participants"]
    response = send(client_for(cast["reporter1"]), "post", ACTIVITIES, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["participants"]["total"] == 30
    assert created["participants"]["female"] == 20
    assert created["participants"]["male"] == 10
    assert created["training_of_trainers"] is True
    assert created["post_test_score"] == 85.5
    assert len(created["trainees"]) == 30
    assert created["trainees"][0]["full_name"] == "Học viên 0"


def test_trainees_that_contradict_the_totals_are_refused(cast, client_for, plan64):
    trainees = [{"full_name": "Lê Văn An", "sex": "male"}]
    response = post_activity(client_for(cast["reporter1"]), trainees=trainees)
    assert response.status_code == 400
    assert "trainees" in fields_of(response)
    assert Trainee.objects.count() == 0


def test_trainees_belong_to_trainings_only(cast, client_for, plan64):
    response = post_activity(
        client_for(cast["reporter1"]),
        kind="communication",
        topic="",
        channel="loudspeaker",
        trainees=[{"full_name": "Lê Văn An", "sex": "male"}],
    )
    assert response.status_code == 400
    assert "trainees" in fields_of(response)


def test_an_inspection_with_its_team_and_recommendations(cast, client_for, plan64):
    response = post_activity(
        client_for(cast["reporter1"]),
        kind="inspection",
        topic="",
        tasks=["II.6-3"],
        units_inspected="Tổ dân phố số 3",
        findings="Chưa niêm yết số điện thoại đường dây nóng.",
        members=[{"agency": agency_id("cong-an-tinh"), "name": "Vũ Đức Thắng"}],
        recommendations=[{"text": "Niêm yết số đường dây nóng", "due_date": "2025-12-15"}],
        partners=[agency_id("cong-an-tinh")],
        target_groups=["officials", "village_heads"],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["members"][0]["agency_name"] == "Công an tỉnh Hưng Yên"
    assert body["recommendations"][0]["status"] == "open"
    assert body["partners"] == [agency_id("cong-an-tinh")]
    assert body["target_groups"] == ["officials", "village_heads"]
    assert body["topic"] == ""


def test_text_typed_decomposed_is_stored_composed(cast, client_for, plan64):
    title = "Truyền thông phòng chống bạo lực giới"
    response = post_activity(
        client_for(cast["reporter1"]),
        kind="communication",
        topic="",
        channel="meeting",
        tasks=["II.2.đ"],
        title=unicodedata.normalize("NFD", title),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == title
    assert response.json()["tasks"] == ["II.2.đ"]
    assert Activity.objects.filter(title=title).count() == 1


def test_a_model_activity_names_its_model_and_the_registry_counts_it(cast, client_for, plan64):
    reporter = cast["reporter1"]
    model = services.community_model_save(
        actor=reporter,
        data=services.ModelInput(
            kind="trusted_address",
            name="Địa chỉ tin cậy tổ dân phố 5",
            place=Place.objects.get(code="11953"),
            agency=Agency.objects.get(code="ubnd-pho-hien"),
        ),
    )
    client = client_for(reporter)
    missing = post_activity(client, kind="model_activity", topic="", tasks=["II.4.a"])
    assert missing.status_code == 400
    assert "community_model" in fields_of(missing)
    response = post_activity(
        client, kind="model_activity", topic="", tasks=["II.4.a"], community_model=model.pk
    )
    assert response.status_code == 201, response.json()
    assert response.json()["community_model"] == model.pk
    registry = client.get("/api/v1/programme/models").json()["results"]
    assert [(m["id"], m["activities"]) for m in registry] == [(model.pk, 1)]
