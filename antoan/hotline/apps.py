from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "antoan.hotline"
    label = "hotline"
    verbose_name = _("Đường dây nóng")
    default_auto_field = "django.db.models.BigAutoField"
