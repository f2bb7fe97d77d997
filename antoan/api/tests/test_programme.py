"""The plan as data over the API: plans, task trees with figures, models, budget, the schema."""

from __future__ import annotations

import json

import pytest

from antoan.accounts.models import Agency
from antoan.api.tests.test_programme_helpers import agency_id, post_activity, task_row
from antoan.places.models import Place
from antoan.programme import services

pytestmark = pytest.mark.django_db

# leader1, the commune leader, approves local plans and reads the totals as analysts do.
PROGRAMME_ROLES = {"reporter1", "coordinator1", "analyst1", "manager1", "leader1"}


def gets(plan) -> list[str]:
    return [
        "/api/v1/programme/plans",
        f"/api/v1/programme/plans/{plan.pk}/tasks",
        "/api/v1/programme/models",
        "/api/v1/programme/budget",
    ]


def test_role_matrix_of_the_totals(client, cast, plan64):
    """Plans, tasks, models and budget: every programme role; nobody else (403)."""
    for username, user in cast.items():
        client.force_login(user)
        for path in gets(plan64):
            response = client.get(path)
            if username in PROGRAMME_ROLES:
                assert response.status_code == 200, (username, path, response.json())
                assert set(response.json()) >= {"results", "next"}, path
            else:
                expected = 404 if "/plans/" in path else 403  # an id outside: not found
                assert response.status_code == expected, (username, path)
                assert response.json()["error"]["code"] in {"permission_denied", "not_found"}
        client.logout()
    for path in gets(plan64):
        assert client.get(path).status_code in (401, 403)


def test_plans_list_names_plan_64(client_for, cast, plan64):
    response = client_for(cast["analyst1"]).get("/api/v1/programme/plans")
    body = response.json()
    assert body["next"] is None
    [plan] = body["results"]
    assert plan["id"] == plan64.pk
    assert plan["number"] == "64/KH-UBND"
    assert plan["title"].startswith("Kế hoạch thực hiện Chương trình phòng ngừa")
    assert (plan["period_start"], plan["period_end"]) == ("2021-01-01", "2025-12-31")
    assert plan["issued_on"] == "2021-05-05"
    assert plan["issuing_agency"] == agency_id("ubnd-tinh")
    assert plan["report_due"] == {"month": 12, "day": 10}


def test_the_task_tree_in_plan_order_with_responsible_agencies(client_for, cast, plan64):
    rows = client_for(cast["manager1"]).get(f"/api/v1/programme/plans/{plan64.pk}/tasks")
    rows = rows.json()["results"]
    codes = [r["code"] for r in rows]
    assert codes.index("II") < codes.index("II.2") < codes.index("II.2.a") < codes.index("IV")
    by_code = {r["code"]: r for r in rows}
    assert by_code["II"]["parent"] is None
    assert by_code["II.2.a"]["parent"] == "II.2"
    assert by_code["II.2.a"]["text"]
    assert by_code["II.2.a"]["status"] == "not_started"

    agencies = by_code["II.2.a"]["agencies"]
    lead = next(a for a in agencies if a["role"] == "lead")
    # The labour department was dissolved in 2025: who carries its duties now.
    assert lead["agency_code"] == "so-ldtbxh"
    assert {h["agency"] for h in lead["current"]} == {
        agency_id("so-noi-vu"),
        agency_id("so-y-te"),
    }
    group = next(a for a in agencies if a["group"] == "commune_committee")
    assert group["agency"] is None and group["role"] == "support" and group["name"]
    police = next(a for a in by_code["IV.5"]["agencies"])
    assert police["agency"] == Agency.objects.get(code="cong-an-tinh").pk
    assert police["current"] == []


def test_an_unknown_plan_is_a_404(client_for, cast, plan64):
    response = client_for(cast["coordinator1"]).get("/api/v1/programme/plans/999999/tasks")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_task_figures_by_year(client_for, cast, plan64):
    client = client_for(cast["reporter1"])
    assert post_activity(client).status_code == 201
    row = client.get(f"/api/v1/programme/plans/{plan64.pk}/tasks?year=2024").json()["results"]
    assert next(r for r in row if r["code"] == "II.3.a")["activities"] == 0
    assert task_row(client, plan64, "II.3.a")["activities"] == 1
    bad = client.get(f"/api/v1/programme/plans/{plan64.pk}/tasks?year=later")
    assert bad.status_code == 400
    assert "year" in bad.json()["error"]["fields"]


# --- Models registry -------------------------------------------------------------------------


