from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "antoan.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from antoan.core import checks  # noqa: F401 - registers the production settings check


class AntoanAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with An Toàn's site: Perm.ADMIN_MANAGE, our login, audited changes."""

    default = False  # named explicitly in INSTALLED_APPS; CoreConfig stays this module's default
    default_site = "antoan.core.admin.AntoanAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscovery: every installed app's admin module registers here
        from antoan.core.admin import drop_foreign_admins

        drop_foreign_admins()
