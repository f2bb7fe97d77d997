from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "antoan.reports"
    label = "reports"
    verbose_name = _("Báo cáo định kỳ")
    default_auto_field = "django.db.models.BigAutoField"
