"""Writes of places: one unit or link at a time, and the idempotent bulk load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.text import nfc, search_key
from antoan.places.models import Place, PlaceSuccession, overlapping_pairs
from antoan.places.sources import COMMUNE, DISTRICT, PROVINCE, Key, SourceError, Sources

# Parents before children, so a child can point at a row that already has a primary key.
_LEVELS = (PROVINCE, DISTRICT, COMMUNE)
_PLACE_FIELDS = ("name", "search_name", "division_type", "parent", "valid_to")
_BATCH = 500


@dataclass(frozen=True)
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def __str__(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


@dataclass(frozen=True)
class LoadResult:
    places: Tally
    successions: Tally


@transaction.atomic
def place_create(
    *,
    code: str,
    name: str,
    level: str,
    division_type: str = "",
    parent: Place | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Place:
    """Create one place; refuses a period that overlaps another place with the same code."""
    place = Place(
        code=code,
        name=nfc(name),
        level=level,
        division_type=division_type,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    place.full_clean()
    place.save()
    audit_record(
        action=AuditAction.CREATE,
        object_type="places.place",
        object_id=place.pk,
        place_code=place.code,
    )
    return place


@transaction.atomic
def place_succession_create(
    *, predecessor: Place, successor: Place, effective_on: dt.date
) -> PlaceSuccession:
    """Record that ``predecessor`` merged into ``successor`` on ``effective_on``."""
    link = PlaceSuccession(predecessor=predecessor, successor=successor, effective_on=effective_on)
    link.full_clean()
    link.save()
    audit_record(
        action=AuditAction.CREATE,
        object_type="places.placesuccession",
        object_id=link.pk,
        place_code=predecessor.code,
    )
    return link


@transaction.atomic
def places_load(*, sources: Sources) -> LoadResult:
    """Upsert places and successions keyed by level+code+valid_from; a second run is a no-op."""
    places = {place_key(p): p for p in Place.objects.all()}
    place_tally = _upsert_places(sources, places)
    link_tally = _upsert_successions(sources, places)
    result = LoadResult(place_tally, link_tally)
    if place_tally.changed or link_tally.changed:
        # One event for the whole load (thousands of rows of public reference data).
        audit_record(
            action=AuditAction.UPDATE,
            object_type="places.place",
            extra={
                "via": "load_places",
                "places": str(place_tally),
                "successions": str(link_tally),
            },
        )
    return result


def place_key(place: Place) -> Key:
    return (place.level, place.code, place.valid_from)


def _upsert_places(sources: Sources, places: dict[Key, Place]) -> Tally:
    rows: dict[Key, Any] = {}
    for row in sources.places:
        if rows.setdefault(row.key, row) != row:
            raise SourceError(f"{row.level} {row.code} from {row.valid_from} is given twice")
    created, updated, unchanged = 0, 0, 0
    for level in _LEVELS:
        new: list[Place] = []
        changed: list[Place] = []
        for row in (r for r in rows.values() if r.level == level):
            parent = None
            if row.parent is not None:
                parent = places.get(row.parent)
                if parent is None:
                    raise SourceError(f"{row.level} {row.code}: parent {row.parent} is missing")
            values = {
                "name": nfc(row.name),
                "search_name": search_key(row.name),
                "division_type": row.division_type,
                "parent_id": parent.pk if parent else None,
                "valid_to": row.valid_to,
            }
            place = places.get(row.key)
            if place is None:
                place = Place(level=row.level, code=row.code, valid_from=row.valid_from, **values)
                new.append(place)
            elif any(getattr(place, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(place, field, value)
                changed.append(place)
            else:
                unchanged += 1
                continue
            # The object, not just the id: the parent-level check reads it.
            place.parent = parent
        _validate([*new, *changed], exclude=["parent"])
        Place.objects.bulk_create(new, batch_size=_BATCH)
        Place.objects.bulk_update(changed, _PLACE_FIELDS, batch_size=_BATCH)
        places.update((place_key(p), p) for p in new)
        created, updated = created + len(new), updated + len(changed)
    # Place.clean would also ask the database about overlaps, once per row (seconds for the
    # country); the same rule checked once over the whole table as it will be committed is
    # equivalent and catches overlaps among new rows too. An error rolls everything back.
    overlaps = overlapping_pairs(places.values())
    if overlaps:
        raise ValidationError(
            [
                f"{_describe(later)} / {_describe(earlier)}: {message}"
                for earlier, later in overlaps
                for message in later.overlap_error().messages
            ]
        )
    return Tally(created, updated, unchanged)


def _upsert_successions(sources: Sources, places: dict[Key, Place]) -> Tally:
    links = {link.predecessor_id: link for link in PlaceSuccession.objects.all()}
    new: list[PlaceSuccession] = []
    changed: list[PlaceSuccession] = []
    unchanged = 0
    if len({row.predecessor for row in sources.successions}) != len(sources.successions):
        raise SourceError("a place is given more than one successor")
    for row in sources.successions:
        predecessor, successor = places.get(row.predecessor), places.get(row.successor)
        if predecessor is None or successor is None:
            raise SourceError(f"succession {row.predecessor} → {row.successor}: place missing")
        link = links.get(predecessor.pk)
        if link is None:
            link = PlaceSuccession(
                predecessor=predecessor, successor=successor, effective_on=row.effective_on
            )
            links[predecessor.pk] = link
            new.append(link)
        elif (link.successor_id, link.effective_on) != (successor.pk, row.effective_on):
            link.successor, link.effective_on = successor, row.effective_on
            link.predecessor = predecessor
            changed.append(link)
        else:
            unchanged += 1
    _validate([*new, *changed], exclude=["predecessor", "successor"])
    PlaceSuccession.objects.bulk_create(new, batch_size=_BATCH)
    PlaceSuccession.objects.bulk_update(changed, ["successor", "effective_on"], batch_size=_BATCH)
    return Tally(len(new), len(changed), unchanged)


def _validate(objects: list[Place] | list[PlaceSuccession], *, exclude: list[str]) -> None:
    """Each object's own rules, reporting every failure at once with the row it belongs to."""
    problems: list[str] = []
    for obj in objects:
        try:
            # Relations are attached objects already; checking that they exist would cost a
            # query per row, and uniqueness is the database's job (its constraints stand).
            obj.clean_fields(exclude=exclude)
            if isinstance(obj, Place):
                obj.clean_without_others()
            else:
                obj.clean()
        except ValidationError as exc:
            problems += [f"{_describe(obj)}: {message}" for message in exc.messages]
    if problems:
        raise ValidationError(problems)


def _describe(obj: Place | PlaceSuccession) -> str:
    if isinstance(obj, Place):
        return f"{obj.level} {obj.code} {obj.name} ({obj.valid_from} – {obj.valid_to})"
    return f"succession {obj}"
