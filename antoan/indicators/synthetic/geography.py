"""The communes records are placed in: today's communes, and the old ones they replaced.

A record dated before 1 July 2025 is placed in an old commune valid on its date (a
predecessor of today's commune, through ``PlaceSuccession``); from that day in today's
commune. Old units exist only for old Hưng Yên and old Thái Bình: elsewhere an old-dated
record has no commune (the field is optional; the services store none when the unit is
unknown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from antoan.indicators.synthetic.common import NEW_ERA, Rng, Scale, Table
from antoan.places.models import Place, PlaceSuccession

HUNG_YEN = "33"
# The demo's two wards (antoan.accounts.demo): always among the busy communes of the demo.
DEMO_COMMUNES = ("11953", "12452")
BUSY_COMMUNES = 6
BUSY_SHARE = 0.75


class Unit(NamedTuple):
    id: int
    code: str
    name: str


@dataclass
class Commune:
    """One of today's communes, with the old communes merged into it."""

    unit: Unit
    province: str
    old: list[Unit] = field(default_factory=list)
    weight: float = 1.0
    busy: bool = False

    def on(self, day, old: Unit | None) -> Unit | None:
        """The unit to record for ``day``: ``old`` (a predecessor) before 1/7/2025."""
        return self.unit if day >= NEW_ERA else old

    def pick_old(self, rng: Rng) -> Unit | None:
        return rng.choice(self.old) if self.old else None


@dataclass
class ProvinceUnits:
    code: str
    name: str
    today: Unit  # the province valid today
    old: Unit | None  # the same code before 1/7/2025, where old units are loaded


@dataclass
class Geography:
    communes: list[Commune]
    provinces: dict[str, ProvinceUnits]
    by_id: dict[int, Commune]
    districts: dict[int, str]  # old commune id → code of its old district
    table: Table  # where cases happen (weighted)
    spread: Table  # where calls come from and activities happen (every commune alike)

    def pick(self, rng: Rng) -> Commune:
        return self.table.pick(rng)


def places_loaded() -> bool:
    return Place.objects.filter(code=HUNG_YEN, level=Place.Level.PROVINCE).exists()


def load(scale: Scale, rng: Rng) -> Geography:
    """Today's communes of the scale's provinces, their predecessors and their weights."""
    provinces = _provinces(scale)
    rows = Place.objects.filter(
        level=Place.Level.COMMUNE,
        valid_to__isnull=True,
        parent__level=Place.Level.PROVINCE,
        parent__code__in=sorted(provinces),
        parent__valid_to__isnull=True,
    ).values_list("parent__code", "code", "pk", "name")
    # Sorted here, not by the database: draws must not depend on its collation.
    communes = [
        Commune(unit=Unit(pk, code, name), province=province)
        for province, code, pk, name in sorted(rows)
    ]
    by_id = {c.unit.id: c for c in communes}
    successions = PlaceSuccession.objects.filter(
        predecessor__level=Place.Level.COMMUNE, successor_id__in=list(by_id)
    ).select_related("predecessor__parent")
    districts = {}
    for link in sorted(successions, key=lambda s: s.predecessor.code):
        old = link.predecessor
        by_id[link.successor_id].old.append(Unit(old.pk, old.code, old.name))
        if old.parent is not None and old.parent.level == Place.Level.DISTRICT:
            districts[old.pk] = old.parent.code
    _weigh(communes, scale, rng)
    return Geography(
        communes=communes,
        provinces=provinces,
        by_id=by_id,
        districts=districts,
        table=Table(communes, [c.weight for c in communes]),
        spread=Table(communes, [1.0] * len(communes)),
    )


def _provinces(scale: Scale) -> dict[str, ProvinceUnits]:
    today = Place.objects.filter(level=Place.Level.PROVINCE, valid_to__isnull=True)
    if not scale.nationwide:
        today = today.filter(code=HUNG_YEN)
    old = {
        p.code: Unit(p.pk, p.code, p.name)
        for p in Place.objects.filter(level=Place.Level.PROVINCE, valid_to__isnull=False)
    }
    return {
        p.code: ProvinceUnits(p.code, p.name, Unit(p.pk, p.code, p.name), old.get(p.code))
        for p in sorted(today, key=lambda p: p.code)
    }


def _weigh(communes: list[Commune], scale: Scale, rng: Rng) -> None:
    """Demo: six busy communes (the demo wards among them) hold 75 % of the cases, so
    some commune figures are large enough to show unsuppressed. Larger scales: every commune
    gets cases, wards a little more than rural communes."""
    if scale.name == "demo" and len(communes) > BUSY_COMMUNES:
        demo = [c for c in communes if c.unit.code in DEMO_COMMUNES]
        others = [c for c in communes if c.unit.code not in DEMO_COMMUNES]
        busy = demo + rng.sample(others, BUSY_COMMUNES - len(demo))
        quiet = [c for c in communes if c not in busy]
        for commune in busy:
            commune.busy = True
            # The demo's wards are the busiest, so their users and figures are not empty.
            lead = {DEMO_COMMUNES[0]: 3.0, DEMO_COMMUNES[1]: 2.0}.get(commune.unit.code, 1.0)
            commune.weight = lead * rng.uniform(0.7, 1.3)
        busy_total = sum(c.weight for c in busy)
        for commune in busy:
            commune.weight *= BUSY_SHARE / busy_total
        for commune in quiet:
            commune.weight = (1 - BUSY_SHARE) / len(quiet)
        return
    for commune in communes:
        ward = 1.3 if commune.unit.name.startswith("Phường") else 1.0
        commune.weight = ward * rng.lognormvariate(0.0, 0.35)
        commune.busy = scale.name == "demo"
