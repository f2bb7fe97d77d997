"""The agencies, staff and service directory the synthetic history needs.

The demo world (``antoan.accounts.demo``, ``referrals.demo``) is used as it is when present:
its agencies, users and providers are never changed. What is missing is created, looked up by
code (agencies), username (users) or agency (providers), so a second run creates nothing.
Synthetic users are called ``syn-<agency code>-<role><n>`` and have unusable passwords.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Role
from antoan.indicators.synthetic import names
from antoan.indicators.synthetic.agencies import (
    K,
    Spec,
    commune_committees,
    ensure_agencies,
    health_centre_specs,
    hotline_code,
    police_code,
    provincial_specs,
    trusted_address_specs,
    womens_union_code,
)
from antoan.indicators.synthetic.common import START, Rng, tz
from antoan.indicators.synthetic.geography import HUNG_YEN, Geography
from antoan.referrals.models import Provider, ProviderContact

JOINED = dt.datetime(2020, 12, 1, 8, 0, tzinfo=tz())
BUSY_DESK = 2  # case workers of a busy desk (the hotline, the women's union, busy communes)


@dataclass
class Staff:
    """A case-holding agency and who works its cases."""

    agency_id: int
    workers: list[int]
    supervisors: list[int]
    demo_worker: int | None = None  # a named demo user (worker1) who keeps a share of cases

    def worker(self, rng: Rng) -> int:
        if self.demo_worker is not None and rng.chance(0.6):
            return self.demo_worker
        return rng.choice(self.workers)

    def supervisor(self, rng: Rng) -> int:
        return rng.choice(self.supervisors)


@dataclass
class ProviderRef:
    id: int
    agency_id: int
    code: str  # the agency's
    place_id: int  # the agency's
    services: frozenset[str]
    staff: list[int]


@dataclass
class Desk:
    """A province's provincial agencies: hotline, women's union and the providers."""

    code: str
    hotline: Staff
    operators: list[int]
    womens_union: Staff
    police_agency_id: int
    providers: dict[str, list[ProviderRef]] = field(default_factory=dict)  # by service
    health_centres: dict[int, ProviderRef] = field(default_factory=dict)  # commune id → centre


@dataclass
class World:
    desks: dict[str, Desk]
    communes: dict[int, Staff]  # today's commune id → its People's Committee
    analyst: int
    created: Counter[str]


@dataclass(frozen=True)
class UserSpec:
    username: str
    agency: Agency
    role: str


def ensure_users(rng: Rng, specs: list[UserSpec], created: Counter[str]) -> dict[str, int]:
    """Users by username, created when missing, each with its membership (from 2021-01-01,
    within the agency's validity). Names are drawn for every spec, present or not, so the
    names of the users created do not depend on which already exist."""
    existing = dict(
        User.objects.filter(username__in=[s.username for s in specs]).values_list("username", "pk")
    )
    new_users = []
    for spec in specs:
        family, given = names.person_name(rng, rng.choice(("female", "female", "male")))
        stamp = uuid.UUID(int=rng.getrandbits(128), version=4)
        if spec.username in existing:
            continue
        existing[spec.username] = -1
        new_users.append(
            User(
                username=spec.username,
                first_name=given,
                last_name=family,
                # Unusable (Django's "!" prefix): these accounts are there to own records.
                password="!" + stamp.hex,
                date_joined=JOINED,
                security_stamp=stamp,
            )
        )
    User.objects.bulk_create(new_users, batch_size=1000)
    created["accounts.User"] += len(new_users)
    ids = dict(
        User.objects.filter(username__in=[s.username for s in specs]).values_list("username", "pk")
    )
    held = set(
        Membership.objects.filter(user_id__in=ids.values()).values_list(
            "user_id", "agency_id", "role"
        )
    )
    memberships = []
    for spec in specs:
        key = (ids[spec.username], spec.agency.pk, spec.role)
        if key in held:
            continue
        held.add(key)
        start = max(START, spec.agency.valid_from or START)
        memberships.append(
            Membership(
                user_id=key[0],
                agency=spec.agency,
                role=spec.role,
                valid_from=start,
                valid_to=spec.agency.valid_to,
            )
        )
    Membership.objects.bulk_create(memberships, batch_size=1000)
    created["accounts.Membership"] += len(memberships)
    return ids


def _phone(rng: Rng, area: str = "0221") -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(6))
    return f"{area} 3{digits[:3]} {digits[3:]}"


def _ensure_providers(
    rng: Rng,
    entries: list[tuple[Agency, tuple[str, ...], int | None, bool, list[int]]],
    created: Counter[str],
) -> None:
    """Directory entries (agency, services, capacity, 24/7, communes served) for agencies
    that have none; existing entries are left as they are."""
    have = set(
        Provider.objects.filter(agency_id__in=[e[0].pk for e in entries]).values_list(
            "agency_id", flat=True
        )
    )
    new: list[tuple[Provider, list[int], ProviderContact]] = []
    for agency, services, capacity, always_open, served in entries:
        phone = _phone(rng)
        occupancy = rng.randint(0, capacity // 2) if capacity else 0
        family, given = names.person_name(rng, "female")
        if agency.pk in have:
            continue
        provider = Provider(
            agency=agency,
            services=list(services),
            address=f"Trụ sở {agency.name}",
            hours="24/7" if always_open else "Thứ Hai – Thứ Sáu, 7:30–17:00",
            always_open=always_open,
            emergency_phone=phone,
            accessible=rng.chance(0.5),
            capacity=capacity,
            occupancy=occupancy,
            location="Địa điểm bảo mật; liên hệ số trực để được đưa đến." if capacity else "",
        )
        contact = ProviderContact(name=f"{family} {given}", role="Đầu mối tiếp nhận", phone=phone)
        new.append((provider, served, contact))
    Provider.objects.bulk_create([p for p, _, _ in new], batch_size=1000)
    through = Provider.communes.through
    through.objects.bulk_create(
        [through(provider_id=p.pk, place_id=pid) for p, served, _ in new for pid in served],
        batch_size=1000,
    )
    for provider, _, contact in new:
        contact.provider = provider
    ProviderContact.objects.bulk_create([c for _, _, c in new], batch_size=1000)
    created["referrals.Provider"] += len(new)


def _desk_users(agency: Agency, workers: int) -> list[UserSpec]:
    """A case-holding agency's synthetic case workers and supervisor."""
    specs = [
        UserSpec(f"syn-{agency.code}-w{i}", agency, Role.CASE_WORKER) for i in range(1, workers + 1)
    ]
    return [*specs, UserSpec(f"syn-{agency.code}-s1", agency, Role.CASE_SUPERVISOR)]


@dataclass
class Directory:
    """The agencies a world is built from, as ``build`` creates or finds them."""

    committees: dict[int, Agency]  # today's commune id → its People's Committee
    agencies: dict[str, Agency]  # provincial and regional agencies by code
    providers: list[Agency]  # agencies that receive referrals, by code
    province_of: dict[str, str]  # agency code → province code
    centre_communes: dict[str, list[int]]  # regional health centre code → communes served


def build(geo: Geography, rng: Rng, *, today: dt.date) -> World:
    """Create what is missing of the world and describe it for the case generator."""
    created: Counter[str] = Counter()
    directory = _directory(geo, rng, created)
    analyst = _users(geo, rng, directory, created)
    committees, agencies = directory.committees, directory.agencies
    staff = StaffIndex(
        [a.pk for a in committees.values()]
        + [agencies[f(code)].pk for code in geo.provinces for f in DESKS]
        + [a.pk for a in directory.providers],
        today,
    )
    world = World(
        desks={},
        communes={cid: staff.desk(a.pk) for cid, a in committees.items()},
        analyst=analyst,
        created=created,
    )
    entries = {
        p.agency_id: p for p in Provider.objects.filter(agency__in=directory.providers, active=True)
    }
    refs = {
        a.code: ProviderRef(
            p.pk, a.pk, a.code, a.place_id, frozenset(p.services), staff.providers(a.pk)
        )
        for a in directory.providers
        if (p := entries.get(a.pk)) is not None and staff.providers(a.pk)
    }
    for code in geo.provinces:
        desk = Desk(
            code=code,
            hotline=staff.desk(agencies[hotline_code(code)].pk),
            operators=staff.get(agencies[hotline_code(code)].pk, Role.HOTLINE_OPERATOR),
            womens_union=staff.desk(agencies[womens_union_code(code)].pk),
            police_agency_id=agencies[police_code(code)].pk,
        )
        for agency_code in sorted(refs):
            if directory.province_of[agency_code] == code and agency_code not in (
                directory.centre_communes
            ):
                for service in refs[agency_code].services:
                    desk.providers.setdefault(service, []).append(refs[agency_code])
        for centre_code, served in directory.centre_communes.items():
            if centre_code in refs and directory.province_of[centre_code] == code:
                desk.health_centres |= dict.fromkeys(served, refs[centre_code])
        world.desks[code] = desk
    return world


DESKS = (hotline_code, womens_union_code)


def _directory(geo: Geography, rng: Rng, created: Counter[str]) -> Directory:
    """Agencies and their directory entries: found, or created when missing."""
    committees = commune_committees(geo, created)
    province_of: dict[str, str] = {}
    specs: list[Spec] = []
    for code in geo.provinces:
        for spec in provincial_specs(geo, code):
            specs.append(spec)
            province_of[spec.code] = code
    centres, centre_communes = health_centre_specs(geo)
    extra = centres + trusted_address_specs(geo, committees)
    province_of |= {s.code: HUNG_YEN for s in extra}
    agencies = ensure_agencies(specs, created) | ensure_agencies(extra, created)
    communes_of = defaultdict(list)
    for commune in geo.communes:
        communes_of[commune.province].append(commune.unit.id)
    entries = [
        (
            agencies[s.code],
            s.services,
            s.capacity,
            s.always_open,
            centre_communes.get(s.code)
            or ([s.place_id] if s.kind == K.TRUSTED_ADDRESS else communes_of[province_of[s.code]]),
        )
        for s in specs + extra
        if s.services
    ]
    entries += [
        (committees[c.unit.id], ("safety", "social_assistance"), None, False, [c.unit.id])
        for c in geo.communes
    ]
    _ensure_providers(rng, entries, created)
    providers = {agencies[s.code] for s in specs + extra if s.services}
    # Trusted addresses already in the directory (the demo's) receive shelter referrals too.
    for provider in Provider.objects.filter(
        active=True, agency__kind=K.TRUSTED_ADDRESS, agency__place_id__in=list(geo.by_id)
    ).select_related("agency"):
        providers.add(provider.agency)
        province_of[provider.agency.code] = geo.by_id[provider.agency.place_id].province
    return Directory(
        committees=committees,
        agencies=agencies,
        providers=sorted(providers, key=lambda a: a.code),
        province_of=province_of,
        centre_communes=centre_communes,
    )


def _users(geo: Geography, rng: Rng, directory: Directory, created: Counter[str]) -> int:
    """Case workers and a supervisor for every case-holding agency, hotline operators, staff
    for every provider; returns the analyst who enters estimates."""
    agencies = directory.agencies
    specs: list[UserSpec] = []
    for commune in geo.communes:
        committee = directory.committees[commune.unit.id]
        specs += _desk_users(committee, BUSY_DESK if commune.busy else 1)
    for code in geo.provinces:
        for desk in DESKS:
            specs += _desk_users(agencies[desk(code)], BUSY_DESK)
        hotline = agencies[hotline_code(code)]
        specs += [
            UserSpec(f"syn-{hotline.code}-op{i}", hotline, Role.HOTLINE_OPERATOR) for i in (1, 2)
        ]
    specs += [UserSpec(f"syn-{a.code}-p1", a, Role.PROVIDER_STAFF) for a in directory.providers]
    analyst = User.objects.filter(username="analyst1").values_list("pk", flat=True).first()
    if analyst is None:
        specs.append(UserSpec("syn-thong-ke-tinh-a1", agencies["thong-ke-tinh"], Role.ANALYST))
    ids = ensure_users(rng, specs, created)
    return analyst if analyst is not None else ids["syn-thong-ke-tinh-a1"]


STAFF_ROLES = (Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.HOTLINE_OPERATOR, Role.PROVIDER_STAFF)


class StaffIndex:
    """Who holds which role in which agency today, by username (demo users too)."""

    def __init__(self, agency_ids: list[int], today: dt.date):
        self.today = today
        self.users: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.usernames: dict[int, str] = {}
        rows = (
            Membership.objects.valid_on(today)
            .filter(agency_id__in=agency_ids, role__in=STAFF_ROLES)
            .values_list("user__username", "agency_id", "role", "user_id")
        )
        # Sorted here by username, not by the database's collation.
        for username, agency_id, role, user_id in sorted(rows):
            if user_id not in self.users[(agency_id, role)]:
                self.users[(agency_id, role)].append(user_id)
                self.usernames[user_id] = username

    def get(self, agency_id: int, role: str) -> list[int]:
        return self.users[(agency_id, role)]

    def desk(self, agency_id: int) -> Staff:
        workers = self.get(agency_id, Role.CASE_WORKER)
        named = [u for u in workers if not self.usernames[u].startswith("syn-")]
        return Staff(
            agency_id=agency_id,
            workers=workers,
            supervisors=self.get(agency_id, Role.CASE_SUPERVISOR) or workers,
            demo_worker=named[0] if named else None,
        )

    def providers(self, agency_id: int) -> list[int]:
        found = self.get(agency_id, Role.PROVIDER_STAFF)
        if found:
            return found
        rows = (
            Membership.objects.valid_on(self.today)
            .filter(agency_id=agency_id, role=Role.PROVIDER_STAFF)
            .values_list("user__username", "user_id")
        )
        return list(dict.fromkeys(user_id for _, user_id in sorted(rows)))
