"""Demo directory for `make run`: the demo agencies as providers serving the two demo communes."""

from __future__ import annotations

from antoan.accounts.models import Agency
from antoan.places.models import Place
from antoan.referrals.services import ContactInput, provider_save

COMMUNES = ["11953", "12452"]

_PROVIDERS = [
    {
        "code": "bv-da-khoa-tinh",
        "services": ["health", "psychosocial"],
        "address": "Đường Nguyễn Văn Linh, phường Phố Hiến",
        "hours": "Cấp cứu 24/7; khám 7:00–17:00",
        "always_open": True,
        "emergency_phone": "0221 3862 115",
        "accessible": True,
        "contacts": [ContactInput("Đỗ Quang Huy", "Bác sĩ, đầu mối tiếp nhận", "0912 000 115")],
    },
    {
        "code": "tyt-pho-hien",
        "services": ["health"],
        "communes": ["11953"],
        "address": "Trạm Y tế phường Phố Hiến",
        "hours": "Thứ Hai – Chủ nhật, 7:00–17:00; trực cấp cứu 24/7",
        "always_open": True,
        "emergency_phone": "0221 3862 200",
        "contacts": [ContactInput("Trạm trưởng", "Trạm trưởng trạm y tế", "0912 005 200")],
    },
    {
        "code": "tyt-tran-hung-dao",
        "services": ["health"],
        "communes": ["12452"],
        "address": "Trạm Y tế phường Trần Hưng Đạo",
        "hours": "Thứ Hai – Chủ nhật, 7:00–17:00",
        "emergency_phone": "0227 3831 200",
        "contacts": [ContactInput("Trạm trưởng", "Trạm trưởng trạm y tế", "0912 006 200")],
    },
    {
        "code": "cong-an-tinh",
        "services": ["safety", "legal"],
        "address": "Số 1 đường Chùa Chuông, phường Phố Hiến",
        "hours": "24/7",
        "always_open": True,
        "emergency_phone": "113",
        "contacts": [ContactInput("Vũ Đức Thắng", "Cán bộ trực ban", "0912 000 113")],
    },
    {
        "code": "tro-giup-phap-ly",
        "services": ["legal"],
        "address": "Phường Phố Hiến",
        "hours": "Thứ Hai – Thứ Sáu, 7:30–17:00",
        "emergency_phone": "0221 3550 999",
        "contacts": [ContactInput("Trợ giúp viên trực", "Trợ giúp viên pháp lý", "0912 000 999")],
    },
    {
        "code": "ctxh-tinh",
        "services": ["psychosocial", "social_assistance"],
        "address": "Phường Phố Hiến",
        "hours": "Thứ Hai – Thứ Sáu, 7:30–17:00; tổng đài 24/7",
        "always_open": True,
        "emergency_phone": "1800 1567",
        "accessible": True,
        "contacts": [ContactInput("Phạm Thu Hà", "Điều phối viên", "0912 001 567")],
    },
    {
        "code": "dctc-pho-hien",
        "services": ["shelter", "safety"],
        "hours": "24/7",
        "always_open": True,
        "emergency_phone": "0912 002 468",
        "capacity": 4,
        "location": "Nhà văn hóa tổ dân phố 5 (địa chỉ bảo mật)",
        "contacts": [
            ContactInput("Trưởng địa chỉ tin cậy", "Trưởng địa chỉ tin cậy", "0912 002 468")
        ],
    },
    {
        "code": "ubnd-pho-hien",
        "services": ["safety", "social_assistance"],
        "communes": ["11953"],
        "address": "UBND phường Phố Hiến",
        "hours": "Thứ Hai – Thứ Sáu, 7:30–17:00",
        "emergency_phone": "0221 3863 000",
        "contacts": [ContactInput("Chủ tịch UBND phường", "Chủ tịch", "0912 003 000")],
    },
    {
        "code": "ubnd-tran-hung-dao",
        "services": ["safety", "social_assistance"],
        "communes": ["12452"],
        "address": "UBND phường Trần Hưng Đạo",
        "hours": "Thứ Hai – Thứ Sáu, 7:30–17:00",
        "emergency_phone": "0227 3831 000",
        "contacts": [ContactInput("Chủ tịch UBND phường", "Chủ tịch", "0912 004 000")],
    },
]


def build_demo_providers() -> int:
    """Create or refresh the demo providers (idempotent); returns how many there are."""
    count = 0
    for spec in _PROVIDERS:
        spec = dict(spec)
        agency = Agency.objects.filter(code=spec.pop("code")).first()
        if agency is None:
            continue
        codes = spec.pop("communes", COMMUNES)
        communes = [
            p
            for code in codes
            if (
                p := Place.objects.filter(code=code, level="commune")
                .order_by("-valid_from")
                .first()
            )
        ]
        provider_save(agency=agency, communes=communes, **spec)
        count += 1
    return count
