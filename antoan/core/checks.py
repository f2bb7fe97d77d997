"""A production process that lacks its secrets or its database must not serve.

Settings only record what is missing (``ANTOAN_MISSING_SETTINGS``), so that commands which read
nothing but the code, such as ``makemigrations --check``, run on a bare checkout. Serving is
refused here: by the WSGI entry point before it hands out an application, and by
``check --deploy``, which a deployment runs before it starts the servers.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def missing_settings_message(missing: list[str]) -> str:
    return (
        f"Environment variable(s) {', '.join(missing)} required (production profile). For "
        "development use ANTOAN_ENV=local, or run `make run` once in this checkout."
    )


def refuse_to_serve_without_settings() -> None:
    """Stop a server process that lacks what production needs."""
    missing = getattr(settings, "ANTOAN_MISSING_SETTINGS", [])
    if missing:
        raise ImproperlyConfigured(missing_settings_message(missing))


@checks.register(checks.Tags.security, deploy=True)
def production_settings_present(app_configs, **kwargs) -> list[checks.CheckMessage]:
    missing = getattr(settings, "ANTOAN_MISSING_SETTINGS", [])
    if not missing:
        return []
    return [checks.Error(missing_settings_message(missing), id="antoan.E001")]
