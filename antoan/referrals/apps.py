from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "antoan.referrals"
    label = "referrals"
    verbose_name = _("Chuyển gửi và dịch vụ")
