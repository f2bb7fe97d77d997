"""The main menu. Each entry shows only to users holding its permission."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from antoan.accounts.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: Perm


# Later features add their entries here, in the order users meet them. Pages everyone has
# (notifications, API docs, account security) sit in the user menu of base.html instead, to
# keep the bar short.
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Trang chủ"), "core:home", Perm.USE_SYSTEM),
    NavItem(_("Đường dây nóng"), "hotline:list", Perm.CALL_LOG),
    NavItem(_("Cuộc gọi đường dây nóng"), "hotline:list", Perm.CALL_VIEW_ALL),
    NavItem(_("Việc cần làm"), "cases:tasks", Perm.CASE_VIEW_ASSIGNED),
    NavItem(_("Hồ sơ của tôi"), "cases:mine", Perm.CASE_VIEW_ASSIGNED),
    NavItem(_("Hồ sơ của cơ quan"), "cases:team", Perm.CASE_VIEW_AGENCY),
    NavItem(_("Tiếp nhận ca mới"), "cases:intake", Perm.CASE_CREATE),
    NavItem(_("Hồ sơ chuyển đến"), "cases:transfers", Perm.CASE_APPROVE),
    NavItem(_("Chuyển gửi đến"), "referrals:inbox", Perm.REFERRAL_RECEIVE),
    NavItem(_("Chuyển gửi đi"), "referrals:outbox", Perm.REFERRAL_SEND),
    NavItem(_("Danh bạ dịch vụ"), "referrals:directory", Perm.PROVIDERS_VIEW),
    # Health facilities: record a survivor seen as a patient; the facility's monthly figures.
    NavItem(_("Ghi nhận lượt tiếp nhận"), "health:contact_new", Perm.HEALTH_CONTACT_RECORD),
    # Programme monitoring: the plan for everyone on the programme, activities for those who
    # record them (reporters) or read them all (the coordinator). Models, influencers, budget
    # and yearly reports are tabs of the programme pages, not more entries here.
    NavItem(_("Kế hoạch"), "programme:home", Perm.PROGRAMME_VIEW),
    NavItem(_("Hoạt động"), "programme:activities", Perm.PROGRAMME_REPORT),
    NavItem(_("Hoạt động"), "programme:activities", Perm.PROGRAMME_COORDINATE),
    # Figures: the province's targets for those who steer the programme; a supervisor's own
    # agency; a hotline supervisor's calls (reached from the agency page when they hold both).
    NavItem(_("Chỉ số và mục tiêu"), "indicators:province", Perm.INDICATORS_VIEW),
    NavItem(_("Thống kê cơ quan"), "indicators:agency", Perm.INDICATORS_AGENCY),
    NavItem(_("Số liệu cơ sở y tế"), "health:report", Perm.HEALTH_STATS_VIEW),
    # The provincial review of possible duplicates across agencies (statistics reconciliation).
    NavItem(_("Hồ sơ có thể trùng"), "cases:duplicate_reviews", Perm.CASES_RECONCILE),
    # Personal data duties: open requests of data subjects for supervisors; the breach register.
    NavItem(_("Yêu cầu về dữ liệu cá nhân"), "privacy:requests", Perm.PRIVACY_DSR_MANAGE),
    NavItem(_("Sổ vi phạm dữ liệu"), "privacy:breaches", Perm.PRIVACY_BREACH_VIEW),
    NavItem(_("Nhật ký truy cập"), "core:audit", Perm.AUDIT_VIEW),
    NavItem(_("Quản trị"), "admin:index", Perm.ADMIN_MANAGE),
]


def nav_for(permissions: set[Perm], current_path: str) -> list[dict]:
    items = []
    seen: set[str] = set()
    for item in NAV_ITEMS:
        if item.permission in permissions:
            url = reverse(item.url_name)
            if url in seen:
                continue  # two permissions may lead to one page: list it once
            seen.add(url)
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append({"label": item.label, "url": url, "active": active})
    # One entry may sit under another (/programme/activities/ under /programme/): only the
    # longest match is the current page.
    matches = [i for i in items if i["active"]]
    for item in matches:
        item["active"] = len(item["url"]) == max(len(m["url"]) for m in matches)
    return items
