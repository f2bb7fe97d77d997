from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "antoan.privacy"
    label = "privacy"
    verbose_name = "Bảo vệ dữ liệu cá nhân"

    def ready(self) -> None:
        # The data subjects' requests join the case workers' and supervisors' task list.
        from antoan.cases import selectors
        from antoan.privacy.selectors import request_tasks

        selectors.register_task_source(request_tasks)
