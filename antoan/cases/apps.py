from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "antoan.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from antoan.cases import drafts, facts

        drafts.register()
        facts.connect()
