"""Production settings are secure by default; the local profile makes its own secret."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(argv: list[str], *, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run our own code in a process that sees only ``env`` of An Toàn's variables."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("ANTOAN_", "DATABASE_", "DJANGO_"))
    }
    return subprocess.run(  # noqa: S603 - our own interpreter with fixed arguments
        [sys.executable, *argv],
        cwd=ROOT,
        env={**clean, "ANTOAN_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    return _run(["manage.py", *args], env=env, tmp_path=tmp_path)


def _python(code: str, *, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    return _run(["-c", code], env=env, tmp_path=tmp_path)


PRODUCTION = {
    "ANTOAN_ENV": "production",
    "ANTOAN_FIELD_KEYS": "p1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "ANTOAN_INDEX_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "ANTOAN_ALLOWED_HOSTS": "antoan.hungyen.gov.vn",
    "DATABASE_URL": "postgres://antoan@127.0.0.1:5432/antoan",
}


def test_deploy_check_is_clean_in_production(tmp_path):
    env = {**PRODUCTION, "ANTOAN_SECRET_KEY": secrets.token_urlsafe(64)}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_serve_without_a_secret(tmp_path):
    # The server's entry point stops before it hands out an application.
    result = _python("import antoan.wsgi", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ANTOAN_SECRET_KEY required (production profile)" in result.stderr
    # So does the deployment check.
    result = _manage("check", "--deploy", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "antoan.E001" in result.stderr and "ANTOAN_SECRET_KEY" in result.stderr
    # And nothing can sign a session or a token with an empty key.
    code = "import django; django.setup(); from django.conf import settings; settings.SECRET_KEY"
    result = _python(
        code, env={**PRODUCTION, "DJANGO_SETTINGS_MODULE": "antoan.settings"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "SECRET_KEY setting must not be empty" in result.stderr


def test_a_bare_checkout_checks_its_migrations_without_any_settings(tmp_path):
    """No profile, no secrets, no database: reading the code is enough for this."""
    result = _manage("makemigrations", "--check", "--dry-run", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    result = _python("import antoan.wsgi", env={}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ANTOAN_SECRET_KEY, ANTOAN_FIELD_KEYS, ANTOAN_INDEX_KEY, DATABASE_URL" in result.stderr


def test_a_misspelt_boolean_stops_the_process(tmp_path):
    env = {**PRODUCTION, "ANTOAN_SECRET_KEY": "x" * 60, "ANTOAN_REQUIRE_2FA": "yes please"}
    result = _manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ANTOAN_REQUIRE_2FA" in result.stderr


def test_a_day_off_that_is_not_an_iso_date_stops_the_process(tmp_path):
    env = {**PRODUCTION, "ANTOAN_SECRET_KEY": "x" * 60, "ANTOAN_EXTRA_DAYS_OFF": "03/02/2027"}
    result = _manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ANTOAN_EXTRA_DAYS_OFF" in result.stderr


def test_local_profile_generates_and_keeps_its_secret(tmp_path):
    env = {"ANTOAN_ENV": "local", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    assert _manage("check", env=env, tmp_path=tmp_path).returncode == 0
    secret = (tmp_path / "secret_key").read_text()
    assert len(secret) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert _manage("check", env=env, tmp_path=tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == secret


def test_production_defaults(tmp_path):
    """The values a production process gets when nothing overrides them."""
    env = {**PRODUCTION, "ANTOAN_SECRET_KEY": secrets.token_urlsafe(64)}
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.ANTOAN_REQUIRE_2FA, s.ANTOAN_SESSION_IDLE_MINUTES, s.ANTOAN_SESSION_MAX_HOURS,"
        " s.AUDIT_SEALING)"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        *("False", "True", "True", "31536000", "True", "30", "12"),
        "auto",  # left to the sealer service while it runs (docs/audit.md)
    ]


def test_a_checkout_marked_by_make_run_uses_the_local_profile(tmp_path):
    (tmp_path / "profile").write_text("local\n")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    code = "from django.conf import settings as s; print(s.ANTOAN_ENV, s.DEBUG)"
    result = _manage("shell", "--no-imports", "-c", code, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["local", "True"]


def test_the_test_profile_makes_fresh_keys_unless_given_some(tmp_path):
    """The load test's server and the bench that filled its database must share keys."""
    show = "import antoan.settings as s; print(s.ANTOAN_FIELD_KEYS[0], s.ANTOAN_INDEX_KEY)"
    given = {k: PRODUCTION[k] for k in ("ANTOAN_FIELD_KEYS", "ANTOAN_INDEX_KEY")}
    first = _python(show, env={"ANTOAN_ENV": "test", **given}, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == [given["ANTOAN_FIELD_KEYS"], given["ANTOAN_INDEX_KEY"]]
    fresh = [_python(show, env={"ANTOAN_ENV": "test"}, tmp_path=tmp_path) for _ in range(2)]
    assert fresh[0].returncode == 0, fresh[0].stderr
    assert fresh[0].stdout != fresh[1].stdout
    assert given["ANTOAN_INDEX_KEY"] not in fresh[0].stdout


def test_malformed_values_stop_the_process_naming_the_variable_and_hiding_the_value(tmp_path):
    secret = {"ANTOAN_SECRET_KEY": "x" * 60}
    cases = {
        "DATABASE_URL": "postgres://antoan:s3cret-pw@db:notaport/antoan",
        "ANTOAN_FIELD_KEYS": "p1:not-a-key",
        "ANTOAN_INDEX_KEY": "c2hvcnQ=",
        "REDIS_URL": "db.example:6379",
        "ANTOAN_SESSION_IDLE_MINUTES": "thirty",
    }
    for name, value in cases.items():
        result = _python(
            "import antoan.wsgi", env={**PRODUCTION, **secret, name: value}, tmp_path=tmp_path
        )
        assert result.returncode != 0, name
        assert "ImproperlyConfigured" in result.stderr, name
        assert name in result.stderr.splitlines()[-1], (name, result.stderr[-300:])
    database = _python(
        "import antoan.wsgi",
        env={**PRODUCTION, **secret, "DATABASE_URL": cases["DATABASE_URL"]},
        tmp_path=tmp_path,
    )
    assert "s3cret-pw" not in database.stderr


def test_sessions_are_read_from_the_shared_cache_only_when_there_is_one(tmp_path):
    show = (
        "from django.conf import settings as s; import django; django.setup(); "
        "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])"
    )
    env = {**PRODUCTION, "ANTOAN_SECRET_KEY": "x" * 60}
    env["DJANGO_SETTINGS_MODULE"] = "antoan.settings"
    shared = _python(show, env={**env, "REDIS_URL": "redis://127.0.0.1:6379/0"}, tmp_path=tmp_path)
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.split() == [
        "django.contrib.sessions.backends.cached_db",
        "django.core.cache.backends.redis.RedisCache",
    ]
    # Each process's own memory cannot hold sessions that any worker may be asked for.
    alone = _python(show, env=env, tmp_path=tmp_path)
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout.split()[0] == "django.contrib.sessions.backends.db"
