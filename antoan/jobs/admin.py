import django_tasks_db.admin  # noqa: F401  (registers DBTaskResult first, so it can be undone)
from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from antoan.core.admin import AntoanModelAdmin
from antoan.jobs.models import Job

# django-tasks-db registers its task rows (arguments, return values, tracebacks) in the admin;
# the job admin below shows what an administrator needs, through the role matrix.
admin.site.unregister(DBTaskResult)


@admin.register(Job)
class JobAdmin(AntoanModelAdmin):
    """Metadata only: what ran, for whom, when and how; not the results (owner's page)."""

    list_display = (
        "pk",
        "kind",
        "owner",
        "status",
        "progress_done",
        "progress_total",
        "attempts",
        "created_at",
        "finished_at",
    )
    list_filter = ("kind", "status")
    fields = (
        "kind",
        "owner",
        "status",
        "progress_done",
        "progress_total",
        "error_count",
        "attempts",
        "task_id",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
