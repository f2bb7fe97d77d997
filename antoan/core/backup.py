"""Encrypted backups of the database and the uploaded files, their restore, and the drill.

A backup is one file, ``antoan-<UTC time>.tar.gpg``: a tar of

- ``db.dump``: ``pg_dump --format=custom`` of the whole database;
- ``media.tar``: the uploaded files (``MEDIA_ROOT``);
- ``manifest.json``: when, the PostgreSQL version, the SHA-256 of the two files above, and per
  table the row count and an order-independent checksum of its rows,

encrypted with GnuPG (AES-256, symmetric, with its integrity check) under a passphrase kept in a
file. The table figures and the dump come from **one snapshot** (``pg_export_snapshot``), so a
backup of a system in use still matches its own manifest exactly.

The field keys (``ANTOAN_FIELD_KEYS``, ``ANTOAN_INDEX_KEY``) are not in a backup, and must never
be stored beside one: a stolen backup then holds no readable name, phone or address.

``restore`` decrypts, checks both SHA-256, restores into an **empty** database and folder, then
compares every table's count and checksum with the manifest. ``drill`` backs up, restores into
a scratch database and folder, compares, seals and verifies the copy's audit chain
(``audit_verify``), and drops the scratch copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings
from psycopg import sql

from antoan.env import database_url

FORMAT = 1
PREFIX = "antoan-"
SUFFIX = ".tar.gpg"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class TableFigures:
    rows: int
    checksum: str


@dataclass
class Comparison:
    tables: int = 0
    rows: int = 0
    files: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


# --- connections ----------------------------------------------------------------------------


def pg_params(url: str) -> dict[str, str]:
    """libpq parameters of a PostgreSQL URL (for psycopg and the pg_* tools' environment)."""
    parsed = database_url("DATABASE_URL", url)
    if parsed["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://...).")
    params = {
        "dbname": parsed["NAME"],
        "user": parsed.get("USER") or "",
        "password": parsed.get("PASSWORD") or "",
        "host": parsed.get("HOST") or "",
        "port": str(parsed.get("PORT") or ""),
    }
    return {k: v for k, v in params.items() if v}


def _pg_env(params: dict[str, str]) -> dict[str, str]:
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD"}
    names |= {"host": "PGHOST", "port": "PGPORT"}
    return {**os.environ, **{names[k]: v for k, v in params.items()}}


def _run(argv: list[str], *, env: dict[str, str] | None = None, what: str) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-500:]}")


# --- table figures ---------------------------------------------------------------------------


def _tables(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    )
    return list(cursor.fetchall())


_FIGURES = sql.SQL(
    "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint::numeric), 0)"
    "::text FROM {} t"
)


def table_figures(cursor) -> dict[str, TableFigures]:
    """Each table's row count and the sum of its rows' hashes (independent of row order)."""
    figures = {}
    for schema, table in _tables(cursor):
        cursor.execute(_FIGURES.format(sql.Identifier(schema, table)))
        rows, checksum = cursor.fetchone()
        figures[f"{schema}.{table}"] = TableFigures(rows=rows, checksum=checksum)
    return figures


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- encryption --------------------------------------------------------------------------------


def _gpg(args: list[str], *, passphrase_file: Path, what: str) -> None:
    if not passphrase_file.is_file():
        raise BackupError(f"The passphrase file {passphrase_file} does not exist.")
    with tempfile.TemporaryDirectory() as home:
        argv = ["gpg", "--batch", "--yes", "--quiet", "--homedir", home]
        argv += ["--pinentry-mode", "loopback", "--passphrase-file", str(passphrase_file)]
        result = subprocess.run(  # noqa: S603 - fixed program, our own arguments
            [*argv, *args], capture_output=True, text=True, check=False
        )
    if result.returncode == 0:
        return
    message = result.stderr
    if "Bad session key" in message or "decryption failed: Bad" in message:
        raise BackupError(
            "The backup does not open with this passphrase: wrong key, or not an An Toàn backup."
        )
    if what == "decrypt":
        raise BackupError(
            "The backup file is damaged or incomplete (truncated): it cannot be restored. "
            "Use an earlier backup."
        )
    raise BackupError(f"gpg could not {what}: {message.strip()[-300:]}")


# --- backup ----------------------------------------------------------------------------------


def backup(
    *, url: str, media_root: Path, target_dir: Path, passphrase_file: Path, now=None
) -> Path:
    """Write one encrypted backup into ``target_dir``; return its path."""
    now = now or dt.datetime.now(dt.UTC)
    params = pg_params(url)
    target_dir.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now:%Y%m%dT%H%M%SZ}{SUFFIX}"
    out = target_dir / name
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".partial-") as scratch:
        work = Path(scratch)
        with psycopg.connect(**params, autocommit=False) as conn, conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, version = cursor.fetchone()
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(work / "db.dump"),
                ],
                env=_pg_env(params),
                what="pg_dump",
            )
            figures = table_figures(cursor)
        media = work / "media.tar"
        with tarfile.open(media, "w") as tar:
            if media_root.is_dir():
                tar.add(media_root, arcname="media")
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(),
            "postgresql": version,
            "files": {
                "db.dump": _sha256(work / "db.dump"),
                "media.tar": _sha256(media),
            },
            "tables": {t: vars(f) for t, f in figures.items()},
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        bundle = work / "bundle.tar"
        with tarfile.open(bundle, "w") as tar:
            for part in ("manifest.json", "db.dump", "media.tar"):
                tar.add(work / part, arcname=part)
        partial = work / name
        _gpg(
            [
                "--symmetric",
                "--cipher-algo",
                "AES256",
                "--compress-algo",
                "none",
                "--output",
                str(partial),
                str(bundle),
            ],
            passphrase_file=passphrase_file,
            what="encrypt",
        )
        partial.chmod(0o600)
        # Appears under its final name only when complete.
        partial.replace(out)
    return out


