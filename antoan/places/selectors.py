"""Reads of places. Places are public reference data, so these take no acting user.

A code names different places in different periods (province 33, commune 11953; old 12478 Xã An
Đồng went to Xã A Sào while new 12478 is Xã Tân Tiến), so every lookup by code takes a date,
today by default. Successors are always the places valid today.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from django.db.models import Q, QuerySet
from django.utils import timezone

from antoan.core.text import nfc, search_key
from antoan.places.exceptions import (
    AmbiguousPlaceCode,
    AmbiguousPlaceName,
    NoSuccessor,
    PlaceNameNotFound,
    PlaceNotFound,
)
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


# --- Places typed by name ----------------------------------------------------------------------

# What people leave off when they type a place: "pho hien" is "Phường Phố Hiến". Longest first,
# so "thi xa" is stripped before "xa" could be.
_DIVISION_PREFIXES = (
    "thanh pho ",
    "thi tran ",
    "thi xa ",
    "dac khu ",
    "phuong ",
    "huyen ",
    "quan ",
    "tinh ",
    "xa ",
)
# "Phường Phố Hiến, Tỉnh Hưng Yên", "Phố Hiến (Hưng Yên)", "Phố Hiến - Hưng Yên": the name, then
# the units above it. A hyphen without spaces is part of a name ("Phan Rang-Tháp Chàm").
_QUALIFIERS = re.compile(r"[,()/;]|\s[-–—]\s")
# Excel drops leading zeros from codes typed as numbers.
_CODE_WIDTHS = (5, 3, 2)
_MAX_LISTED = 8


def bare_name(key: str) -> str:
    """A search key without its division type: "phuong pho hien" → "pho hien"."""
    for prefix in _DIVISION_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def _matches(place: Place, key: str) -> bool:
    return key in (place.search_name, bare_name(place.search_name))


def _ancestors(place: Place) -> list[Place]:
    found: list[Place] = []
    parent = place.parent
    while parent is not None and len(found) < 3:
        found.append(parent)
        parent = parent.parent
    return found


def place_label(place: Place) -> str:
    """The name with the units above it, to tell places apart: "Xã A, Huyện B, Tỉnh C"."""
    return ", ".join([place.name, *(p.name for p in _ancestors(place))])


def _scoped(on: dt.date, within: Place | None, level: str | None) -> QuerySet[Place]:
    qs = places_valid_on(on=on, level=level).select_related("parent__parent__parent")
    if within is not None:
        qs = qs.filter(Q(parent=within) | Q(parent__parent=within))
    return qs


def place_from_text(
    text: str, *, on: dt.date, within: Place | None = None, level: str | None = None
) -> Place:
    """The place valid on ``on`` that ``text`` names: a name typed with or without accents
    and division type, optionally followed by the units above it, or a statistics code.

    Raises :class:`PlaceNameNotFound` (with near names, if any) or :class:`AmbiguousPlaceName`
    (listing the candidates with their district and province), both ``PlaceNotFound``.
    """
    raw = " ".join(nfc(text or "").split())
    key = search_key(raw)
    if not key:
        raise PlaceNameNotFound(text=raw, on=on)
    qs = _scoped(on, within, level)
    if key.isdigit():
        codes = [key, *(key.zfill(width) for width in _CODE_WIDTHS if len(key) < width)]
        found = list(qs.filter(code__in=codes).order_by("level", "code")[:_MAX_LISTED])
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousPlaceName(
                text=raw, on=on, candidates=[f"{place_label(p)} ({p.code})" for p in found]
            )
        raise PlaceNameNotFound(text=raw, on=on)
    parts = [search_key(part) for part in _QUALIFIERS.split(raw)]
    parts = [part for part in parts if part]
    name, qualifiers = parts[0], parts[1:]
    wanted = {name, bare_name(name)}
    condition = Q()
    for variant in wanted:
        condition |= Q(search_name=variant) | Q(search_name__endswith=f" {variant}")
    matches = [p for p in qs.filter(condition) if any(_matches(p, v) for v in wanted)]
    # The full name typed ("Tỉnh Hưng Yên") beats the same name of another type.
    exact = [p for p in matches if p.search_name == name]
    matches = exact or matches
    if qualifiers:
        matches = [
            p
            for p in matches
            if all(any(_matches(a, q) for a in _ancestors(p)) for q in qualifiers)
        ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        labels = sorted(place_label(p) for p in matches)
        raise AmbiguousPlaceName(text=raw, on=on, candidates=labels[:_MAX_LISTED])
    # Near names: a word that starts as typed ("hien" finds "Phố Hiến", not "Chiềng").
    start = bare_name(name)
    near = qs.filter(
        Q(search_name__startswith=start) | Q(search_name__contains=f" {start}")
    ).order_by("search_name")
    raise PlaceNameNotFound(
        text=raw, on=on, suggestions=[place_label(p) for p in near[:_MAX_LISTED]]
    )


def place_choices(
    *, on: dt.date, within: Place | None = None, level: str | None = None
) -> list[tuple[str, str]]:
    """(code, label) of the places valid on ``on`` under ``within``, for a list to pick from."""
    qs = _scoped(on, within, level).order_by("search_name", "code")
    return [(p.code, place_label(p)) for p in qs]


def place_labels(
    choices: Iterable[tuple[str, str]], *, on: dt.date | None = None
) -> list[tuple[str, str]]:
    """(code, name) pairs relabelled with the units above each place ("Xã Tân Tiến, Tỉnh Hưng
    Yên"), so a label picked from a list names one place in the whole country; codes not
    valid on ``on`` (today) keep their label."""
    pairs = [(code, label) for code, label in choices if code]
    places = _scoped(on or timezone.localdate(), None, None).filter(
        code__in=[code for code, _label in pairs]
    )
    labels = {p.code: place_label(p) for p in places}
    return [(code, labels.get(code, label)) for code, label in pairs]


def place_search(q: str, *, on: dt.date, level: str | None = None, limit: int = 20) -> list[Place]:
    """Places valid on ``on`` with a word of their name starting as typed (accents and the
    division type ignored), or a code starting with the digits typed: the same name first."""
    key = bare_name(search_key(q))
    if len(key) < 2:
        return []
    match = Q(search_name__startswith=key) | Q(search_name__contains=f" {key}")
    if key.isdigit():
        match |= Q(code__startswith=key)
    found = list(_scoped(on, None, level).filter(match).order_by("search_name", "code")[:200])
    found.sort(key=lambda p: bare_name(p.search_name) != key)  # stable: by name otherwise
    return found[:limit]
