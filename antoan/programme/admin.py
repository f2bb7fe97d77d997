"""Programme data in the admin, read-only.

Plans come from their data files (``manage.py load_plan``); activities, models, influencers,
budget lines and yearly reports are written through the programme pages, whose services check
who may write and keep the sums and the yearly lock. The admin lets an administrator look,
not change: a change here would bypass those rules.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from antoan.core.admin import AntoanModelAdmin
from antoan.programme.models import (
    Activity,
    Assignment,
    BudgetLine,
    CommunityModel,
    DutyTransfer,
    Influencer,
    Plan,
    Task,
    YearReport,
)


class ReadOnlyAdmin(AntoanModelAdmin):
    """Viewing for Perm.ADMIN_MANAGE (AntoanModelAdmin); no adding, changing or deleting."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "period_start", "period_end", "source_file")
    search_fields = ("number", "title")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("code", "label", "plan", "status", "status_at")
    list_filter = ("plan", "status")
    search_fields = ("code", "title", "text")
    list_select_related = ("plan",)
    exclude = ("status_by",)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("task", "agency", "group", "role", "basis")
    list_filter = ("role", "task__plan")
    search_fields = ("task__code", "agency__name", "label")
    list_select_related = ("task", "agency")


@admin.register(DutyTransfer)
class DutyTransferAdmin(ReadOnlyAdmin):
    list_display = ("from_agency", "to_agency", "since", "duties")
    list_select_related = ("from_agency", "to_agency")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "agency", "start_date", "participants_total", "flags")
    list_filter = ("kind", "plan")
    search_fields = ("title",)
    date_hierarchy = "start_date"
    list_select_related = ("agency",)
    exclude = ("created_by", "updated_by")
    raw_id_fields = ("tasks", "partners", "place", "community_model")


@admin.register(CommunityModel)
class CommunityModelAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "place", "agency", "status", "members_total")
    list_filter = ("kind", "status")
    search_fields = ("name",)
    list_select_related = ("place", "agency")


@admin.register(Influencer)
class InfluencerAdmin(ReadOnlyAdmin):
    list_display = ("name", "group", "place", "agency", "active")
    list_filter = ("group", "active")
    search_fields = ("name",)
    list_select_related = ("place", "agency")


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ("plan", "agency", "year", "source", "planned", "allocated")
    list_filter = ("year", "source")
    list_select_related = ("plan", "agency")


@admin.register(YearReport)
class YearReportAdmin(ReadOnlyAdmin):
    list_display = ("plan", "agency", "year", "status", "submitted_at", "returned_at")
    list_filter = ("year", "status")
    list_select_related = ("plan", "agency")
    exclude = ("submitted_by", "returned_by")
