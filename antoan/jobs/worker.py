"""Running queued tasks in this process: tests, and ``manage.py`` commands' ``--now``.

It uses django-tasks-db's own worker to run each task (the real backend, the real rows), but
without the polling loop and its connection handling, so it can run inside a test's
transaction."""

from __future__ import annotations

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_pending(*, backend: str = "default", limit: int | None = None) -> int:
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=backend,
        startup_delay=False,
        max_tasks=None,
        worker_id="in-process",
        excluded_queue_names=[],
    )
    ran = 0
    while limit is None or ran < limit:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().filter(backend_name=backend).get_locked()
            if result is None:
                break
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran
