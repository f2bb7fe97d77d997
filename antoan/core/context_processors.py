from functools import cache

from antoan.accounts.roles import Perm
from antoan.core.navigation import menu_for, nav_for
from antoan.core.permissions import memberships, permissions_of

# The permissions of the pages that start a job (docs/jobs.md): the activity import
# (reporters, coordinators), the row-level export (indicators), the consolidated report.
JOB_STARTERS = frozenset(
    {Perm.PROGRAMME_REPORT, Perm.PROGRAMME_COORDINATE, Perm.INDICATORS_VIEW, Perm.REPORTS_REVIEW}
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": [], "user_memberships": [], "unread_notifications": 0}
    permissions = permissions_of(user)
    items = nav_for(permissions, request.path)

    @cache
    def unread_notifications() -> int:
        # The templates call this only where the menu is drawn, once: fragments that htmx
        # swaps in, which use no menu, cost no query.
        from antoan.referrals.selectors import unread_count  # notifications live there

        return unread_count(user)

    return {
        "nav_items": items,
        "nav_menu": menu_for(items),
        "user_memberships": memberships(user),
        "may_read_api_docs": Perm.API_DOCS in permissions,
        # "Việc của tôi": for those whose pages start jobs (imports, exports, reports).
        "may_start_jobs": bool(JOB_STARTERS & permissions),
        "unread_notifications": unread_notifications,
    }
