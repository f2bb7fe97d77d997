"""Reads of places. Places are public reference data, so these take no acting user.

A code names different places in different periods (province 33, commune 11953; old 12478 Xã An
Đồng went to Xã A Sào while new 12478 is Xã Tân Tiến), so every lookup by code takes a date,
today by default. Successors are always the places valid today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db.models import Q, QuerySet
from django.utils import timezone

from antoan.core.text import search_key
from antoan.places.exceptions import AmbiguousPlaceCode, NoSuccessor, PlaceNotFound
from antoan.places.models import Place, PlaceSuccession

# Successions chain (a commune merged twice); this bounds the walk should data ever loop.
_MAX_HOPS = 10


def place_get(*, code: str, level: str | None = None, on: dt.date | None = None) -> Place:
    """The place with ``code`` (and ``level``) valid on ``on``, today by default."""
    day = on or timezone.localdate()
    qs = Place.objects.valid_on(day).filter(code=code).select_related("parent")
    if level is not None:
        qs = qs.filter(level=level)
    found = list(qs[:2])
    if not found:
        raise PlaceNotFound(code=code, on=day)
    if len(found) > 1:
        raise AmbiguousPlaceCode(code=code, on=day)
    return found[0]


def places_valid_on(
    *, on: dt.date, level: str | None = None, parent: Place | None = None
) -> QuerySet[Place]:
    """Places valid on ``on``, optionally of one level and directly under ``parent``."""
    qs = Place.objects.valid_on(on)
    if level is not None:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs


def place_list(
    *, on: dt.date, level: str | None = None, within: Place | None = None, q: str = ""
) -> QuerySet[Place]:
    """Places valid on ``on`` under ``within`` (at any depth), matching ``q`` without accents."""
    qs = places_valid_on(on=on, level=level).select_related("parent", "succession__successor")
    if within is not None:
        # Before 2025 a commune sat under a district under the province; asking for a
        # province's communes must not come back empty just because districts existed then.
        qs = qs.filter(Q(parent=within) | Q(parent__parent=within))
    key = search_key(q)
    if key:
        match = Q(search_name__contains=key)
        if key.isdigit():
            match |= Q(code__startswith=key)
        qs = qs.filter(match)
    return qs


def current_successor(place_or_code: Place | str, *, on: dt.date | None = None) -> Place:
    """The place valid today that this one (or this code on ``on``) became; if current, itself."""
    place = place_or_code
    if isinstance(place, str):
        place = place_get(code=place, on=on)
    today = timezone.localdate()
    target = _follow([place], day=today).get(place.pk)
    if target is None:
        raise NoSuccessor(code=place.code, on=today)
    return target


def roll_up(counts: Mapping[str, int], *, on: dt.date | None = None) -> dict[str, int]:
    """Counts keyed by commune codes as of ``on`` (today), summed into today's communes."""
    day = on or timezone.localdate()
    # Resolve every code before summing anything: one bad code fails the whole roll-up.
    communes = {
        place.code: place
        for place in places_valid_on(on=day, level=Place.Level.COMMUNE).filter(code__in=counts)
    }
    for code in sorted(counts):
        if code not in communes:
            raise PlaceNotFound(code=code, on=day)
    today = timezone.localdate()
    reached = _follow(communes.values(), day=today)
    totals: dict[str, int] = {}
    for code, count in counts.items():
        target = reached.get(communes[code].pk)
        if target is None:
            raise NoSuccessor(code=code, on=today)
        totals[target.code] = totals.get(target.code, 0) + count
    return dict(sorted(totals.items()))


def _follow(starts: Iterable[Place], *, day: dt.date) -> dict[int, Place]:
    """Start place id → the place valid on ``day`` reached through successions (or itself)."""
    reached: dict[int, Place] = {}
    # Place id still to follow → ids of the start places that led there.
    frontier: dict[int, list[int]] = {}
    for place in starts:
        if place.is_valid_on(day):
            reached[place.pk] = place
        elif place.valid_to is not None and place.valid_to < day:
            frontier.setdefault(place.pk, []).append(place.pk)
    for _hop in range(_MAX_HOPS):
        if not frontier:
            break
        links = PlaceSuccession.objects.filter(predecessor_id__in=frontier).select_related(
            "successor"
        )
        following: dict[int, list[int]] = {}
        for link in links:
            successor, origins = link.successor, frontier[link.predecessor_id]
            if successor.is_valid_on(day):
                reached.update(dict.fromkeys(origins, successor))
            elif successor.valid_to is not None and successor.valid_to < day:
                following.setdefault(successor.pk, []).extend(origins)
        frontier = following
    return reached
