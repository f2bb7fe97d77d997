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
    ("/api/v1/docs", EVERYONE),
    ("/admin/", {"admin1"}),
    ("/admin/accounts/agency/", {"admin1"}),
    ("/admin/accounts/membership/", {"admin1"}),
    ("/admin/accounts/user/", {"admin1"}),
    ("/admin/places/place/", {"admin1"}),
]


@pytest.mark.parametrize(("path", "allowed"), MATRIX, ids=[p for p, _ in MATRIX])
def test_role_matrix(client, cast, path, allowed):
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
