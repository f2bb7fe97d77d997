from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "antoan.indicators"
    label = "indicators"
    verbose_name = _("Chỉ số và mục tiêu")
