"""The home page's counts: what is waiting for the user, each leading to the list it counts.

A count is only useful if it is the number of rows the user finds behind its link, so every
card counts with the same selector (and the same filters) as the list it links to; the tests
(core/tests/test_home.py) compare each count with the list. Nothing here reads case content:
the home page shows numbers, not survivors.

The home page sits above the domain apps (it gathers from all of them), like the API: the
imports of their selectors run downwards from here, and are made inside each card so that a
user without the permission costs neither the import nor a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from antoan.accounts.roles import Perm
from antoan.core.permissions import permissions_of


@dataclass(frozen=True)
class HomeCard:
    key: str
    title: str | Promise
    count: int
    url: str
    # Said under the number: what it counts.
    hint: str | Promise
    # Something is late: the card is drawn as a warning.
    urgent: bool = False


def _calls(user: Any) -> list[HomeCard]:
    """Calls waiting in the hotline's queue: the list's "Hàng chờ xử lý" tab."""
    from antoan.hotline import choices as h
    from antoan.hotline.selectors import calls_for_user

    count = calls_for_user(user).filter(status=h.Status.OPEN).count()
    return [
        HomeCard(
            "calls",
            _("Cuộc gọi chờ xử lý"),
            count,
            reverse("hotline:list") + "?box=queue",
            _("cuộc gọi đang mở trong hàng chờ của đường dây nóng"),
            urgent=count > 0,
        )
    ]


def _tasks(user: Any) -> list[HomeCard]:
    """Overdue tasks, and decisions on protection measures awaiting their legal deadline: both
    from the one task list (``cases:tasks``), computed once."""
    from antoan.cases.selectors import tasks_for_user

    tasks = tasks_for_user(user)
    url = reverse("cases:tasks")
    overdue = sum(1 for task in tasks if task.countdown.overdue)
    measures = [task for task in tasks if task.kind == "measure_decision"]
    return [
        HomeCard(
            "overdue",
            _("Việc quá hạn"),
            overdue,
            url + "#tasks-overdue",
            _("việc trên các hồ sơ bạn phụ trách đã quá hạn"),
            urgent=overdue > 0,
        ),
        HomeCard(
            "measures",
            _("Biện pháp bảo vệ chờ quyết định"),
            len(measures),
            url,
            _("đề nghị cấm tiếp xúc đang chờ quyết định trong thời hạn luật định"),
            urgent=any(task.countdown.overdue for task in measures),
        ),
    ]


def _referrals_in(user: Any) -> list[HomeCard]:
    from antoan.referrals.selectors import referrals_incoming

    count = referrals_incoming(user).count()
    return [
        HomeCard(
            "referrals_in",
            _("Chuyển gửi đến"),
            count,
            reverse("referrals:inbox"),
            _("chuyển gửi đến cơ quan bạn đang chờ tiếp nhận hoặc cung cấp dịch vụ"),
        )
    ]


def _referrals_out(user: Any) -> list[HomeCard]:
    from antoan.referrals.models import ReferralStatus
    from antoan.referrals.selectors import referrals_outgoing

    count = referrals_outgoing(user, status=ReferralStatus.SENT).count()
    return [
        HomeCard(
            "referrals_out",
            _("Chuyển gửi chờ trả lời"),
            count,
            reverse("referrals:outbox") + f"?status={ReferralStatus.SENT}",
            _("chuyển gửi bạn đã gửi, nơi nhận chưa tiếp nhận"),
        )
    ]


def _reports(user: Any) -> list[HomeCard]:
    from antoan.reports.selectors import reports_owed

    owed = reports_owed(user)
    return [
        HomeCard(
            "reports",
            _("Báo cáo năm phải nộp"),
            len(owed),
            reverse("reports:home"),
            _("báo cáo của cơ quan bạn chưa nộp cho cơ quan chủ trì"),
            urgent=any(cycle.due_date < timezone.localdate() for cycle, _agency in owed),
        )
    ]


def _reports_to_receive(user: Any) -> list[HomeCard]:
    """For the lead department: agencies that have not handed in the current cycle's report,
    as its board lists them (``?state=missing``)."""
    from antoan.reports import selectors

    cycle = selectors.current_cycle(user)
    if cycle is None or not selectors.reads_all(user):
        return []
    board = selectors.board(user, cycle)
    missing = board.counts[selectors.MISSING]
    return [
        HomeCard(
            "reports_missing",
            _("Báo cáo năm %(year)s chưa nộp") % {"year": cycle.year},
            missing,
            reverse("reports:cycle", args=[cycle.pk]) + f"?state={selectors.MISSING}",
            _("cơ quan phải báo cáo nhưng chưa nộp"),
            urgent=missing > 0 and board.overdue,
        )
    ]


def _duplicates(user: Any) -> list[HomeCard]:
    """For the province's reviewers: possible duplicates still to look at, as the review
    queue's default tab lists them. A count, not the queue: no read of it is audited here."""
    from antoan.cases import choices as c
    from antoan.cases.models import DuplicateReview
    from antoan.cases.selectors import reconciling_membership

    if reconciling_membership(user) is None:
        return []
    count = DuplicateReview.objects.filter(status=c.DuplicateStatus.OPEN).count()
    return [
        HomeCard(
            "duplicates",
            _("Hồ sơ có thể trùng"),
            count,
            reverse("cases:duplicate_reviews"),
            _("cặp hồ sơ ở hai cơ quan có thể là một người, chờ xem xét"),
        )
    ]


# (the permission that shows the card, the card). In the order a user reads them: what is
# urgent in a working day first.
CARDS = [
    (Perm.CALL_LOG, _calls),
    (Perm.CALL_VIEW_ALL, _calls),
    (Perm.CASE_VIEW_ASSIGNED, _tasks),
    (Perm.REFERRAL_RECEIVE, _referrals_in),
    (Perm.REFERRAL_SEND, _referrals_out),
    (Perm.REPORTS_SUBMIT, _reports),
    (Perm.REPORTS_REVIEW, _reports_to_receive),
    (Perm.CASES_RECONCILE, _duplicates),
]


def home_cards(user: Any) -> list[HomeCard]:
    """The counts the user's roles call for, each scoped like the list it links to."""
    permissions = permissions_of(user)
    cards: list[HomeCard] = []
    done = set()
    for permission, build in CARDS:
        if permission in permissions and build not in done:
            done.add(build)
            cards.extend(build(user))
    return cards
