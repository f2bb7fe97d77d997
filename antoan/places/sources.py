"""Where places come from: today's units (``vietnam-provinces``) and the 2025 crosswalk CSV.

Both are read into plain rows keyed by ``(level, code, valid_from)``, the identity the loader
upserts on, and checked before anything touches the database: a bad file fails loudly.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import vietnam_provinces

from antoan.core.text import nfc

# The 2025 reorganisation: districts abolished, provinces and communes merged.
NEW_ERA = dt.date(2025, 7, 1)
OLD_ERA_END = NEW_ERA - dt.timedelta(days=1)

PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"
CODE_WIDTH = {PROVINCE: 2, DISTRICT: 3, COMMUNE: 5}

CROSSWALK_COLUMNS = [
    "new_ward_code",
    "new_ward_name",
    "old_ward_code",
    "old_ward_name",
    "old_district_code",
    "old_district_name",
    "old_province_code",
    "old_province_name",
]

# Name prefix → division type. Longest first, so "Thị xã" is not read as something shorter.
# Names capitalise only the proper name ("Thành phố Hưng Yên"), whatever the source wrote.
_PREFIXES = (
    "Thành phố",
    "Thị trấn",
    "Đặc khu",
    "Phường",
    "Thị xã",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
)
# A province-level "Thành phố" is a centrally governed city, as the package calls it.
_PROVINCE_CITY = "thành phố trung ương"

Key = tuple[str, str, dt.date | None]


class SourceError(Exception):
    """A source file or package does not hold what the loader expects."""


@dataclass(frozen=True)
class PlaceRow:
    level: str
    code: str
    name: str
    division_type: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    parent: Key | None = None

    @property
    def key(self) -> Key:
        return (self.level, self.code, self.valid_from)


@dataclass(frozen=True)
class SuccessionRow:
    predecessor: Key
    successor: Key
    effective_on: dt.date


@dataclass(frozen=True)
class Sources:
    places: list[PlaceRow]
    successions: list[SuccessionRow]


def split_name(name: str) -> tuple[str, str] | None:
    """("Thành Phố Hưng Yên") → ("Thành phố", "Hưng Yên"); None without a known prefix."""
    text = " ".join(nfc(name).split())
    for prefix in _PREFIXES:
        head, rest = text[: len(prefix)], text[len(prefix) :]
        if head.casefold() == prefix.casefold() and rest.startswith(" "):
            return prefix, rest.strip()
    return None


def code_of(value: str | int, level: str) -> str:
    """A statistics-office code as text, zero-padded to its level's width (1 → "01")."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > CODE_WIDTH[level]:
        raise SourceError(f"{text!r} is not a {level} code")
    return text.zfill(CODE_WIDTH[level])


def current_units() -> list[PlaceRow]:
    """Every province and commune of Vietnam valid since 1 July 2025, from the package."""
    rows: list[PlaceRow] = []
    for province in vietnam_provinces.Province.iter_all():
        kind = province.division_type.value
        name = nfc(province.name)
        if split_name(name) is None:
            # The package writes "Hưng Yên" for provinces but "Thành phố Hà Nội" for cities;
            # give provinces their prefix too, as old units and official documents have it.
            name = f"{'Thành phố' if kind == _PROVINCE_CITY else 'Tỉnh'} {name}"
        rows.append(
            PlaceRow(PROVINCE, code_of(int(province.code), PROVINCE), name, kind, NEW_ERA, None)
        )
    for ward in vietnam_provinces.Ward.iter_all():
        parent = (PROVINCE, code_of(int(ward.province_code), PROVINCE), NEW_ERA)
        rows.append(
            PlaceRow(
                COMMUNE,
                code_of(int(ward.code), COMMUNE),
                nfc(ward.name),
                ward.division_type.value,
                NEW_ERA,
                None,
                parent,
            )
        )
    return rows


def _old_unit(level: str, code: str, name: str, parent: Key | None, where: str) -> PlaceRow:
    parts = split_name(name)
    if parts is None:
        raise SourceError(f"{where}: cannot tell the division type of {name!r}")
    prefix, proper = parts
    kind = prefix.lower()
    if level == PROVINCE and kind == "thành phố":
        kind = _PROVINCE_CITY
    return PlaceRow(level, code, f"{prefix} {proper}", kind, None, OLD_ERA_END, parent)


def read_crosswalk(path: Path, *, current: Iterable[PlaceRow]) -> Sources:
    """The pre-2025 units in the crosswalk and their successors among ``current``."""
    current_by_key = {row.key: row for row in current}
    new_commune = {row.code: row for row in current_by_key.values() if row.level == COMMUNE}
    places: dict[Key, PlaceRow] = {}
    successions: dict[Key, SuccessionRow] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != CROSSWALK_COLUMNS:
            raise SourceError(f"{path}: columns {reader.fieldnames}, expected {CROSSWALK_COLUMNS}")
        for line, record in enumerate(reader, start=2):
            where = f"{path.name}:{line}"
            try:
                province_code = code_of(record["old_province_code"], PROVINCE)
                district_code = code_of(record["old_district_code"], DISTRICT)
                old_code = code_of(record["old_ward_code"], COMMUNE)
                new_code = code_of(record["new_ward_code"], COMMUNE)
            except SourceError as exc:
                raise SourceError(f"{where}: {exc}") from exc
            province = _old_unit(PROVINCE, province_code, record["old_province_name"], None, where)
            district = _old_unit(
                DISTRICT, district_code, record["old_district_name"], province.key, where
            )
            commune = _old_unit(COMMUNE, old_code, record["old_ward_name"], district.key, where)
            for row in (province, district, commune):
                if places.setdefault(row.key, row) != row:
                    raise SourceError(
                        f"{where}: {row.level} {row.code} differs from an earlier line"
                    )
            if commune.key in successions:
                raise SourceError(f"{where}: old commune {old_code} is listed twice")
            successor = new_commune.get(new_code)
            if successor is None:
                raise SourceError(
                    f"{where}: new commune {new_code} ({record['new_ward_name']}) is not in "
                    f"vietnam-provinces {_package_version()}"
                )
            successions[commune.key] = SuccessionRow(commune.key, successor.key, NEW_ERA)
    all_successions = list(successions.values())
    all_successions += _province_successions(all_successions, places, current_by_key)
    return Sources(list(places.values()), all_successions)


def _province_successions(
    communes: list[SuccessionRow],
    old: Mapping[Key, PlaceRow],
    new: Mapping[Key, PlaceRow],
) -> list[SuccessionRow]:
    """An old province succeeds to the one new province all its communes went to, if one."""
    targets: dict[Key, set[Key]] = {}
    for link in communes:
        district = old[link.predecessor].parent
        province = old[district].parent if district else None
        parent = new[link.successor].parent
        if province and parent:
            targets.setdefault(province, set()).add(parent)
    return [
        SuccessionRow(province, next(iter(found)), NEW_ERA)
        for province, found in targets.items()
        if len(found) == 1
    ]


def _package_version() -> str:
    from importlib.metadata import version

    return version("vietnam-provinces")


def default_crosswalk() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR) / "data" / "hung-yen-2025-commune-crosswalk.csv"


def read_all(crosswalk: Path | None = None) -> Sources:
    """Today's units of the whole country plus the pre-2025 units of the crosswalk."""
    current = current_units()
    old = read_crosswalk(crosswalk or default_crosswalk(), current=current)
    return Sources([*current, *old.places], old.successions)
