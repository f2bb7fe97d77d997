"""/metrics: latency and errors by route name, queue depth, audit lag; nothing personal."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from antoan.core.audit import audit_record
from antoan.core.models import AuditEvent
from tests.ops.servers import NoRedirect, clean_env, start_gunicorn


def _value(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {labels} not in metrics")


def test_requests_are_counted_by_route_name_and_nothing_personal_is_a_label(client_for, cast):
    worker = client_for(cast["worker1"])
    before = worker.get("/metrics").content.decode()
    worker.get("/cases/mine/")
    worker.get("/cases/987654321/")
    text = worker.get("/metrics").content.decode()
    count = _value(text, "antoan_http_requests_total", view="cases:mine", status="200")
    with contextlib.suppress(AssertionError):  # absent before: the first request of the run
        count -= _value(before, "antoan_http_requests_total", view="cases:mine", status="200")
    assert count == 1
    assert _value(text, "antoan_http_request_duration_seconds_count", view="cases:mine") >= 1
    assert _value(text, "antoan_http_requests_total", view="cases:detail", status="404") >= 1
    assert "987654321" not in text and "worker1" not in text
    ours = "\n".join(line for line in text.splitlines() if line.startswith("antoan_"))
    labels = set(re.findall(r'(\w+)="', ours))
    assert labels <= {"view", "method", "status", "exception", "queue", "le"}


def test_queue_depth_and_audit_lag_come_from_the_database(client, db, settings):
    now = timezone.now()
    DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="antoan.x",
        queue_name="default",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(task_path="antoan.x").update(
        enqueued_at=now - timezone.timedelta(seconds=90)
    )
    settings.AUDIT_SEALING = "background"  # left for the sealer, as under heavy load
    audit_record(action="view", object_type="case", object_id=1)
    text = client.get("/metrics").content.decode()
    assert _value(text, "antoan_task_queue_ready", queue="default") == 1
    assert 85 <= _value(text, "antoan_task_queue_oldest_ready_seconds") < 600
    assert _value(text, "antoan_audit_unsealed_events") == 1
    assert 0 < _value(text, "antoan_audit_lag_seconds") < 600


def test_other_addresses_get_the_sites_404_and_the_refusal_is_audited(client, db):
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 404
    refusal = AuditEvent.objects.get(action="permission_denied", object_type="metrics")
    assert refusal.ip == "10.20.30.40"
    assert client.get("/metrics").status_code == 200


@pytest.mark.postgres_only
def test_under_gunicorn_the_workers_figures_are_summed(transactional_db, tmp_path):
    """Two gunicorn workers with the sample configuration: /metrics counts every request."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    s = connection.settings_dict
    env = clean_env(
        ANTOAN_ENV="test",
        DATABASE_URL=(
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        ),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    server = start_gunicorn(env, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - local
                break
            except OSError:
                time.sleep(0.2)
        # Counted on another route: probes sent while the workers booted may be answered late.
        opener = urllib.request.build_opener(NoRedirect)
        for _ in range(20):
            with contextlib.suppress(urllib.error.HTTPError):
                opener.open(f"{base}/favicon.ico", timeout=5)
        text = urllib.request.urlopen(f"{base}/metrics", timeout=10).read().decode()  # noqa: S310
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert _value(text, "antoan_http_requests_total", view="core:favicon", status="301") == 20
    assert "antoan_audit_lag_seconds" in text
