from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "antoan.public"
    label = "public"
    verbose_name = _("Tìm hỗ trợ")
    default_auto_field = "django.db.models.BigAutoField"
