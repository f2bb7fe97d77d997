"""The load test: 50 people working at once through gunicorn, on PostgreSQL.

A copy of the bench's database (``CREATE DATABASE ... TEMPLATE``: sign-ins, recorded calls and
the audit trail of every page would otherwise change the data other measures read) is served
by gunicorn with 2 workers, in the production profile (DEBUG off, static files through
whitenoise from a ``collectstatic`` of its own), with a fresh SECRET_KEY and the bench
process's own field and index keys (the data were encrypted with them), and Redis as the shared
cache as production has it (``REDIS_URL``; database ``BENCH_REDIS_URL``, default 13 on
127.0.0.1, emptied first; without a Redis each worker keeps its own cache, and the run says
so), the audit sealer service beside it (``seal_audit --every 1``, as deployed: the
workers leave their audit events to it) and a task worker (``db_worker``, as deployed: it
computes the dashboards' figures). Second factors are not
asked for (``ANTOAN_REQUIRE_2FA=false``, as in the test profile), mail stays in memory, cookies
are not marked secure (plain HTTP on 127.0.0.1). Before the clock starts, the copy's tables
and indexes (but the audit log's) are read into memory and the workers serve each page of the
mix but the dashboard a few times, as a server that has been running has
(``BENCH_LOAD_WARM=0``: neither); the leaders' dashboards stay cold on purpose.

Locust (``bench/locustfile.py``) then runs 50 users, 10 more a second, for
``BENCH_LOAD_SECONDS`` (default 10 in the everyday province run; 120 with
``BENCH_SCALE=national`` or ``BENCH_FULL=1``). The rows: the median
and the 95th percentile of every request's response time (Locust's "Aggregated" line), the
number of requests in ``queries``; then the same for the requests after the run's first 30 s
(from every request's time, which the locustfile writes down). Failures are printed with the
endpoints that failed most.
The target is a p95 under 300 ms with no failure. Skipped on SQLite.
"""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import full, row
from django.conf import settings
from django.db import connection, connections
from generated import register

ROOT = Path(__file__).resolve().parent.parent
USERS = 50
# Sessions signed in beforehand, per username: bench/locustfile.py's classes (weights 3:4:2:1
# of 50 users: 15 hotline operators, 20 case workers, 10 providers, 5 leaders), names in turn,
# and one spare each (a user without a session signs in through the form).
SESSIONS = {
    "hotline1": 16,
    "worker1": 11,
    "worker2": 11,
    "health1": 6,
    "police1": 6,
    "manager1": 6,
}
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-password-123")
SPAWN_RATE = 10
WORKERS = 2


def _warming() -> bool:
    return os.environ.get("BENCH_LOAD_WARM", "1") != "0"


def _seconds(scale: str) -> int:
    # The 2 minutes in the national run and BENCH_FULL=1; a 10-second smoke (0 errors,
    # a first p95) in the everyday province run.
    default = "120" if scale == "national" or full() else "10"
    return int(os.environ.get("BENCH_LOAD_SECONDS", default))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin(sql: str) -> None:
    """Run one statement on the server's maintenance database (outside any transaction)."""
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql)


