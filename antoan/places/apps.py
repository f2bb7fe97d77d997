from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "antoan.places"
    label = "places"
    verbose_name = _("Đơn vị hành chính")
    default_auto_field = "django.db.models.BigAutoField"
