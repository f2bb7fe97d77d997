"""The demo world: agencies across the province and two 2025 communes, and the named users.

Used by ``manage.py seed_demo`` and by the test suite's cast, so a bug found in a demo is a bug
the tests can reproduce with the same names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from antoan.accounts.models import Agency, Membership, User
from antoan.accounts.roles import Role
from antoan.places.models import Place

DEMO_PASSWORD = "antoan-demo-2025"  # noqa: S105 - the documented demo password
PROVINCE = "33"
COMMUNE_A = "11953"  # Phường Phố Hiến
COMMUNE_B = "12452"  # Phường Trần Hưng Đạo (former Thái Bình city)
NEW_ERA = dt.date(2025, 7, 1)
DEPARTMENT_MERGER = dt.date(2025, 3, 1)


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    place: str
    parent: str | None = None


AGENCIES = [
    AgencySpec("ubnd-tinh", "Ủy ban nhân dân tỉnh Hưng Yên", Agency.Kind.OTHER, PROVINCE),
    AgencySpec(
        "so-noi-vu", "Sở Nội vụ tỉnh Hưng Yên", Agency.Kind.DEPARTMENT, PROVINCE, "ubnd-tinh"
    ),
    AgencySpec("so-y-te", "Sở Y tế tỉnh Hưng Yên", Agency.Kind.DEPARTMENT, PROVINCE, "ubnd-tinh"),
    AgencySpec(
        "thanh-tra-tinh", "Thanh tra tỉnh Hưng Yên", Agency.Kind.DEPARTMENT, PROVINCE, "ubnd-tinh"
    ),
    AgencySpec(
        "bv-da-khoa-tinh",
        "Bệnh viện Đa khoa tỉnh Hưng Yên",
        Agency.Kind.HEALTH_FACILITY,
        PROVINCE,
        "so-y-te",
    ),
    AgencySpec(
        "tyt-pho-hien",
        "Trạm Y tế phường Phố Hiến",
        Agency.Kind.COMMUNE_HEALTH_STATION,
        COMMUNE_A,
        "so-y-te",
    ),
    AgencySpec(
        "tyt-tran-hung-dao",
        "Trạm Y tế phường Trần Hưng Đạo",
        Agency.Kind.COMMUNE_HEALTH_STATION,
        COMMUNE_B,
        "so-y-te",
    ),
    AgencySpec("cong-an-tinh", "Công an tỉnh Hưng Yên", Agency.Kind.POLICE, PROVINCE),
    AgencySpec(
        "tro-giup-phap-ly",
        "Trung tâm Trợ giúp pháp lý Nhà nước tỉnh Hưng Yên",
        Agency.Kind.LEGAL_AID,
        PROVINCE,
        "so-noi-vu",
    ),
    AgencySpec(
        "ctxh-tinh",
        "Trung tâm Công tác xã hội tỉnh Hưng Yên",
        Agency.Kind.SOCIAL_ASSISTANCE,
        PROVINCE,
        "so-y-te",
    ),
    AgencySpec("thong-ke-tinh", "Thống kê tỉnh Hưng Yên", Agency.Kind.STATISTICS_OFFICE, PROVINCE),
    AgencySpec(
        "ubnd-pho-hien",
        "Ủy ban nhân dân phường Phố Hiến",
        Agency.Kind.COMMUNE_COMMITTEE,
        COMMUNE_A,
        "ubnd-tinh",
    ),
    AgencySpec(
        "ubnd-tran-hung-dao",
        "Ủy ban nhân dân phường Trần Hưng Đạo",
        Agency.Kind.COMMUNE_COMMITTEE,
        COMMUNE_B,
        "ubnd-tinh",
    ),
    AgencySpec(
        "dctc-pho-hien",
        "Địa chỉ tin cậy phường Phố Hiến",
        Agency.Kind.TRUSTED_ADDRESS,
        COMMUNE_A,
        "ubnd-pho-hien",
    ),
]

# (username, full name, agency code, role)
USERS = [
    ("hotline1", "Phạm Thu Hà", "ctxh-tinh", Role.HOTLINE_OPERATOR),
    ("worker1", "Nguyễn Thị Lan", "ubnd-pho-hien", Role.CASE_WORKER),
    ("supervisor1", "Trần Văn Minh", "ubnd-pho-hien", Role.CASE_SUPERVISOR),
    ("worker2", "Lê Thị Hằng", "ubnd-tran-hung-dao", Role.CASE_WORKER),
    ("health1", "Bác sĩ Đỗ Quang Huy", "bv-da-khoa-tinh", Role.PROVIDER_STAFF),
    ("police1", "Vũ Đức Thắng", "cong-an-tinh", Role.PROVIDER_STAFF),
    ("nurse1", "Lương Thị Thu", "tyt-pho-hien", Role.HEALTH_WORKER),
    ("reporter1", "Hoàng Thị Mai", "ubnd-pho-hien", Role.PROGRAMME_REPORTER),
    ("leader1", "Phan Văn Hùng", "ubnd-pho-hien", Role.COMMUNE_LEADER),
    ("coordinator1", "Đặng Thị Thanh", "so-noi-vu", Role.PROGRAMME_COORDINATOR),
    ("analyst1", "Bùi Minh Tuấn", "thong-ke-tinh", Role.ANALYST),
    ("manager1", "Ngô Văn Bình", "ubnd-tinh", Role.MANAGER),
    ("auditor1", "Đinh Thị Hoa", "thanh-tra-tinh", Role.AUDITOR),
    ("admin1", "Trịnh Quốc Khánh", "so-noi-vu", Role.ADMINISTRATOR),
]


def _current(code: str) -> Place:
    return Place.objects.valid_on(NEW_ERA).get(code=code, level__in=["province", "commune"])


@transaction.atomic
def build_demo_world(*, password: str) -> dict[str, User]:
    """Create (or bring back to shape) the demo agencies and users. Safe to run again."""
    agencies: dict[str, Agency] = {}
    for spec in AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "place": _current(spec.place),
                "parent": agencies.get(spec.parent) if spec.parent else None,
                "valid_from": None,
                "valid_to": None,
            },
        )
        agencies[spec.code] = agency

    # History: the labour department's duties moved to Sở Nội vụ and Sở Y tế in March 2025.
    old_province = Place.objects.filter(
        code=PROVINCE, level="province", valid_to__isnull=False
    ).first()
    if old_province is not None:
        Agency.objects.update_or_create(
            code="so-ldtbxh",
            defaults={
                "name": "Sở Lao động - Thương binh và Xã hội tỉnh Hưng Yên (cũ)",
                "kind": Agency.Kind.DEPARTMENT,
                "place": old_province,
                "valid_from": None,
                "valid_to": DEPARTMENT_MERGER - dt.timedelta(days=1),
                "successor": agencies["so-noi-vu"],
            },
        )

    return {
        username: demo_user(username, full_name, agencies[agency_code], role, password=password)
        for username, full_name, agency_code, role in USERS
    }


def demo_user(username: str, full_name: str, agency: Agency, role: str, *, password: str) -> User:
    """A demo user with one membership, created or brought back to shape."""
    family, _, given = full_name.rpartition(" ")
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": given, "last_name": family}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save()
    Membership.objects.get_or_create(
        user=user, agency=agency, role=role, defaults={"valid_from": NEW_ERA}
    )
    return user
