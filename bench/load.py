"""The load test: Locust against gunicorn (2 workers) and PostgreSQL, on ``generate_data``'s
data (a measure of ``bench/generated.py``).

Starts ``gunicorn antoan.wsgi`` with 2 workers on the bench database in the production profile
(DEBUG off, static files collected and served by WhiteNoise) with bench-only settings: plain
HTTP (``ANTOAN_SSL_REDIRECT=0``, ``ANTOAN_SECURE_COOKIES=0``), no second factor
(``ANTOAN_REQUIRE_2FA=0``: the demo users have no authenticator), the encryption keys the bench
process wrote with (``bench/run.py``). Then ``locust --headless -u 50 -r 10`` with
``bench/locustfile.py`` for ``BENCH_LOAD_SECONDS`` (default 30 s at province scale, 120 s at
national), stats reset once the 50 users are logged in (``--reset-stats``: a login is a
deliberately slow password hash, not the work measured). Reads Locust's CSV: the aggregated
95th percentile (``p95_ms``) and the failure count, printed; any failure is printed loudly and
named in the row.

Locust and gunicorn share the machine's cores (2 here): the p95 includes the load generator's
own CPU. Unlike the other measures this one writes: the calls it records and the audit events
of every request stay in the database (a server's commits cannot be rolled back). Skipped on
SQLite.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import row
from django.db import connection
from generated import register

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USERS = 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def server_env(var_dir: str) -> dict[str, str]:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("ANTOAN_", "DATABASE_", "DJANGO_"))
    }
    return {
        **keep,
        "ANTOAN_ENV": "production",
        "ANTOAN_SECRET_KEY": secrets.token_urlsafe(50),
        "ANTOAN_FIELD_KEYS": os.environ["ANTOAN_FIELD_KEYS"],
        "ANTOAN_INDEX_KEY": os.environ["ANTOAN_INDEX_KEY"],
        "DATABASE_URL": _database_url(),
        "ANTOAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ANTOAN_SSL_REDIRECT": "0",
        "ANTOAN_SECURE_COOKIES": "0",
        "ANTOAN_HSTS_SECONDS": "0",
        "ANTOAN_REQUIRE_2FA": "0",
        "ANTOAN_VAR_DIR": var_dir,
    }


def _wait_for(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not listen in time")


def load_seconds(scale: str) -> int:
    return int(os.environ.get("BENCH_LOAD_SECONDS") or (120 if scale == "national" else 30))


def aggregated(stats_csv: Path) -> tuple[float, int, int]:
    """(p95 in ms, requests, failures) of Locust's "Aggregated" line."""
    with stats_csv.open(newline="") as f:
        for line in csv.DictReader(f):
            if line["Name"] == "Aggregated":
                return float(line["95%"]), int(line["Request Count"]), int(line["Failure Count"])
    raise RuntimeError(f"no Aggregated line in {stats_csv}")


@register
def load(scale: str, median_per_op) -> list[dict]:
    if connection.vendor != "postgresql":
        print("    load test skipped: it needs PostgreSQL (DATABASE_URL)")
        return []
    seconds = load_seconds(scale)
    var_dir = tempfile.mkdtemp(prefix="antoan-load-")
    env = server_env(var_dir)
    port = _free_port()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603
        [
            str(BIN / "gunicorn"),
            "antoan.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for(port, server)
        prefix = Path(var_dir) / "locust"
        subprocess.run(  # noqa: S603
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(USERS),
                "-r",
                "10",
                "-t",
                f"{seconds}s",
                "--reset-stats",
                "--only-summary",
                "--csv",
                str(prefix),
                "--host",
                f"http://127.0.0.1:{port}",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "BENCH_PASSWORD": os.environ.get("BENCH_PASSWORD", "bench-password-123")},
            check=False,
            timeout=seconds + 120,
        )
        p95, requests, failures = aggregated(Path(f"{prefix}_stats.csv"))
        failed = Path(f"{prefix}_failures.csv")
        if failures:
            print(f"    !!! LOAD TEST: {failures} FAILED REQUESTS of {requests} !!!")
            print(failed.read_text()[:4000])
        else:
            print(f"    load test: {requests} requests in {seconds} s, 0 errors, p95 {p95:.0f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)
    name = f"load ({USERS} users)" + (f" - {failures} ERRORS" if failures else "")
    return [row(name, scale, p95_ms=p95)]
