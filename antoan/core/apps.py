from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "antoan.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from antoan.core import checks  # noqa: F401 - registers the production settings check
        from antoan.core.logs import clear_context

        # No log line outside a request carries the last request's ids.
        request_started.connect(clear_context, dispatch_uid="antoan.logs.started")
        request_finished.connect(clear_context, dispatch_uid="antoan.logs.finished")


class AntoanAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with An Toàn's site: Perm.ADMIN_MANAGE, our login, audited changes."""

    default = False  # named explicitly in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "antoan.core.admin.AntoanAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscovery: every installed app's admin module registers here
        from antoan.core.admin import drop_foreign_admins

        drop_foreign_admins()
