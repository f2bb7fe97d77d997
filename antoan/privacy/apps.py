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

        # Retention blanks what a request and its access package say about the survivor.
        from antoan.cases.services.retention import register_case_text
        from antoan.privacy.models import AccessPackage, DataRequest

        register_case_text(
            DataRequest, "case", ("details", "extension_reason", "outcome", "refusal_reason")
        )
        register_case_text(AccessPackage, "request__case", ("content", "rejection_reason"))
