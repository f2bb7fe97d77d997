"""The main menu. Each entry shows only to users holding its permission.

Entries belong to a few groups (cases, referrals, programme, figures, data duties): a group
holding two or more of a user's entries becomes one dropdown in the bar, so that a supervisor's
menu fits one line on a 1366 px screen; a group holding one entry shows it as a plain link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from antoan.accounts.roles import Perm

# The groups of the menu, in the order they appear; an entry without a group stands alone.
CASES = "cases"
REFERRALS = "referrals"
PROGRAMME = "programme"
FIGURES = "figures"
DATA = "data"
GROUP_LABELS: dict[str, str | Promise] = {
    CASES: _("Hồ sơ"),
    REFERRALS: _("Chuyển gửi"),
    PROGRAMME: _("Chương trình"),
    FIGURES: _("Số liệu"),
    DATA: _("Quản lý dữ liệu"),
}


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: Perm
    group: str = ""


# Later features add their entries here, in the order users meet them. Pages everyone has
# (notifications, API docs, account security) sit in the user menu of base.html instead, to
# keep the bar short.
NAV_ITEMS: list[NavItem] = [
    NavItem(_("Trang chủ"), "core:home", Perm.USE_SYSTEM),
    NavItem(_("Đường dây nóng"), "hotline:list", Perm.CALL_LOG),
    NavItem(_("Cuộc gọi đường dây nóng"), "hotline:list", Perm.CALL_VIEW_ALL),
    # The operators' live queue (chats, calls put through, SMS, Zalo) and availability.
    NavItem(_("Hàng chờ liên hệ"), "hotline:queue", Perm.CALL_LOG),
    NavItem(_("Việc cần làm"), "cases:tasks", Perm.CASE_VIEW_ASSIGNED, CASES),
    NavItem(_("Hồ sơ của tôi"), "cases:mine", Perm.CASE_VIEW_ASSIGNED, CASES),
    NavItem(_("Hồ sơ của cơ quan"), "cases:team", Perm.CASE_VIEW_AGENCY, CASES),
    NavItem(_("Tiếp nhận ca mới"), "cases:intake", Perm.CASE_CREATE, CASES),
    NavItem(_("Hồ sơ chuyển đến"), "cases:transfers", Perm.CASE_APPROVE, CASES),
    NavItem(_("Chuyển gửi đến"), "referrals:inbox", Perm.REFERRAL_RECEIVE, REFERRALS),
    NavItem(_("Chuyển gửi đi"), "referrals:outbox", Perm.REFERRAL_SEND, REFERRALS),
    NavItem(_("Danh bạ dịch vụ"), "referrals:directory", Perm.PROVIDERS_VIEW, REFERRALS),
    # Health facilities: record a survivor seen as a patient; the facility's monthly figures.
    NavItem(_("Ghi nhận lượt tiếp nhận"), "health:contact_new", Perm.HEALTH_CONTACT_RECORD),
    # Programme monitoring: the plan for everyone on the programme, activities for those who
    # record them (reporters) or read them all (the coordinator). Models, influencers, budget
    # and yearly reports are tabs of the programme pages, not more entries here.
    NavItem(_("Kế hoạch"), "programme:home", Perm.PROGRAMME_VIEW, PROGRAMME),
    NavItem(_("Hoạt động"), "programme:activities", Perm.PROGRAMME_REPORT, PROGRAMME),
    NavItem(_("Hoạt động"), "programme:activities", Perm.PROGRAMME_COORDINATE, PROGRAMME),
    # Figures: the province's targets for those who steer the programme; a supervisor's own
    # agency; a hotline supervisor's calls (reached from the agency page when they hold both).
    NavItem(_("Chỉ số và mục tiêu"), "indicators:province", Perm.INDICATORS_VIEW, FIGURES),
    NavItem(_("Thống kê cơ quan"), "indicators:agency", Perm.INDICATORS_AGENCY, FIGURES),
    NavItem(_("Số liệu cơ sở y tế"), "health:report", Perm.HEALTH_STATS_VIEW, FIGURES),
    # The hotline supervisors' live board: contacts waiting and in conversation, operators.
    NavItem(_("Bảng theo dõi đường dây nóng"), "hotline:board", Perm.CALL_VIEW_ALL, FIGURES),
    # The provincial review of possible duplicates across agencies (statistics reconciliation).
    NavItem(_("Hồ sơ có thể trùng"), "cases:duplicate_reviews", Perm.CASES_RECONCILE, CASES),
    # Personal data duties: open requests of data subjects for supervisors; the breach register.
    NavItem(_("Yêu cầu về dữ liệu cá nhân"), "privacy:requests", Perm.PRIVACY_DSR_MANAGE, DATA),
    NavItem(_("Sổ vi phạm dữ liệu"), "privacy:breaches", Perm.PRIVACY_BREACH_VIEW, DATA),
    NavItem(_("Nhật ký truy cập"), "core:audit", Perm.AUDIT_VIEW, DATA),
    NavItem(_("Quản trị"), "admin:index", Perm.ADMIN_MANAGE, DATA),
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
            items.append({"label": item.label, "url": url, "active": active, "group": item.group})
    # One entry may sit under another (/programme/activities/ under /programme/): only the
    # longest match is the current page.
    matches = [i for i in items if i["active"]]
    for item in matches:
        item["active"] = len(item["url"]) == max(len(m["url"]) for m in matches)
    return items


def menu_for(items: list[dict]) -> list[dict]:
    """The bar: entries without a group as they are, and each group as one entry where its
    first entry would stand; a group of one is shown as that entry."""
    members: dict[str, list[dict]] = {}
    for item in items:
        if item["group"]:
            members.setdefault(item["group"], []).append(item)
    menu: list[dict] = []
    placed: set[str] = set()
    for item in items:
        group = item["group"]
        if not group or len(members[group]) == 1:
            menu.append(item)
        elif group not in placed:
            placed.add(group)
            children = members[group]
            menu.append(
                {
                    "label": GROUP_LABELS[group],
                    "group": group,
                    "children": children,
                    "active": any(child["active"] for child in children),
                }
            )
    return menu
