"""A bench-only Django admin for cases: what a naive admin changelist would do for the case
search, to time against ``case_search`` (bench/run.py, docs/performance.md).

The real admin (antoan/core/admin.py) never registers cases: administrators must not read case
data. This site exists only in the bench's URLconf (``ROOT_URLCONF = "admin_bench"`` while it
is timed) and is never mounted by An Toàn. Its changelist:

- filters ``status`` and the survivor's commune through the admin's own ``list_filter``
  (``?status__exact=open&survivor__commune__id__exact=<id>``);
- searches names the only way they can be searched, by their words' blind-index digests: the
  query is split into words the same way as ``case_search`` and each word becomes one join to
  ``cases_searchtoken`` (``survivor__tokens__digest = <digest>``), as Django's search does with
  one filter per word (not ``iexact``, so the unique index still serves);
- orders newest first, 25 a page, and counts as the admin does: the filtered count for the
  paginator and the full count for "N of M" (``show_full_result_count``);
- applies no scope (a superuser) and writes no audit event.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from antoan.cases.models import Case
from antoan.core.crypto import blind_index
from antoan.core.text import search_key

site = admin.AdminSite(name="benchadmin")


class NaiveCaseAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "stage", "opened_at")
    list_filter = ("status", "survivor__commune")
    search_fields = ("number",)
    ordering = ("-opened_at", "-pk")
    list_per_page = 25

    def get_search_results(self, request, queryset, search_term):
        words = sorted(set(search_key(search_term).split()))
        for word in words:
            queryset = queryset.filter(
                survivor__tokens__digest=blind_index(word, purpose="name-token")
            )
        return queryset, False  # (digest, survivor) is unique: one row per case and word


site.register(Case, NaiveCaseAdmin)

urlpatterns = [path("bench-admin/", site.urls)]
