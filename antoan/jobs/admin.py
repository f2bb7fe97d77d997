from django.contrib import admin

from antoan.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
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