@pytest.fixture
def models(cast, plan64):
    reporter = cast["reporter1"]
    host = Agency.objects.get(code="ubnd-pho-hien")
    commune = Place.objects.get(code="11953")

    def model(**fields):
        data = services.ModelInput(place=commune, agency=host, **fields)
        return services.community_model_save(actor=reporter, data=data)

    return {
        "trusted": model(
            kind="trusted_address",
            name="Địa chỉ tin cậy tổ dân phố 5",
            members_total=12,
            members_female=9,
        ),
        "club": model(kind="disability_club", name="Câu lạc bộ Hoa Sen", status="paused"),
    }


def test_the_models_registry_with_filters(client_for, cast, models):
    client = client_for(cast["analyst1"])

    def names(query: str = "") -> list[str]:
        response = client.get(f"/api/v1/programme/models?{query}")
        assert response.status_code == 200, response.json()
        return [m["name"] for m in response.json()["results"]]

    assert names() == ["Câu lạc bộ Hoa Sen", "Địa chỉ tin cậy tổ dân phố 5"]
    assert names("kind=trusted_address") == ["Địa chỉ tin cậy tổ dân phố 5"]
    assert names("status=paused") == ["Câu lạc bộ Hoa Sen"]
    assert names("place=33") == names("place=11953") == names()
    assert names("place=12452") == []
    first = client.get("/api/v1/programme/models?kind=trusted_address").json()["results"][0]
    assert first["place"] == "11953"
    assert first["members_total"] == 12 and first["members_female"] == 9
    assert first["agency_name"] == "Ủy ban nhân dân phường Phố Hiến"
    assert first["activities"] == 0
    bad = client.get("/api/v1/programme/models?kind=castle")
    assert bad.status_code == 400 and "kind" in bad.json()["error"]["fields"]


# --- Budget ----------------------------------------------------------------------------------


def test_budget_execution_per_agency_year_and_source(client_for, cast, plan64):
    reporter = cast["reporter1"]
    commune = Agency.objects.get(code="ubnd-pho-hien")
    services.budget_line_save(
        actor=reporter,
        plan=plan64,
        agency=commune,
        year=2025,
        source="provincial_budget",
        planned=50_000_000,
        allocated=40_000_000,
    )
    assert post_activity(client_for(reporter)).status_code == 201  # 15,000,000 spent

    client = client_for(cast["manager1"])
    body = client.get("/api/v1/programme/budget").json()  # the plan defaults to plan 64
    assert body["plan"] == plan64.pk
    [row] = body["results"]
    assert row == {
        "agency": commune.pk,
        "agency_name": "Ủy ban nhân dân phường Phố Hiến",
        "year": 2025,
        "source": "provincial_budget",
        "planned": 50_000_000,
        "allocated": 40_000_000,
        "spent": 15_000_000,
        "execution_rate": 37.5,
    }
    assert body["by_agency"][0]["execution_rate"] == 37.5
    query = f"plan={plan64.pk}&year=2024&agency={commune.pk}"
    assert client.get(f"/api/v1/programme/budget?{query}").json()["results"] == []
    other = agency_id("ubnd-tran-hung-dao")
    assert client.get(f"/api/v1/programme/budget?agency={other}").json()["results"] == []


@pytest.mark.parametrize(
    ("query", "field"), [("plan=999999", "plan"), ("year=x", "year"), ("agency=-1", "agency")]
)
def test_bad_budget_filters_are_a_400(client_for, cast, plan64, query, field):
    response = client_for(cast["analyst1"]).get(f"/api/v1/programme/budget?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


# --- The schema ------------------------------------------------------------------------------


def test_the_schema_documents_every_programme_endpoint(client_for, cast):
    response = client_for(cast["reporter1"]).get("/api/v1/schema", HTTP_ACCEPT="application/json")
    schema = json.loads(response.content)
    paths = schema["paths"]
    expected = {
        "/api/v1/programme/plans": {"get"},
        "/api/v1/programme/plans/{plan_id}/tasks": {"get"},
        "/api/v1/programme/activities": {"get", "post"},
        "/api/v1/programme/activities/{activity_id}": {"get", "patch"},
        "/api/v1/programme/models": {"get"},
        "/api/v1/programme/budget": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
        for method in methods:
            operation = paths[path][method]
            assert operation.get("summary"), (path, method)
            if method in ("post", "patch"):
                assert "requestBody" in operation, (path, method)
    created = paths["/api/v1/programme/activities"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/ActivityDetailOut")
    body = schema["components"]["schemas"]["ActivityInRequest"]
    assert {"kind", "title", "tasks", "agency", "place", "start_date", "end_date"} <= set(
        body["required"]
    )
    assert {"participants", "spent", "client_uuid", "plan"} <= set(body["properties"])
    conflict = paths["/api/v1/programme/activities/{activity_id}"]["patch"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"]["$ref"].endswith("/CaseConflictError")
