"""Who may open which case page: the whole cast against every page (RapidPro style).

List pages answer 403 to roles without them; a case page answers 404 to anyone not on the
case, exactly as for a case that does not exist, and never shows the survivor's name.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from antoan.accounts.demo import USERS
from antoan.cases.tests.conftest import MISSING_REASON, NAME, close_case, fresh, full_checklist

EVERYONE = {username for username, *_ in USERS}
WORKERS = {"worker1", "worker2", "supervisor1"}

# List pages: (url name, who may open it). Everyone else gets 403.
LIST_PAGES = [
    ("cases:mine", WORKERS),
    ("cases:team", {"supervisor1"}),
    ("cases:tasks", WORKERS),
    ("cases:intake", WORKERS | {"hotline1"}),
    ("cases:transfers", {"supervisor1"}),
]

# Pages of one case of agency A assigned to worker1: the worker and the supervisor open them.
CASE_PAGES = [
    "cases:detail",
    "cases:print",
    "cases:incident_add",
    "cases:assessment_add",
    "cases:safety_plan_add",
    "cases:case_plan_add",
    "cases:follow_up_add",
    "cases:note_add",
    "cases:consent_add",
    "cases:measure_add",
    "cases:closure_request",
]

# Pages for the supervisor only: the worker on the case is refused (403, the case is visible
# to her); anyone else gets 404.
SUPERVISOR_PAGES = ["cases:transfer_request", "cases:assign"]


@pytest.fixture
def case_a(cast, open_case):
    return open_case(cast["worker1"])


@pytest.mark.parametrize(("name", "allowed"), LIST_PAGES, ids=[n for n, _ in LIST_PAGES])
def test_list_pages_role_matrix(client, cast, case_a, name, allowed):
    url = reverse(name)
    for username, user in cast.items():
        client.force_login(user)
        response = client.get(url)
        expected = 200 if username in allowed else 403
        assert response.status_code == expected, (username, url, response.status_code)
        if username not in {"worker1", "supervisor1"}:
            assert NAME not in response.content.decode(), username
        client.logout()


@pytest.mark.parametrize("name", CASE_PAGES)
def test_case_pages_role_matrix(client, cast, case_a, name):
    url = reverse(name, args=[case_a.pk])
    for username, user in cast.items():
        client.force_login(user)
        response = client.get(url)
        body = response.content.decode()
        if username in {"worker1", "supervisor1"}:
            assert response.status_code == 200, (username, url, response.status_code)
            assert case_a.number in body
        else:
            assert response.status_code == 404, (username, url, response.status_code)
            assert NAME not in body and case_a.number not in body, username
        client.logout()


@pytest.mark.parametrize("name", SUPERVISOR_PAGES)
def test_supervisor_pages_role_matrix(client, cast, case_a, name):
    url = reverse(name, args=[case_a.pk])
    for username, user in cast.items():
        client.force_login(user)
        response = client.get(url)
        expected = {"supervisor1": 200, "worker1": 403}.get(username, 404)
        assert response.status_code == expected, (username, url, response.status_code)
        if expected != 200:
            assert NAME not in response.content.decode(), username
        client.logout()


def test_closure_decision_is_for_the_supervisor_only(client, cast, case_a):
    from antoan.cases import services

    services.closure_request(
        case=fresh(case_a),
        actor=cast["worker1"],
        reason="Đã hoàn thành",
        checklist=full_checklist(),
        version=fresh(case_a).version,
        missing_reason=MISSING_REASON,
    )
    url = reverse("cases:closure_decide", args=[case_a.pk])
    for username, user in cast.items():
        client.force_login(user)
        response = client.get(url)
        expected = {"supervisor1": 200, "worker1": 403}.get(username, 404)
        assert response.status_code == expected, (username, response.status_code)
        client.logout()
    # The worker's case page offers no approval; the supervisor's does.
    client.force_login(cast["worker1"])
    assert url not in client.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    client.force_login(cast["supervisor1"])
    assert url in client.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    # A refused POST changes nothing.
    client.force_login(cast["worker1"])
    response = client.post(url, {"decision": "approve", "version": fresh(case_a).version})
    assert response.status_code == 403
    assert fresh(case_a).status == "open"


def test_reopen_is_for_the_supervisor_only(client, cast, case_a):
    closed = close_case(case_a, worker=cast["worker1"], supervisor=cast["supervisor1"])
    url = reverse("cases:reopen", args=[closed.pk])
    for username, user in cast.items():
        client.force_login(user)
        expected = {"supervisor1": 200, "worker1": 403}.get(username, 404)
        assert client.get(url).status_code == expected, username
        client.logout()


def test_worker_of_another_agency_gets_404_on_every_page_of_the_case(client, cast, case_a):
    client.force_login(cast["worker2"])
    names = [*CASE_PAGES, *SUPERVISOR_PAGES, "cases:closure_decide", "cases:reopen"]
    for name in names:
        url = reverse(name, args=[case_a.pk])
        assert client.get(url).status_code == 404, name
        if name not in ("cases:detail", "cases:print"):
            response = client.post(url, {"version": case_a.version, "body": "x"})
            assert response.status_code == 404, name
    assert fresh(case_a).version == case_a.version
    # The same answer as for a case that does not exist: ids cannot be probed.
    missing = client.get(reverse("cases:detail", args=[case_a.pk + 1000]))
    seen = client.get(reverse("cases:detail", args=[case_a.pk]))
    assert missing.status_code == seen.status_code == 404
    assert _without_noise(missing, case_a.pk + 1000) == _without_noise(seen, case_a.pk)


def _without_noise(response, pk):
    """A page without what differs between any two responses: path, CSRF mask, request id."""
    page = response.content.decode().replace(f"/cases/{pk}/", "")
    page = page.replace(response["X-Request-ID"], "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_anonymous_visitors_are_sent_to_login(client, case_a):
    for name in ("cases:mine", "cases:intake"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.get(reverse("cases:detail", args=[case_a.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_case_page_views_are_audited(client, cast, case_a):
    from antoan.core.models import AuditEvent

    client.force_login(cast["supervisor1"])
    before = AuditEvent.objects.filter(action="view", object_id=str(case_a.pk)).count()
    client.get(reverse("cases:detail", args=[case_a.pk]))
    event = AuditEvent.objects.filter(action="view", object_id=str(case_a.pk)).latest("seq")
    assert AuditEvent.objects.filter(action="view", object_id=str(case_a.pk)).count() == (
        before + 1
    )
    assert event.username == "supervisor1"
    assert event.role == "case_supervisor"


def test_navigation_shows_case_pages_by_role(client, cast):
    client.force_login(cast["worker1"])
    home = client.get("/").content.decode()
    assert "Hồ sơ của tôi" in home and "Việc cần làm" in home and "Tiếp nhận ca mới" in home
    assert "Hồ sơ của cơ quan" not in home
    assert home.index("Trang chủ") < home.index("Việc cần làm")
    client.force_login(cast["supervisor1"])
    assert "Hồ sơ của cơ quan" in client.get("/").content.decode()
    client.force_login(cast["hotline1"])
    home = client.get("/").content.decode()
    assert "Tiếp nhận ca mới" in home and "Hồ sơ của tôi" not in home
    client.force_login(cast["auditor1"])
    home = client.get("/").content.decode()
    assert "Tiếp nhận ca mới" not in home and "Hồ sơ của tôi" not in home
