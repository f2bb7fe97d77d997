from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "antoan.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản và cơ quan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from antoan.accounts import signals

        user_logged_in.connect(
            signals.stamp_session_times, dispatch_uid="antoan.accounts.stamp_session_times"
        )
