"""The sample deployment in deploy/ runs what exists: a typo there is an outage later."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

from django.core.management import get_commands

from tests.ops.servers import (
    GUNICORN,
    GUNICORN_ARGS,
    ROOT,
    clean_env,
)

SYSTEMD = ROOT / "deploy" / "systemd"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_every_timer_runs_an_existing_management_command_through_the_template():
    commands = get_commands()
    timers = sorted(set(SYSTEMD.glob("antoan-*.timer")) - {SYSTEMD / "antoan-backup.timer"})
    assert len(timers) >= 8
    for timer in timers:
        unit = _unit(timer)["Timer"]["Unit"]
        assert unit.startswith("antoan-command@") and unit.endswith(".service"), timer.name
        command = unit.removeprefix("antoan-command@").removesuffix(".service")
        assert command in commands, f"{timer.name}: no manage.py {command}"
        assert timer.name == f"antoan-{command}.timer"
        assert _unit(timer)["Timer"]["Persistent"] == "true"


def test_the_long_running_services_run_existing_commands():
    commands = get_commands()
    for name in ("antoan-worker.service", "antoan-audit-sealer.service"):
        service = _unit(SYSTEMD / name)["Service"]
        for line in (service["ExecStart"], service.get("ExecStartPre", "")):
            if "manage.py" in line:
                assert line.split("manage.py")[1].split()[0] in commands, (name, line)
        assert service["Restart"] == "always"
        assert service["EnvironmentFile"] == "/etc/antoan/env"


def test_the_env_template_names_every_required_variable_and_holds_no_secret():
    lines = (ROOT / "deploy" / "env.example").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    for required in ("ANTOAN_SECRET_KEY", "DATABASE_URL", "ANTOAN_FIELD_KEYS", "ANTOAN_INDEX_KEY"):
        assert required in values
    assert values["ANTOAN_SECRET_KEY"] == values["ANTOAN_FIELD_KEYS"] == ""
    assert values["ANTOAN_INDEX_KEY"] == ""


def test_gunicorn_accepts_the_sample_configuration(tmp_path):
    env = clean_env(ANTOAN_ENV="test", ANTOAN_VAR_DIR=str(tmp_path), GUNICORN_BIND="127.0.0.1:0")
    result = subprocess.run(  # noqa: S603 - our own interpreter and config
        [GUNICORN, "--check-config", *GUNICORN_ARGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_compose_file_runs_every_service_from_the_one_image_with_the_shared_settings():
    import yaml

    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "chat", "worker", "sealer", "nginx"}
    commands = get_commands()
    assert "antoan.asgi:application" in services["chat"]["command"]
    for name in ("web", "chat", "worker", "sealer", "migrate"):
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile", name
        assert "REDIS_URL" in service["environment"] and "DATABASE_URL" in service["environment"]
        command = service["command"]
        text = command if isinstance(command, str) else " ".join(command)
        for used in text.split("manage.py")[1:]:
            assert used.split()[0].strip("\"'") in commands, (name, used)
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert set(services["nginx"]["ports"]) == {"443:443", "80:80"}
    assert not any("ports" in services[n] for n in services if n != "nginx")
