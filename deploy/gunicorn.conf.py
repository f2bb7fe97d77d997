"""gunicorn settings for An Toàn (``gunicorn -c deploy/gunicorn.conf.py antoan.wsgi``).

Sync workers: the application is request/response against PostgreSQL. Two workers per core,
plus one; each holds one database connection (``CONN_MAX_AGE`` 60 s), so PostgreSQL's
``max_connections`` must cover every app server's workers plus the task workers.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "unix:/run/antoan/gunicorn.sock")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 60
graceful_timeout = 30
# Restart a worker now and then, so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# Path only (%(U)s), never the query string or headers: no personal data in access logs.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(L)s %({x-request-id}i)s'
forwarded_allow_ips = "127.0.0.1"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set, a dead worker's live gauges leave /metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
