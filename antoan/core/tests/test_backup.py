"""Backups restore: the drill on real PostgreSQL, and the refusals of a wrong key or a torn file."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as settings_module
from django.core.management import CommandError, call_command
from django.db import connection

from antoan.core import backup as backups
from antoan.core.audit import audit_record

postgres_only = pytest.mark.postgres_only


def _url(dbname: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{dbname}"


def _admin(statement: str) -> None:
    s = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        user=s["USER"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        autocommit=True,
    ) as conn:
        conn.execute(statement)


def _databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def source(transactional_db, cast, settings, tmp_path, monkeypatch):
    """The test database with a cast, audit events and one uploaded file; DATABASE_URL on it."""
    for i in range(5):
        audit_record(action="view", object_type="case", object_id=i, user=cast["worker1"])
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "anh-tap-huan.jpg").write_bytes(b"\xff\xd8" + b"x" * 5000)
    monkeypatch.setenv("DATABASE_URL", _url(connection.settings_dict["NAME"]))
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple")
    return passphrase


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables_in(dbname: str) -> int:
    s = connection.settings_dict
    with psycopg.connect(
        dbname=dbname, user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432
    ) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]


@postgres_only
def test_the_restore_drill_restores_everything_and_verifies_the_copy(source, capsys):
    before = _databases()
    call_command("restore_drill", "--passphrase-file", str(source))
    said = capsys.readouterr().out
    assert "Row counts and checksums: every table equal" in said
    assert "1 files" in said
    assert "audit_verify on the copy: " in said
    assert "Restore drill passed." in said
    assert _databases() == before  # the scratch copy is gone


@postgres_only
def test_a_restore_brings_back_the_rows_and_the_files(source, empty_database, tmp_path, settings):
    call_command("backup", "--to", str(tmp_path / "b"), "--passphrase-file", str(source))
    (archive,) = (tmp_path / "b").glob("antoan-*.tar.gpg")
    assert b"anh-tap-huan" not in archive.read_bytes()  # encrypted, names included
    restored = tmp_path / "restored-media"
    call_command(
        "restore_backup",
        str(archive),
        "--database-url",
        _url(empty_database),
        "--media-root",
        str(restored),
        "--passphrase-file",
        str(source),
    )
    assert (restored / "evidence" / "anh-tap-huan.jpg").read_bytes()[:2] == b"\xff\xd8"
    s = connection.settings_dict
    with psycopg.connect(
        dbname=empty_database,
        user=s["USER"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    ) as conn:
        assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0] >= 5
        users = conn.execute("SELECT username FROM accounts_user ORDER BY 1").fetchall()
    assert ("worker1",) in users


@postgres_only
def test_a_wrong_passphrase_or_a_truncated_backup_is_refused_and_writes_nothing(
    source, empty_database, tmp_path
):
    call_command("backup", "--to", str(tmp_path / "b"), "--passphrase-file", str(source))
    (archive,) = (tmp_path / "b").glob("antoan-*.tar.gpg")
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase")
    args = ["--database-url", _url(empty_database), "--media-root", str(tmp_path / "m")]
    with pytest.raises(CommandError, match="does not open with this passphrase"):
        call_command("restore_backup", str(archive), *args, "--passphrase-file", str(wrong))
    torn = tmp_path / "torn.tar.gpg"
    torn.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    with pytest.raises(CommandError, match="damaged or incomplete"):
        call_command("restore_backup", str(torn), *args, "--passphrase-file", str(source))
    assert _tables_in(empty_database) == 0
    assert not (tmp_path / "m").exists()


@postgres_only
def test_a_restore_into_a_database_in_use_is_refused(source, tmp_path):
    call_command("backup", "--to", str(tmp_path / "b"), "--passphrase-file", str(source))
    (archive,) = (tmp_path / "b").glob("antoan-*.tar.gpg")
    with pytest.raises(CommandError, match="is not empty"):
        call_command(
            "restore_backup",
            str(archive),
            "--database-url",
            _url(connection.settings_dict["NAME"]),
            "--media-root",
            str(tmp_path / "m"),
            "--passphrase-file",
            str(source),
        )


@postgres_only
def test_the_table_checksum_changes_when_one_value_changes(source):
    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s["USER"], "host": s["HOST"] or "127.0.0.1"}
    with (
        psycopg.connect(**params, port=s["PORT"] or 5432, autocommit=True) as conn,
        conn.cursor() as cursor,
    ):
        before = backups.table_figures(cursor)["public.accounts_user"]
        cursor.execute("UPDATE accounts_user SET first_name = 'X' WHERE username = 'worker1'")
        after = backups.table_figures(cursor)["public.accounts_user"]
    assert before.rows == after.rows
    assert before.checksum != after.checksum


def test_pruning_keeps_the_newest_three_and_never_touches_other_files(tmp_path):
    now = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
    names = [f"antoan-{(now - dt.timedelta(days=d)):%Y%m%dT%H%M%SZ}.tar.gpg" for d in range(40)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "antoan-notes.tar.gpg").write_bytes(b"x")
    removed = backups.prune(tmp_path, keep_days=30, now=now)
    assert {p.name for p in removed} == set(names[31:])
    assert (tmp_path / "antoan-notes.tar.gpg").exists()
    assert len(backups.prune(tmp_path, keep_days=1, now=now + dt.timedelta(days=100))) == 28
    assert len(list(tmp_path.glob("antoan-2*.tar.gpg"))) == 3


def test_backups_refuse_sqlite(tmp_path):
    with pytest.raises(backups.BackupError, match="need PostgreSQL"):
        backups.pg_params(f"sqlite:///{tmp_path / 'x.sqlite3'}")


@postgres_only
def test_the_nightly_script_writes_a_backup_that_restores(source, empty_database, tmp_path):
    root = Path(settings_module.BASE_DIR)
    env_file = tmp_path / "env"
    env_file.write_text(f"DATABASE_URL={os.environ['DATABASE_URL']}\nANTOAN_ENV=test\n")
    backup_env = tmp_path / "backup.env"
    backup_env.write_text(
        f"BACKUP_DIR={tmp_path / 'nightly'}\nBACKUP_PASSPHRASE_FILE={source}\n"
        f"BACKUP_KEEP_DAYS=7\nBACKUP_COPY_COMMAND='ls -l'\n"
    )
    result = subprocess.run(  # noqa: S603 - our own script
        [str(root / "deploy" / "backup.sh")],
        env={
            **os.environ,
            "APP_DIR": str(root),
            "ANTOAN_ENV_FILE": str(env_file),
            "BACKUP_ENV_FILE": str(backup_env),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (archive,) = (tmp_path / "nightly").glob("antoan-*.tar.gpg")
    assert archive.stat().st_mode & 0o077 == 0
    assert archive.name in result.stdout  # the copy command was given the new file
    call_command(
        "restore_backup",
        str(archive),
        "--database-url",
        _url(empty_database),
        "--media-root",
        str(tmp_path / "m"),
        "--passphrase-file",
        str(source),
    )
