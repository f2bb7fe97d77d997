"""Starting the sample deployment's processes in tests: gunicorn with deploy/gunicorn.conf.py,
in an environment that holds none of the test run's own An Toàn settings."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
GUNICORN_ARGS = ["-c", "deploy/gunicorn.conf.py", "antoan.wsgi"]


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without ANTOAN_*, DATABASE_* and DJANGO_*, plus ``overrides``."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ANTOAN_", "DATABASE_", "DJANGO_"))
    }
    env.update(overrides)
    return env


def start_gunicorn(env: dict[str, str], *, stderr) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own server and configuration
        [GUNICORN, *GUNICORN_ARGS], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Let a test see a redirect (as an HTTPError) instead of following it."""

    def redirect_request(self, *args, **kwargs):
        return None