def prune(target_dir: Path, *, keep_days: int, keep_last: int = 3, now=None) -> list[Path]:
    """Delete backups older than ``keep_days``, always keeping the newest ``keep_last``.
    Files whose names this module did not write are never touched."""
    now = now or dt.datetime.now(dt.UTC)
    dated = []
    for path in target_dir.glob(f"{PREFIX}*{SUFFIX}"):
        stamp = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
        try:
            made = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        dated.append((made, path))
    dated.sort()
    removed = []
    for made, path in dated[: max(0, len(dated) - keep_last)]:
        if now - made > dt.timedelta(days=keep_days):
            path.unlink()
            removed.append(path)
    return removed


# --- restore ---------------------------------------------------------------------------------


def _open_bundle(archive: Path, passphrase_file: Path, work: Path) -> dict:
    if not archive.is_file():
        raise BackupError(f"No backup file at {archive}.")
    bundle = work / "bundle.tar"
    _gpg(
        ["--decrypt", "--output", str(bundle), str(archive)],
        passphrase_file=passphrase_file,
        what="decrypt",
    )
    try:
        with tarfile.open(bundle) as tar:
            tar.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
    except (tarfile.TarError, OSError, ValueError) as exc:
        raise BackupError("The backup file is damaged: its contents cannot be read.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for part, expected in manifest["files"].items():
        if _sha256(work / part) != expected:
            raise BackupError(f"The backup's {part} does not match its manifest: damaged.")
    return manifest


def restore(*, archive: Path, url: str, media_root: Path, passphrase_file: Path) -> Comparison:
    """Restore ``archive`` into the empty database ``url`` and the empty folder ``media_root``,
    then compare the database with the backup's manifest."""
    params = pg_params(url)
    with psycopg.connect(**params) as conn, conn.cursor() as cursor:
        if _tables(cursor):
            raise BackupError(
                f"The database {params['dbname']} is not empty: restore only into a new database."
            )
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"The folder {media_root} is not empty: restore into a new folder.")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        manifest = _open_bundle(archive, passphrase_file, work)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--dbname",
                params["dbname"],
                str(work / "db.dump"),
            ],
            env=_pg_env(params),
            what="pg_restore",
        )
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(work / "media.tar") as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("media/")]
            for member in members:
                member.name = member.name.removeprefix("media/")
            tar.extractall(media_root, members=[m for m in members if m.name], filter="data")
            files = sum(1 for m in members if m.isfile())
    with psycopg.connect(**params) as conn, conn.cursor() as cursor:
        restored = table_figures(cursor)
    expected = {t: TableFigures(**f) for t, f in manifest["tables"].items()}
    result = Comparison(tables=len(expected), rows=sum(f.rows for f in expected.values()))
    result.files = files
    for table in sorted(set(expected) | set(restored)):
        if expected.get(table) != restored.get(table):
            result.differences.append(
                f"{table}: backup {expected.get(table)}, restored {restored.get(table)}"
            )
    return result


def drill(*, url: str, media_root: Path, passphrase_file: Path | None, out) -> Comparison:
    """Back up ``url``, restore into a scratch database and folder, compare, verify the copy's
    audit chain, drop the copy. ``out(line)`` reports each step."""
    check_tools()
    source = pg_params(url)
    scratch_name = f"{source['dbname']}_drill_{os.getpid()}"
    copy_url = _with_dbname(url, scratch_name)
    with tempfile.TemporaryDirectory(prefix="antoan-drill-") as scratch:
        work = Path(scratch)
        if passphrase_file is None:
            passphrase_file = work / "passphrase"
            passphrase_file.write_text(secrets.token_urlsafe(32))
            passphrase_file.chmod(0o600)
        started = time.monotonic()
        archive = backup(
            url=url,
            media_root=media_root,
            target_dir=work / "backups",
            passphrase_file=passphrase_file,
        )
        size = archive.stat().st_size
        out(f"Backup: {archive.name}, {size / 1e6:.1f} MB, {time.monotonic() - started:.1f} s")
        _admin(source, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch_name)))
        try:
            started = time.monotonic()
            result = restore(
                archive=archive,
                url=copy_url,
                media_root=work / "media",
                passphrase_file=passphrase_file,
            )
            out(
                f"Restore into {scratch_name}: {result.tables} tables, {result.rows} rows, "
                f"{result.files} files, {time.monotonic() - started:.1f} s"
            )
            for line in result.differences:
                out(f"DIFFERENT {line}")
            if result.ok:
                out("Row counts and checksums: every table equal")
            for command in ("seal_audit", "audit_verify"):
                _manage(command, copy_url, what=f"{command} on the copy", out=out)
        finally:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            _admin(source, drop.format(sql.Identifier(scratch_name)))
            out(f"Scratch database {scratch_name} dropped")
    return result


def _with_dbname(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def _admin(params: dict[str, str], statement: sql.Composed) -> None:
    """CREATE/DROP DATABASE, from the maintenance database ``postgres``."""
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        conn.execute(statement)


def _manage(command: str, url: str, *, what: str, out) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {(result.stderr or result.stdout).strip()[-500:]}")
    said = result.stdout.strip().splitlines() or ["ok"]
    out(f"{command} on the copy: {said[-1]}")


def configured_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise BackupError("Set DATABASE_URL (or --database-url) to the PostgreSQL database.")
    return url


def check_tools() -> None:
    for tool in ("pg_dump", "pg_restore", "gpg"):
        if shutil.which(tool) is None:
            raise BackupError(f"{tool} is not installed: backups need it (docs/operations).")


def default_media_root() -> Path:
    return Path(settings.MEDIA_ROOT)