def _copy_database() -> tuple[str, str]:
    """A copy of the bench's database, and its URL."""
    db = connection.settings_dict
    source, copy = db["NAME"], f"{db['NAME']}_load"
    # A file copy, not PostgreSQL 15's default of writing every block of the copy to the WAL
    # (27 GB of it on the national data, whose checkpoints then ran during the measure).
    strategy = " STRATEGY = FILE_COPY" if connection.pg_version >= 150000 else ""
    connections.close_all()  # a template must have no other session
    _admin(f'DROP DATABASE IF EXISTS "{copy}"')
    _admin(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"{strategy}')
    _settle()
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{copy}"
    return copy, url


def _warm(url: str) -> None:
    """Read the copy's tables and indexes into the operating system's cache, all but the audit
    log's (which the pages only append to), as a server that has been running has them. A
    copy just made is cold where its original was warm; on the national data, which does not
    fit in memory twice, the pages would otherwise read from the disk for the first minute."""
    import psycopg

    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as db:
        try:
            db.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except psycopg.Error as error:
            print(f"  load: the copy not warmed (pg_prewarm: {error})", flush=True)
            return
        relations = db.execute(
            """
            SELECT c.oid::regclass::text, pg_relation_size(c.oid)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_index i ON i.indexrelid = c.oid
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')
              AND coalesce(i.indrelid, c.oid) <> 'core_auditevent'::regclass
            ORDER BY 2 DESC
            """
        ).fetchall()
        for name, _size in relations:
            db.execute("SELECT pg_prewarm(%s::regclass, 'read')", [name])
    size = sum(size for _name, size in relations) / 2**30
    print(
        f"  load: the copy's {len(relations)} tables and indexes ({size:.1f} GB) read"
        f" into memory in {time.perf_counter() - began:.0f} s",
        flush=True,
    )


def _redis_url() -> str | None:
    """An emptied Redis database for the server's shared cache, or None without a Redis."""
    import redis

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError as error:
        print(f"  load: no Redis at {url} ({error}): each worker keeps its own cache", flush=True)
        return None
    return url


def _settle() -> None:
    """Let the copy's writes reach the disk before the clock starts (a checkpoint, then the
    kernel's write-back), so that the measure does not share the disk with them."""
    import psycopg

    began = time.perf_counter()
    try:
        _admin("CHECKPOINT")
    except psycopg.errors.InsufficientPrivilege:
        print("  load: no right to CHECKPOINT (superuser or pg_checkpoint)", flush=True)
    os.sync()
    print(f"  load: the copy's writes settled in {time.perf_counter() - began:.0f} s", flush=True)


def server_environment(database_url: str, var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANTOAN_ENV="production",
        DATABASE_URL=database_url,
        ANTOAN_SECRET_KEY=secrets.token_urlsafe(64),
        ANTOAN_FIELD_KEYS=",".join(settings.ANTOAN_FIELD_KEYS),
        ANTOAN_INDEX_KEY=settings.ANTOAN_INDEX_KEY,
        ANTOAN_DEBUG="false",
        ANTOAN_REQUIRE_2FA="false",
        ANTOAN_SECURE_COOKIES="false",
        ANTOAN_SSL_REDIRECT="false",
        ANTOAN_HSTS_SECONDS="0",
        ANTOAN_ALLOWED_HOSTS="127.0.0.1",
        ANTOAN_VAR_DIR=var_dir,
        ANTOAN_MEDIA_ROOT=str(Path(var_dir) / "media"),
        ANTOAN_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ANTOAN_LOG_LEVEL="WARNING",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("REDIS_URL", None)
    redis_url = _redis_url()
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _cpu_ticks() -> tuple[int, int] | None:
    """The machine's CPU time so far, all of it and the idle part (``/proc/stat``; None
    elsewhere than Linux)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    return sum(fields), fields[3] + fields[4]  # idle and waiting for I/O


def _busy(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of the machine's CPU time used between two ``_cpu_ticks()``."""
    if before is None or after is None or after[0] == before[0]:
        return None
    return 1 - (after[1] - before[1]) / (after[0] - before[0])


def _children_cpu() -> float:
    """CPU seconds (user and system) of the child processes that have exited so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def sign_in(host: str, username: str) -> dict[str, str]:
    """Sign in through the login form (CSRF token included): the session's cookies."""
    import requests

    with requests.Session() as session:
        form = session.get(f"{host}/accounts/login/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        answer = session.post(
            f"{host}/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{username} could not sign in ({answer.status_code})")
        return session.cookies.get_dict()


def sign_everyone_in(host: str, path: Path) -> float:
    """The sessions the Locust users take over, written to ``path``; seconds it took."""
    began = time.perf_counter()
    names = [name for name, count in SESSIONS.items() for _ in range(count)]
    with ThreadPoolExecutor(WORKERS) as pool:
        cookies = list(pool.map(lambda name: sign_in(host, name), names))
    sessions: dict[str, list[dict[str, str]]] = {}
    for name, jar in zip(names, cookies, strict=True):
        sessions.setdefault(name, []).append(jar)
    path.write_text(json.dumps(sessions))
    return time.perf_counter() - began


# The pages the workers serve once each before the clock starts, per signed-in user: the mix's
# pages but the dashboard, whose first view is computed inside the measure on purpose.
WARM_PAGES = {
    "hotline1": ("/hotline/", "/hotline/new/"),
    "worker1": ("/cases/mine/",),
    "health1": ("/referrals/inbox/",),
}
LINKS = re.compile(r'href="(/(?:hotline|cases|referrals)/\d+/)"')


def warm_workers(host: str, path: Path) -> float:
    """Serve each page of the mix a few times before the clock starts, as a server that has
    been running has (its templates compiled, its URL patterns and kept SQL built), so that
    the measure's first seconds are not the workers' own start. Seconds it took."""
    import requests

    began = time.perf_counter()
    sessions = json.loads(path.read_text())

    def visit(username: str) -> None:
        with requests.Session() as session:
            session.cookies.update(sessions[username][0])
            for page in WARM_PAGES[username]:
                answer = session.get(f"{host}{page}", timeout=60)
                answer.raise_for_status()
                for link in LINKS.findall(answer.text)[:2]:
                    session.get(f"{host}{link}", timeout=60).raise_for_status()

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(visit, [name for _ in range(4) for name in WARM_PAGES]))
    return time.perf_counter() - began


def run_load(database_url: str, seconds: int, work: Path) -> dict:
    """Serve ``database_url`` with gunicorn, run Locust against it; Locust's figures."""
    env = server_environment(database_url, str(work / "var"))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "antoan.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    # The audit sealer service, as deployed beside the app servers: the workers' audited reads
    # are left to it (ANTOAN_AUDIT_SEALING=auto, docs/audit.md).
    sealer = subprocess.Popen(
        [sys.executable, "manage.py", "seal_audit", "--every", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    # The task worker, as deployed: the dashboards' figures are computed there, not in a web
    # worker (docs/indicators.md, "Cached figures").
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_up(f"{host}/accounts/login/", server)
        sessions = work / "sessions.json"
        signed_in = sign_everyone_in(host, sessions)
        print(f"  load: {sum(SESSIONS.values())} sign-ins in {signed_in:.0f} s", flush=True)
        if _warming():
            print(f"  load: the workers warmed in {warm_workers(host, sessions):.0f} s", flush=True)
        env["BENCH_LOAD_SESSIONS"] = str(sessions)
        env["BENCH_LOAD_TIMES"] = str(work / "times.csv")
        prefix = work / "locust"
        ticks = _cpu_ticks()
        began, locust_before = time.perf_counter(), _children_cpu()
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--host",
                host,
                "--headless",
                "-u",
                str(USERS),
                "-r",
                str(SPAWN_RATE),
                "-t",
                f"{seconds}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,  # exits 1 when a request failed: read the figures instead
        )
        busy = _busy(ticks, _cpu_ticks())
        # Locust's own share of the cores it shares with the server (it has exited; the
        # server's processes have not, so the children's CPU so far is Locust's).
        locust_cpu = (_children_cpu() - locust_before) / (
            (time.perf_counter() - began) * (os.cpu_count() or 1)
        )
    finally:
        for process in (server, sealer, worker):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    stats = _read_csv(Path(f"{prefix}_stats.csv"))
    aggregated = next((r for r in stats if r["Name"] == "Aggregated"), None)
    if aggregated is None:
        raise RuntimeError("Locust wrote no Aggregated line")
    failures = sorted(
        _read_csv(Path(f"{prefix}_failures.csv")),
        key=lambda r: -int(r["Occurrences"]),
    )
    return {
        "requests": int(aggregated["Request Count"]),
        "failures": int(aggregated["Failure Count"]),
        "median_ms": float(aggregated["50%"]),
        "p95_ms": float(aggregated["95%"]),
        "endpoints": [r for r in stats if r["Name"] != "Aggregated"],
        "windows": windows(work / "times.csv"),
        # Whether the machine's cores were the limit: server, database and Locust together.
        "cpu_busy": busy,
        "locust_cpu": locust_cpu,
        "failed": failures,
    }


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 20 else max(times)


def windows(path: Path, width: int = 10, settled: int = 30) -> dict:
    """How the latency moved during the run, from every request's time
    (bench/locustfile.py): the median and p95 of each ``width`` seconds, and of the requests
    after the first ``settled`` seconds (the leaders' first dashboards, computed from a cold
    cache, fall in those)."""
    rows = []
    for line in path.read_text().splitlines() if path.exists() else ():
        started, took = line.split(",", 1)[0], line.rsplit(",", 1)[1]  # start,name,ms
        rows.append((float(started), float(took)))
    if not rows:
        return {}
    began = min(started for started, _took in rows)
    spans: dict[int, list[float]] = {}
    for started, took in rows:
        spans.setdefault(int((started - began) // width) * width, []).append(took)
    late = [took for started, took in rows if started - began >= settled]
    return {
        "settled_after_s": settled,
        "settled_requests": len(late),
        "settled_median_ms": statistics.median(late) if late else None,
        "settled_p95_ms": _p95(late) if late else None,
        "spans": [
            {
                "from_s": start,
                "requests": len(times),
                "median_ms": statistics.median(times),
                "p95_ms": _p95(times),
            }
            for start, times in sorted(spans.items())
        ],
    }


def report(result: dict) -> None:
    print(
        f"  load: {result['requests']} requests, median {result['median_ms']:.0f} ms,"
        f" p95 {result['p95_ms']:.0f} ms, {result['failures']} failed",
        flush=True,
    )
    if result.get("cpu_busy") is not None:
        print(
            f"  load: the machine's CPU {result['cpu_busy']:.0%} busy meanwhile,"
            f" {result['locust_cpu']:.0%} of it Locust's",
            flush=True,
        )
    found = result["windows"]
    if found.get("spans"):
        # A run shorter than its first ``settled_after_s`` seconds (the everyday province
        # run) has no settled part to report.
        settled = (
            f"; after the first {found['settled_after_s']} s:"
            f" median {found['settled_median_ms']:.0f} ms, p95 {found['settled_p95_ms']:.0f} ms"
            if found.get("settled_requests")
            else ""
        )
        print(
            "  load: p95 by 10 s: "
            + " ".join(f"{span['p95_ms']:.0f}" for span in found["spans"])
            + settled,
            flush=True,
        )
    slowest = sorted(result["endpoints"], key=lambda r: -float(r["95%"] or 0))[:5]
    for r in slowest:
        print(f"    p95 {float(r['95%']):6.0f} ms  {r['Request Count']:>5}x  {r['Name']}")
    if result["failures"]:
        print(f"  !!! LOAD TEST: {result['failures']} REQUESTS FAILED; most failed:", flush=True)
        for r in result["failed"][:5]:
            print(f"  !!!   {r['Occurrences']:>5}x  {r['Method']} {r['Name']}: {r['Error']}")


@register
def load(scale: str, median_per_op) -> list[dict]:
    if connection.vendor != "postgresql":
        print("  load: skipped (PostgreSQL only; set DATABASE_URL)", flush=True)
        return []
    seconds = _seconds(scale)
    copy, url = _copy_database()
    try:
        if _warming():
            _warm(url)
        with tempfile.TemporaryDirectory(prefix="antoan-load-") as work:
            result = run_load(url, seconds, Path(work))
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    report(result)
    name = f"load ({USERS} users, {seconds}s)"
    measured = [(name, result["median_ms"], result["requests"], result["p95_ms"])]
    settled = result["windows"]
    if settled.get("settled_requests"):
        # The same run without its first seconds: the steady state, beside the whole run.
        measured.append(
            (
                f"{name}: after its first {settled['settled_after_s']} s",
                settled["settled_median_ms"],
                settled["settled_requests"],
                settled["settled_p95_ms"],
            )
        )
    return [
        row(label, scale, median / 1e3, queries=requests, p95_ms=p95)
        for label, median, requests, p95 in measured
    ]
