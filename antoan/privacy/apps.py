from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "antoan.privacy"
    label = "privacy"
    verbose_name = _("Bảo vệ dữ liệu cá nhân")

    def ready(self) -> None:
        # The data subjects' requests join the case workers' and supervisors' task list.
        from antoan.cases import selectors
        from antoan.privacy.selectors import request_tasks

        selectors.register_task_source(request_tasks)
