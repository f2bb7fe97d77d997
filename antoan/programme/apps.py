from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "antoan.programme"
    label = "programme"
    verbose_name = _("Theo dõi chương trình")

    def ready(self) -> None:
        from antoan.programme import drafts

        drafts.register()
