from antoan.core.navigation import nav_for
from antoan.core.permissions import memberships, permissions_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_memberships": []}
    return {
        "nav_items": nav_for(permissions_of(user), request.path),
        "user_memberships": memberships(user),
    }
