"""Where a record counts: every place, old or new, rolled up to today's map.

A 2024 incident recorded against an old commune counts in the 2025 commune that commune became
part of (``PlaceSuccession``), so 2021 → today is one comparable line. A record made against an
old district or a province counts in today's province only (a district's communes went to
different new communes: it cannot be split). This map is checked once per request (two
aggregate queries tell whether the places changed) and kept for the day: places change only
when ``load_places`` runs or an administrator corrects one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from asgiref.local import Local
from django.core.signals import request_finished, request_started
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.places.models import Place, PlaceSuccession

UNKNOWN = "?"  # the row of records whose commune is not known (or was a district)

_MAX_HOPS = 10


@dataclass(frozen=True)
class Rollup:
    """place id → (today's commune code or UNKNOWN, today's province code or None)."""

    commune_of: dict[int, str]
    province_of: dict[int, str | None]
    # Today's places by code.
    communes: dict[str, Place]
    provinces: dict[str, Place]
    # Place ids (any era) whose records count in a province, and in a commune.
    ids_by_province: dict[str, list[int]]
    ids_by_commune: dict[str, list[int]]
    # Today's communes of each province, by name.
    communes_by_province: dict[str, list[Place]]

    def communes_of(self, province_code: str) -> list[Place]:
        """Today's communes of a province, by name."""
        return self.communes_by_province.get(province_code, [])


_cache: dict[tuple, Rollup] = {}
# The map checked during the current request: a page that asks several times (a dashboard
# asks four) checks the places once, not with two aggregate queries each time.
_request = Local()


def rollup() -> Rollup:
    """The map for today, rebuilt when the places or successions change."""
    checked = getattr(_request, "rollup", None)
    if checked is not None:
        return checked
    today = timezone.localdate()
    stamp = (
        today,
        *Place.objects.aggregate(n=Count("pk"), last=Max("pk")).values(),
        *PlaceSuccession.objects.aggregate(n=Count("pk"), last=Max("pk")).values(),
    )
    found = _cache.get(stamp)
    if found is None:
        _cache.clear()
        found = _cache[stamp] = _build(today)
    if getattr(_request, "active", False):
        _request.rollup = found
    return found


def forget() -> None:
    """Drop the kept map (after a test corrects a place in place), and stop keeping it for the
    rest of the current request: a streaming response a test never read to its end leaves its
    request unfinished, and every read after ``forget`` must check the places again."""
    _cache.clear()
    _request.active, _request.rollup = False, None


def _request_started(**kwargs: Any) -> None:
    _request.active, _request.rollup = True, None


def _request_finished(**kwargs: Any) -> None:
    _request.active, _request.rollup = False, None


request_started.connect(_request_started, dispatch_uid="antoan.indicators.rollup.started")
request_finished.connect(_request_finished, dispatch_uid="antoan.indicators.rollup.finished")


def _build(today: dt.date) -> Rollup:
    places = {p.pk: p for p in Place.objects.all()}
    successor = dict(PlaceSuccession.objects.values_list("predecessor_id", "successor_id"))

    def current(place: Place) -> Place | None:
        """The place valid today this one is, or became; None if it ended without heir."""
        node: Place | None = place
        for _hop in range(_MAX_HOPS):
            if node is None:
                return None
            if node.is_valid_on(today):
                return node
            next_id = successor.get(node.pk)
            node = places.get(next_id) if next_id else None
        return None

    def province(place: Place | None) -> Place | None:
        hops = 0
        while place is not None and place.level != Place.Level.PROVINCE and hops < 5:
            place = places.get(place.parent_id) if place.parent_id else None
            hops += 1
        return current(place) if place is not None else None

    commune_of: dict[int, str] = {}
    province_of: dict[int, str | None] = {}
    ids_by_province: dict[str, list[int]] = {}
    ids_by_commune: dict[str, list[int]] = {}
    for pk, place in places.items():
        now = current(place)
        if place.level == Place.Level.COMMUNE and now is not None:
            commune_of[pk] = now.code
            prov = province(now)
        else:
            commune_of[pk] = UNKNOWN
            prov = province(now) if now is not None else province(place)
        province_of[pk] = prov.code if prov is not None else None
        if prov is not None:
            ids_by_province.setdefault(prov.code, []).append(pk)
        if commune_of[pk] != UNKNOWN:
            ids_by_commune.setdefault(commune_of[pk], []).append(pk)
    communes = {
        p.code: p
        for p in places.values()
        if p.level == Place.Level.COMMUNE and p.is_valid_on(today)
    }
    provinces = {
        p.code: p
        for p in places.values()
        if p.level == Place.Level.PROVINCE and p.is_valid_on(today)
    }
    by_province: dict[str, list[Place]] = {}
    for place in sorted(communes.values(), key=lambda p: (p.search_name, p.code)):
        code = province_of.get(place.pk)
        if code is not None:
            by_province.setdefault(code, []).append(place)
    return Rollup(
        commune_of, province_of, communes, provinces, ids_by_province, ids_by_commune, by_province
    )


def unknown_label() -> str:
    return _("Chưa xác định xã, phường")
