"""The replica router: dashboards' and exports' reads on the replica, everything else primary.

The test profile has a ``replica`` alias on the test database itself (a second connection to
the same server), as ``ANTOAN_REPLICA_DATABASE_URL`` adds one in production.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from antoan.core.routers import ReplicaRouter, replica_reads

both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def capture():
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        yield primary, replica


def _sql(captured) -> str:
    return " ".join(q["sql"] for q in captured.captured_queries)


@both
def test_reads_asked_for_go_to_the_replica_and_writes_stay_on_the_primary(settings, capture):
    settings.ANTOAN_REPLICA_READS = True
    primary, replica = capture
    User = get_user_model()
    with replica_reads():
        User.objects.create_user(username="replica_probe", password="x" * 20)
        assert User.objects.filter(username="replica_probe").count() == 1
    assert "INSERT" in _sql(primary) and "COUNT(" not in _sql(primary)
    assert "COUNT(" in _sql(replica) and "INSERT" not in _sql(replica)


@both
def test_other_reads_and_reads_inside_a_transaction_stay_on_the_primary(settings, capture):
    settings.ANTOAN_REPLICA_READS = True
    primary, replica = capture
    User = get_user_model()
    User.objects.filter(username="nobody").exists()
    with replica_reads(), transaction.atomic():
        User.objects.filter(username="still-nobody").exists()
    assert _sql(replica) == ""
    assert "nobody" in _sql(primary) and "still-nobody" in _sql(primary)


@both
def test_without_a_configured_replica_everything_reads_the_primary(settings, capture):
    settings.ANTOAN_REPLICA_READS = False
    primary, replica = capture
    with replica_reads():
        get_user_model().objects.count()
    assert _sql(replica) == ""
    assert "COUNT(" in _sql(primary)


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "cases")
    assert not router.allow_migrate("replica", "cases")


@both
def test_the_gbvims_export_reads_its_incidents_on_the_replica(settings, capture, mini_places):
    from antoan.reports.exports.gbvims import gbvims_file

    settings.ANTOAN_REPLICA_READS = True
    primary, replica = capture
    export = gbvims_file(mini_places["province"], 2026)
    export.content.close()
    assert "cases_incident" in _sql(replica)
    assert "cases_incident" not in _sql(primary)


@both
def test_the_province_dashboard_computes_its_figures_on_the_replica(
    settings, capture, cast, client_for, catalogue
):
    settings.ANTOAN_REPLICA_READS = True
    primary, replica = capture
    response = client_for(cast["analyst1"]).get("/indicators/")
    assert response.status_code == 200
    # The figures' queries (cases, incidents, consents) went to the replica; the primary
    # served the session, the user's roles and the audit event.
    assert "cases_incident" in _sql(replica)
    assert "cases_incident" not in _sql(primary)
