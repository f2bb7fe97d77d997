"""A production process that lacks its secrets or its database must not serve.

Settings only record what is missing (``ANTOAN_MISSING_SETTINGS``), so that commands which read
nothing but the code, such as ``makemigrations --check``, run on a bare checkout. Serving is
refused here: by the WSGI entry point before it hands out an application, and by
``check --deploy``, which a deployment runs before it starts the servers.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured


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


@checks.register(checks.Tags.models)
def encrypted_models_have_row_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """An encrypted value is bound to its row through ``row_key``: a model without one can't."""
    from django.apps import apps
    from django.db import models

    from antoan.core.crypto import EncryptedTextField

    errors = []
    for model in apps.get_models():
        if not any(isinstance(f, EncryptedTextField) for f in model._meta.fields):
            continue
        try:
            field = model._meta.get_field("row_key")
        except FieldDoesNotExist:
            field = None
        if not (isinstance(field, models.UUIDField) and field.unique and field.has_default()):
            errors.append(
                checks.Error(
                    f"{model._meta.label} has encrypted fields but no row key.",
                    hint="Declare `row_key = row_key_field()` (antoan.core.crypto).",
                    obj=model,
                    id="antoan.E002",
                )
            )
    return errors
