from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "antoan.jobs"
    label = "jobs"
    verbose_name = _("Công việc chạy nền")

    def ready(self) -> None:
        # Each app's ``jobs`` module registers its kinds of job.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
