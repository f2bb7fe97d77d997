"""The place search behind the place boxes (``static/js/places.js``): names for a date."""

from __future__ import annotations

import datetime as dt

from django.http import JsonResponse
from django.utils import timezone
from django.views import View

from antoan.accounts.roles import Perm
from antoan.core.permissions import PermissionRequiredMixin
from antoan.places.models import Place
from antoan.places.selectors import place_label, place_search


class PlaceSearchView(PermissionRequiredMixin, View):
    """GET ?q=pho hien&on=2025-07-01&level=commune → the places valid that day, as JSON.

    Places are public reference data, but the endpoint is for signed-in users' forms only."""

    permission = Perm.PLACES_VIEW

    def get(self, request, *args, **kwargs):
        level = request.GET.get("level") or None
        if level not in (None, *Place.Level.values):
            level = None
        try:
            on = dt.date.fromisoformat(request.GET.get("on", ""))
        except ValueError:
            on = None
        day = on or timezone.localdate()
        places = place_search(request.GET.get("q", "")[:100], on=day, level=level)
        results = [{"code": p.code, "name": p.name, "label": place_label(p)} for p in places]
        # Like every answer of the application, it is not cached (Cache-Control: no-store).
        return JsonResponse({"on": day.isoformat(), "results": results})
