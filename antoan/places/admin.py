"""Places in the admin: reference data loaded by ``manage.py load_places``, so read-mostly."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from antoan.core.admin import AntoanModelAdmin
from antoan.places.models import Place, PlaceSuccession


@admin.register(Place)
class PlaceAdmin(AntoanModelAdmin):
    list_display = ("code", "name", "level", "division_type", "valid_from", "valid_to", "parent")
    list_filter = ("level", "division_type")
    search_fields = ("code", "name", "search_name")
    list_select_related = ("parent",)
    ordering = ("level", "code", "valid_from")
    raw_id_fields = ("parent",)
    # Codes and periods are the identity the loader and every lookup rely on; a typo here
    # would silently detach history, so they change only through the loader's source files.
    readonly_fields = ("code", "level", "valid_from", "search_key")
    exclude = ("search_name",)  # derived from the name; shown read-only as search_key
    show_full_result_count = False

    @admin.display(description=_("Tên không dấu (để tìm kiếm)"))
    def search_key(self, obj: Place) -> str:
        return obj.search_name

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlaceSuccession)
class PlaceSuccessionAdmin(AntoanModelAdmin):
    list_display = ("predecessor", "successor", "effective_on")
    list_select_related = ("predecessor", "successor")
    search_fields = ("predecessor__code", "predecessor__name", "successor__code", "successor__name")
    raw_id_fields = ("predecessor", "successor")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
