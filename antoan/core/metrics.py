"""Prometheus metrics: request latency and errors by view, the task queue, the audit lag.

Labels hold route names (``cases:detail``), HTTP methods and status codes only: never a path
(paths carry ids), a user or anything typed by one. ``GET /metrics`` answers only the addresses
in ``ANTOAN_METRICS_ALLOWED_IPS`` (default: this machine); anyone else gets the site's 404.

Under gunicorn each worker is a process: with ``PROMETHEUS_MULTIPROC_DIR`` set (the sample
``antoan-web.service`` sets it), the workers write their figures there and ``/metrics`` sums
them (``prometheus_client.multiprocess``). The queue and audit figures are read from the
database when scraped, so every app server reports the same values.
"""

from __future__ import annotations

import os
import time

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import public

REQUESTS = Counter(
    "antoan_http_requests",
    "HTTP requests answered, by route name, method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "antoan_http_request_duration_seconds",
    "Time to answer a request, by route name and method.",
    ["view", "method"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30),
)
EXCEPTIONS = Counter(
    "antoan_http_exceptions",
    "Requests that raised instead of answering, by route name and exception class.",
    ["view", "exception"],
)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _view(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "unresolved"


class MetricsMiddleware:
    """Outermost but one: times the whole answer, including the other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view(request)
        method = request.method if request.method in _METHODS else "other"
        LATENCY.labels(view, method).observe(time.perf_counter() - started)
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response

    def process_exception(self, request, exception):
        EXCEPTIONS.labels(_view(request), type(exception).__name__).inc()


class DatabaseCollector:
    """Figures read from the database at scrape time: the task queue and the audit chain."""

    def collect(self):
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from antoan.core.models import AuditEvent

        now = timezone.now()
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        depth = GaugeMetricFamily(
            "antoan_task_queue_ready", "Tasks waiting for a worker.", labels=["queue"]
        )
        for queue in ready.values_list("queue_name", flat=True).distinct():
            depth.add_metric([queue], ready.filter(queue_name=queue).count())
        yield depth
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        yield GaugeMetricFamily(
            "antoan_task_queue_oldest_ready_seconds",
            "How long the oldest waiting task has waited (0: none waits).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
        yield GaugeMetricFamily("antoan_task_running", "Tasks being run.", value=running)
        unsealed = AuditEvent.objects.filter(seq__isnull=True)
        first = unsealed.order_by("id").values_list("occurred_at", flat=True).first()
        yield GaugeMetricFamily(
            "antoan_audit_unsealed_events", "Audit events not yet chained.", value=unsealed.count()
        )
        yield GaugeMetricFamily(
            "antoan_audit_lag_seconds",
            "Age of the oldest audit event not yet chained (0: all sealed).",
            value=(now - first).total_seconds() if first else 0.0,
        )


_database_collector: DatabaseCollector | None = None


def registry() -> CollectorRegistry:
    """The workers' summed figures (multiprocess mode) or this process's, plus the database's."""
    global _database_collector
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
        combined.register(DatabaseCollector())
        return combined
    if _database_collector is None:
        _database_collector = DatabaseCollector()
        REGISTRY.register(_database_collector)
    return REGISTRY


@public
def metrics_view(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    if getattr(request, "client_ip", None) not in settings.ANTOAN_METRICS_ALLOWED_IPS:
        # A public route, so the refusal middleware leaves it alone: recorded here.
        audit_record(
            action=AuditAction.PERMISSION_DENIED,
            request=request,
            object_type="metrics",
            extra={"status": 404},
        )
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
