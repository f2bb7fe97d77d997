"""What the audit log's object types are called in Vietnamese, both ways.

Services write short codes (``case``, ``programme.activity``, a model's ``app.model``); an
auditor reads and types "hồ sơ", "chuyển gửi". One table serves both: labels for the rows of
the log and, accent-insensitively, the words an auditor may type in the search. A code missing
here falls back to its model's verbose name, then to the code itself (never a blank).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from antoan.core.text import search_key

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

OBJECT_TYPE_LABELS: dict[str, StrOrPromise] = {
    "case": _("Hồ sơ"),
    "job": _("Công việc chạy nền"),
    "metrics": _("Số liệu giám sát hệ thống"),
    "referral": _("Chuyển gửi"),
    "call": _("Cuộc gọi đường dây nóng"),
    "case_transfer": _("Chuyển hồ sơ sang cơ quan khác"),
    "protection_measure": _("Biện pháp bảo vệ"),
    "duplicate_check": _("Kiểm tra hồ sơ trùng"),
    "duplicate_review": _("Xem xét hồ sơ trùng"),
    "service_delivery": _("Dịch vụ đã cung cấp"),
    "provider": _("Cơ sở cung cấp dịch vụ"),
    "provider_location": _("Địa điểm cơ sở cung cấp dịch vụ"),
    "health_contact": _("Lượt tiếp nhận tại cơ sở y tế"),
    "health_report": _("Báo cáo của cơ sở y tế"),
    "programme.plan": _("Kế hoạch"),
    "programme.task": _("Nhiệm vụ của kế hoạch"),
    "programme.objective": _("Mục tiêu của kế hoạch"),
    "programme.assignment": _("Phân công nhiệm vụ"),
    "programme.budget_line": _("Dòng kinh phí"),
    "programme.activity": _("Hoạt động"),
    "programme.activity_comment": _("Nhận xét về hoạt động"),
    "programme.recommendation": _("Kiến nghị sau kiểm tra"),
    "programme.evidence": _("Minh chứng"),
    "programme.campaign": _("Chiến dịch truyền thông"),
    "programme.campaign_item": _("Nội dung của chiến dịch"),
    "programme.model": _("Mô hình"),
    "programme.model_review": _("Đánh giá mô hình"),
    "programme.assessment": _("Đánh giá theo bộ tiêu chí"),
    "programme.influencer": _("Người có uy tín"),
    "reports.cycle": _("Kỳ báo cáo"),
    "reports.submission": _("Báo cáo"),
    "reports.attachment": _("Tệp đính kèm báo cáo"),
    "indicator_table": _("Bảng chỉ số"),
    "indicator_estimate": _("Ước tính chỉ số"),
    "statistics_export": _("Xuất số liệu thống kê"),
    "synthetic_data": _("Dữ liệu mô phỏng"),
    "data_request": _("Yêu cầu về dữ liệu cá nhân"),
    "access_package": _("Gói dữ liệu trả lời yêu cầu"),
    "breach": _("Sự cố lộ lọt dữ liệu"),
    "places.place": _("Đơn vị hành chính"),
    "places.placesuccession": _("Kế thừa đơn vị hành chính"),
    "agency": _("Cơ quan"),
    "accounts.user": _("Người dùng"),
    "accounts.membership": _("Vai trò của người dùng tại cơ quan"),
    "otp_device": _("Thiết bị xác thực hai lớp"),
    "api_token": _("Mã truy cập API"),
    "audit_event": _("Nhật ký truy cập"),
}


def object_type_label(code: str) -> str:
    """The Vietnamese name of an object type, for a row of the log ("" for none)."""
    if not code:
        return ""
    if code in OBJECT_TYPE_LABELS:
        return str(OBJECT_TYPE_LABELS[code])
    if "." in code:
        try:
            model = apps.get_model(code)
        except (LookupError, ValueError):
            return code
        name = str(model._meta.verbose_name)
        return name[:1].upper() + name[1:]
    return code


def object_types_matching(text: str) -> list[str]:
    """The codes an auditor means by ``text``: words of a Vietnamese label typed with or
    without accents ("chuyen gui" → ``referral``; "hồ sơ" → ``case``, or every type whose label
    has a word starting so), else the code as typed ("programme.activity")."""
    raw = text.strip()
    if not raw or raw in OBJECT_TYPE_LABELS:
        return [raw] if raw else []
    key = search_key(raw)
    labels = {code: search_key(str(label)) for code, label in OBJECT_TYPE_LABELS.items()}
    exact = [code for code, label in labels.items() if label == key]
    if exact:
        return exact
    partial = [code for code, label in labels.items() if f" {key}" in f" {label}"]
    return partial or [raw]


def object_type_choices() -> list[tuple[str, str]]:
    """(code, label) of every known object type, by label, for a list to pick from."""
    pairs = [(code, str(label)) for code, label in OBJECT_TYPE_LABELS.items()]
    return sorted(pairs, key=lambda pair: search_key(pair[1]))
