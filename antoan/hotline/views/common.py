"""What the hotline pages share: the gate, finding the call, the communes offered."""

from __future__ import annotations

from typing import Any

from antoan.accounts.roles import Perm
from antoan.cases.views.common import commune_options
from antoan.core.permissions import PermissionRequiredMixin, act_as, has_perm
from antoan.hotline import selectors
from antoan.hotline.models import Call


class HotlinePageMixin(PermissionRequiredMixin):
    """Operators (``hotline.log_call``) and the hotline's supervisors (``hotline.view_all``).

    The declared permission is the operators'; a supervisor who is not an operator passes
    through theirs. Everyone else gets 403 (audited). Which calls a user reaches is the
    selectors' business: a call outside their scope answers 404.
    """

    permission = Perm.CALL_LOG
    supervisors_too = True

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            self.supervisors_too
            and user.is_authenticated
            and not has_perm(user, Perm.CALL_LOG)
            and has_perm(user, Perm.CALL_VIEW_ALL)
        ):
            self.permission = Perm.CALL_VIEW_ALL
        return super().dispatch(request, *args, **kwargs)

    def load_call(self, *, audit: bool = True) -> Call:
        act_as(self.request, Perm.CALL_VIEW_ALL) or act_as(self.request, Perm.CALL_LOG)
        return selectors.call_get_for_user(
            self.request.user, self.kwargs["pk"], request=self.request, audit=audit
        )


def call_communes(user: Any) -> list[tuple[str, str]]:
    """Today's communes of the province of the user's hotline, labelled with the province."""
    return commune_options(user, Perm.CALL_LOG) or commune_options(user, Perm.CALL_VIEW_ALL)
