"""Who may open what, for every page and endpoint that exists so far (RapidPro style)."""

from __future__ import annotations

import pytest

from antoan.accounts.demo import USERS

EVERYONE = {username for username, *_ in USERS}

# (path, who may open it). Everyone else must be refused.
MATRIX = [
    ("/", EVERYONE),
    ("/audit/", {"auditor1"}),
    ("/api/v1/me", EVERYONE),
    ("/api/v1/agencies", EVERYONE),
    ("/api/v1/places", EVERYONE),
    ("/api/v1/schema", EVERYONE),
    ("/api/v1/docs", {"admin1", "analyst1"}),
    ("/admin/", {"admin1"}),
    ("/admin/accounts/agency/", {"admin1"}),
    ("/admin/accounts/membership/", {"admin1"}),
    ("/admin/accounts/user/", {"admin1"}),
    ("/admin/places/place/", {"admin1"}),
    ("/indicators/", {"coordinator1", "analyst1", "manager1"}),
    ("/indicators/GBV-02/", {"coordinator1", "analyst1", "manager1"}),
    ("/indicators/estimates/", {"coordinator1", "analyst1", "manager1"}),
    ("/indicators/export.csv", {"coordinator1", "analyst1", "manager1"}),
    ("/indicators/agency/", {"supervisor1"}),
    ("/indicators/hotline/", {"supervisor1"}),
    ("/api/v1/indicators", {"coordinator1", "analyst1", "manager1"}),
    ("/api/v1/indicators/values", {"coordinator1", "analyst1", "manager1"}),
    ("/api/v1/indicators/estimates", {"coordinator1", "analyst1", "manager1"}),
    ("/health/contacts/new/", {"nurse1"}),
    ("/health/report/", {"nurse1", "analyst1", "manager1"}),
    ("/api/v1/health/contacts/summary", {"nurse1", "analyst1", "manager1"}),
    ("/privacy/requests/", {"supervisor1"}),
    ("/privacy/breaches/", {"auditor1", "admin1", "manager1"}),
    ("/privacy/breaches/new/", {"auditor1", "admin1"}),
]


@pytest.mark.parametrize(("path", "allowed"), MATRIX, ids=[p for p, _ in MATRIX])
def test_role_matrix(client, cast, catalogue, path, allowed):
    for username, user in cast.items():
        client.force_login(user)
        response = client.get(path)
        if username in allowed:
            assert response.status_code == 200, (username, path, response.status_code)
        else:
            # Pages answer 403; the admin sends non-administrators to its login page.
            assert response.status_code in (302, 403), (username, path, response.status_code)
        client.logout()


@pytest.mark.parametrize("path", [p for p, _ in MATRIX])
def test_anonymous_visitors_are_sent_to_login_or_refused(client, cast, path):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403)
        assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}
    else:
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_a_user_whose_membership_ended_can_do_nothing(client, cast):
    import datetime as dt

    from antoan.accounts.models import Membership

    worker = cast["worker1"]
    Membership.objects.filter(user=worker).update(valid_to=dt.date(2025, 12, 31))
    client.force_login(worker)
    response = client.get("/")
    assert response.status_code == 403
    assert "chưa được phân công vai trò nào" in response.content.decode()
    assert client.get("/api/v1/me").status_code == 403


def test_permission_denials_are_audited(client, cast):
    from antoan.core.models import AuditEvent

    client.force_login(cast["worker1"])
    client.get("/audit/")
    event = AuditEvent.objects.filter(action="permission_denied").latest("seq")
    assert event.username == "worker1"
    assert event.extra["permission"] == "audit.view"


# --- Programme monitoring (issue 5): who holds which programme permission --------------------

PROGRAMME_PERMS = [
    # Plan page totals, budget execution, the models registry.
    ("programme.view", {"reporter1", "coordinator1", "analyst1", "manager1", "leader1"}),
    # Records and edits the activities of the reporter's own agency.
    ("programme.report", {"reporter1"}),
    # Sees every activity, comments, sets task status, returns submitted reports.
    ("programme.coordinate", {"coordinator1"}),
    ("reports.submit", {"reporter1"}),
    # Approves or returns the commune's local plan (issue 10).
    ("programme.local_plan_approve", {"leader1"}),
]


@pytest.mark.parametrize(("perm", "holders"), PROGRAMME_PERMS, ids=[p for p, _ in PROGRAMME_PERMS])
def test_programme_permissions_by_role(cast, perm, holders):
    from antoan.accounts.roles import Perm
    from antoan.core.permissions import has_perm

    assert {name for name, user in cast.items() if has_perm(user, Perm(perm))} == holders


def test_a_programme_reporter_reports_for_their_own_agency_only(cast):
    from antoan.accounts.models import Agency
    from antoan.accounts.roles import Perm
    from antoan.core.permissions import agency_ids_with

    assert agency_ids_with(cast["reporter1"], Perm.PROGRAMME_REPORT) == {
        Agency.objects.get(code="ubnd-pho-hien").pk
    }


# The programme endpoints named by the issue. Analysts and managers see totals (plans, tasks,
# budget, models) but not the activity list; people outside the programme see nothing.
# leader1 (a commune's leader) approves its local plan and reads the totals as analysts do.
PROGRAMME_VIEWERS = {"reporter1", "coordinator1", "analyst1", "manager1", "leader1"}
PROGRAMME_MATRIX = [
    ("/api/v1/programme/plans", PROGRAMME_VIEWERS),
    ("/api/v1/programme/plans/{plan}/tasks", PROGRAMME_VIEWERS),
    ("/api/v1/programme/models", PROGRAMME_VIEWERS),
    ("/api/v1/programme/budget", PROGRAMME_VIEWERS),
    ("/api/v1/programme/activities", {"reporter1", "coordinator1"}),
    # The pages.
    ("/programme/plans/{plan}/", PROGRAMME_VIEWERS),
    ("/programme/plans/{plan}/coverage/", PROGRAMME_VIEWERS),
    ("/programme/plans/{plan}/plan.yaml", PROGRAMME_VIEWERS),
    ("/programme/plans/new/?copy_from={plan}", {"coordinator1"}),
    ("/programme/models/", PROGRAMME_VIEWERS),
    ("/programme/influencers/", PROGRAMME_VIEWERS),
    ("/programme/budget/", PROGRAMME_VIEWERS),
    ("/reports/", PROGRAMME_VIEWERS),
    ("/programme/activities/", {"reporter1", "coordinator1"}),
    ("/programme/activities/new/?kind=training", {"reporter1"}),
    ("/programme/toolkit/", {"reporter1", "coordinator1"}),
    ("/programme/toolkit/import/", {"reporter1"}),
    ("/programme/toolkit/templates/training.xlsx", {"reporter1"}),
    ("/programme/toolkit/export.xlsx", {"reporter1", "coordinator1"}),
]


@pytest.mark.parametrize(
    ("path", "allowed"), PROGRAMME_MATRIX, ids=[p for p, _ in PROGRAMME_MATRIX]
)
def test_programme_role_matrix(client, cast, plan64, path, allowed):
    url = path.format(plan=plan64.pk)
    # An id in the path answers 404 outside the programme, as a missing one does.
    refused = {403, 404} if "{plan}" in path else {403}
    for username, user in cast.items():
        client.force_login(user)
        response = client.get(url)
        if username in allowed:
            assert response.status_code == 200, (username, url, response.status_code)
        else:
            assert response.status_code in refused, (username, url, response.status_code)
        client.logout()
