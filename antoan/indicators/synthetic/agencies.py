"""The agencies the synthetic history needs, as specifications looked up by code.

Hưng Yên's provincial agencies reuse the demo's codes and names (``antoan.accounts.demo``)
and the plan's code for the women's union, so nothing is created twice whichever of
``seed_demo``, ``load_plan`` and ``generate_data`` ran first. Existing agencies are never
changed. Every today's commune gets its People's Committee (``ubnd-<commune code>``, or the
demo's code for the demo's two wards).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from antoan.accounts import demo
from antoan.accounts.models import Agency
from antoan.indicators.synthetic import names
from antoan.indicators.synthetic.geography import HUNG_YEN, Geography
from antoan.places.models import Place

K = Agency.Kind


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    kind: str
    place_id: int
    parent: str | None = None
    services: tuple[str, ...] = ()
    capacity: int | None = None
    always_open: bool = False
    valid_to: dt.date | None = None


# Hưng Yên's provincial agencies: (code, name, kind, parent, services, capacity). Demo codes
# and names where the demo has them (``antoan.accounts.demo``), the plan's code for the
# women's union (``data/plans/64-KH-UBND-2021.yaml``), so nothing is created twice.
_DEMO_NAMES = {s.code: s.name for s in demo.AGENCIES}
HUNG_YEN_AGENCIES: list[tuple[str, str, str, str | None, tuple[str, ...], int | None]] = [
    ("ubnd-tinh", _DEMO_NAMES["ubnd-tinh"], K.OTHER, None, (), None),
    ("so-noi-vu", _DEMO_NAMES["so-noi-vu"], K.DEPARTMENT, "ubnd-tinh", (), None),
    ("so-y-te", _DEMO_NAMES["so-y-te"], K.DEPARTMENT, "ubnd-tinh", (), None),
    ("thong-ke-tinh", _DEMO_NAMES["thong-ke-tinh"], K.STATISTICS_OFFICE, None, (), None),
    (
        "ctxh-tinh",
        _DEMO_NAMES["ctxh-tinh"],
        K.SOCIAL_ASSISTANCE,
        "so-y-te",
        ("psychosocial", "social_assistance"),
        None,
    ),
    (
        "bv-da-khoa-tinh",
        _DEMO_NAMES["bv-da-khoa-tinh"],
        K.HEALTH_FACILITY,
        "so-y-te",
        ("health", "psychosocial"),
        None,
    ),
    ("cong-an-tinh", _DEMO_NAMES["cong-an-tinh"], K.POLICE, None, ("safety", "legal"), None),
    (
        "tro-giup-phap-ly",
        _DEMO_NAMES["tro-giup-phap-ly"],
        K.LEGAL_AID,
        "so-noi-vu",
        ("legal",),
        None,
    ),
    (
        "hoi-lhpn-tinh",
        "Hội Liên hiệp Phụ nữ tỉnh Hưng Yên",
        K.WOMENS_UNION,
        None,
        ("psychosocial", "livelihood", "safety"),
        None,
    ),
    (
        "nha-tam-lanh-tinh",
        "Nhà tạm lánh - Trung tâm Công tác xã hội tỉnh Hưng Yên",
        K.SHELTER,
        "ctxh-tinh",
        ("shelter", "safety"),
        12,
    ),
    # Social assistance facilities (GE-03 counts those running GBV activities: the first two
    # do, see programme.py; the last two do not).
    (
        "btxh-tinh",
        "Trung tâm Bảo trợ xã hội tỉnh Hưng Yên",
        K.SOCIAL_ASSISTANCE,
        "so-y-te",
        ("social_assistance", "shelter", "psychosocial"),
        30,
    ),
    (
        "btxh-thai-binh",
        "Cơ sở Bảo trợ xã hội tổng hợp Thái Bình",
        K.SOCIAL_ASSISTANCE,
        "so-y-te",
        ("social_assistance", "education"),
        None,
    ),
    (
        "cham-soc-tam-than-tinh",
        "Trung tâm Chăm sóc và Nuôi dưỡng người tâm thần tỉnh Hưng Yên",
        K.SOCIAL_ASSISTANCE,
        "so-y-te",
        ("social_assistance", "health"),
        None,
    ),
]
# Another province's: (code pattern, name pattern, kind, services, capacity).
OTHER_PROVINCE_AGENCIES: list[tuple[str, str, str, tuple[str, ...], int | None]] = [
    (
        "ctxh-{}",
        "Trung tâm Công tác xã hội {}",
        K.SOCIAL_ASSISTANCE,
        ("psychosocial", "social_assistance"),
        None,
    ),
    ("bv-da-khoa-{}", "Bệnh viện Đa khoa {}", K.HEALTH_FACILITY, ("health", "psychosocial"), None),
    ("cong-an-{}", "Công an {}", K.POLICE, ("safety", "legal"), None),
    (
        "tro-giup-phap-ly-{}",
        "Trung tâm Trợ giúp pháp lý Nhà nước {}",
        K.LEGAL_AID,
        ("legal",),
        None,
    ),
    (
        "hoi-lhpn-{}",
        "Hội Liên hiệp Phụ nữ {}",
        K.WOMENS_UNION,
        ("psychosocial", "livelihood", "safety"),
        None,
    ),
    (
        "nha-tam-lanh-{}",
        "Nhà tạm lánh - Trung tâm Công tác xã hội {}",
        K.SHELTER,
        ("shelter", "safety"),
        10,
    ),
]
ALWAYS_OPEN = {K.POLICE, K.HEALTH_FACILITY, K.SHELTER, K.TRUSTED_ADDRESS}


def provincial_specs(geo: Geography, code: str) -> list[Spec]:
    """The provincial agencies of a province in the scale."""
    place = geo.provinces[code].today.id
    if code == HUNG_YEN:
        return [
            Spec(c, name, kind, place, parent, services, capacity, kind in ALWAYS_OPEN)
            for c, name, kind, parent, services, capacity in HUNG_YEN_AGENCIES
        ]
    where = names.lowered(geo.provinces[code].name)
    return [
        Spec(
            pattern.format(code),
            name.format(where),
            kind,
            place,
            services=services,
            capacity=capacity,
            always_open=kind in ALWAYS_OPEN,
        )
        for pattern, name, kind, services, capacity in OTHER_PROVINCE_AGENCIES
    ]


def hotline_code(province: str) -> str:
    return "ctxh-tinh" if province == HUNG_YEN else f"ctxh-{province}"


def womens_union_code(province: str) -> str:
    return "hoi-lhpn-tinh" if province == HUNG_YEN else f"hoi-lhpn-{province}"


def police_code(province: str) -> str:
    return "cong-an-tinh" if province == HUNG_YEN else f"cong-an-{province}"


def health_centre_specs(geo: Geography) -> tuple[list[Spec], dict[str, list[int]]]:
    """Regional health centres of Hưng Yên, one for every fourth old district, each serving
    the communes that succeeded that district's communes (none on a map without districts)."""
    served: dict[str, set[int]] = defaultdict(set)
    host: dict[str, int] = {}
    for commune in geo.communes:
        for old in commune.old:
            code = geo.districts.get(old.id)
            if code is not None and commune.province == HUNG_YEN:
                served[code].add(commune.unit.id)
                host.setdefault(code, commune.unit.id)
    districts = Place.objects.filter(code__in=sorted(served), level=Place.Level.DISTRICT)
    chosen = sorted(districts, key=lambda d: d.code)[1::4]
    specs = []
    for district in chosen:
        short = district.name
        for prefix in ("Huyện ", "Thị xã ", "Thành phố "):
            short = short.removeprefix(prefix)
        specs.append(
            Spec(
                f"ttyt-kv-{district.code}",
                f"Trung tâm Y tế khu vực {short}",
                K.HEALTH_FACILITY,
                host[district.code],
                "so-y-te",
                ("health", "psychosocial"),
            )
        )
    return specs, {f"ttyt-kv-{d.code}": sorted(served[d.code]) for d in chosen}


