"""The place search behind the place boxes (``static/js/places.js``): names for a date."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.utils import timezone
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin
from antoan.core.text import search_key
from antoan.places.models import Place
from antoan.places.selectors import bare_name, place_label, place_list

MAX_RESULTS = 20


class PlaceSearchView(PermissionRequiredMixin, View):
    """GET ?q=pho hien&on=2025-07-01&level=commune → the places valid that day, as JSON.

    Places are public reference data, but the endpoint is for signed-in users' forms only."""

    permission = Perm.PLACES_VIEW

    def get(self, request, *args, **kwargs):
        key = bare_name(search_key(request.GET.get("q", "")[:100]))
        level = request.GET.get("level") or None
        if level not in (None, *Place.Level.values):
            level = None
        try:
            on = dt.date.fromisoformat(request.GET.get("on", ""))
        except ValueError:
            on = None
        day = on or timezone.localdate()
        results = []
        if len(key) >= 2:
            places = place_list(on=day, level=level, q=key).select_related("parent__parent__parent")
            ranked = sorted(
                places[:200],
                key=lambda p: (bare_name(p.search_name) != key, p.search_name, p.code),
            )
            results = [
                {"code": p.code, "name": p.name, "label": place_label(p)}
                for p in ranked[:MAX_RESULTS]
            ]
        response = JsonResponse({"on": day.isoformat(), "results": results})
        response["Cache-Control"] = "private, max-age=300"
        return response
