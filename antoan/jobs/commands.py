"""Scheduled commands enqueue their work as a job; ``--now`` runs it in the command."""

from __future__ import annotations

from typing import Any

from antoan.jobs import services
from antoan.jobs.models import Job


def add_now_argument(parser: Any) -> None:
    parser.add_argument(
        "--now",
        action="store_true",
        help="Run the work in this process instead of queueing it for the worker (db_worker).",
    )


def start(command: Any, *, kind: str, params: dict | None = None, now: bool) -> Job | None:
    """The job run (``now``: its summary is ready) or queued (None is returned)."""
    if now:
        return services.run_now(owner=None, kind=kind, params=params)
    job = services.enqueue(owner=None, kind=kind, params=params)
    command.stdout.write(f"Queued job {job.pk} ({kind}); the worker (manage.py db_worker) runs it.")
    return None