def trusted_address_specs(geo: Geography, committees: dict[int, Agency]) -> list[Spec]:
    """Two trusted addresses in busy Hưng Yên communes that have none yet."""
    have = set(Agency.objects.filter(kind=K.TRUSTED_ADDRESS).values_list("place_id", flat=True))
    candidates = [
        c for c in geo.communes if c.busy and c.province == HUNG_YEN and c.unit.id not in have
    ]
    return [
        Spec(
            f"dctc-{c.unit.code}",
            f"Địa chỉ tin cậy {names.lowered(c.unit.name)}",
            K.TRUSTED_ADDRESS,
            c.unit.id,
            committees[c.unit.id].code,
            ("shelter", "safety"),
            capacity=3,
            always_open=True,
        )
        for c in candidates[:2]
    ]


def ensure_agencies(specs: list[Spec], created: Counter[str]) -> dict[str, Agency]:
    """Agencies by code: existing ones as they are, missing ones created (parents first)."""
    codes = [s.code for s in specs] + [s.parent for s in specs if s.parent]
    known = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    for spec in specs:
        if spec.code in known:
            continue
        known[spec.code] = Agency.objects.create(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            place_id=spec.place_id,
            parent=known.get(spec.parent) if spec.parent else None,
            valid_to=spec.valid_to,
        )
        created["accounts.Agency"] += 1
    return known


def commune_committees(geo: Geography, created: Counter[str]) -> dict[int, Agency]:
    """Today's commune id → its People's Committee: an existing one (the demo's wards) or
    ``ubnd-<commune code>``, created in bulk."""
    ids = [c.unit.id for c in geo.communes]
    found: dict[int, Agency] = {}
    existing = Agency.objects.filter(
        kind=K.COMMUNE_COMMITTEE, place_id__in=ids, valid_to__isnull=True
    )
    for agency in sorted(existing, key=lambda a: a.code):  # sorted here, not by a collation
        found.setdefault(agency.place_id, agency)
    demo_codes = {s.place: s.code for s in demo.AGENCIES if s.kind == K.COMMUNE_COMMITTEE}
    parents = {a.place_id: a for a in Agency.objects.filter(code="ubnd-tinh")}
    missing = [
        Agency(
            code=demo_codes.get(c.unit.code, f"ubnd-{c.unit.code}"),
            name=f"Ủy ban nhân dân {names.lowered(c.unit.name)}",
            kind=K.COMMUNE_COMMITTEE,
            place_id=c.unit.id,
            parent=parents.get(geo.provinces[c.province].today.id),
        )
        for c in geo.communes
        if c.unit.id not in found
    ]
    Agency.objects.bulk_create(missing, batch_size=1000)
    created["accounts.Agency"] += len(missing)
    for agency in missing:
        found[agency.place_id] = agency
    return found
