from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "antoan.health"
    label = "health"
    verbose_name = _("Cơ sở y tế")
    default_auto_field = "django.db.models.BigAutoField"
