"""Placeholder: the token endpoint."""

from antoan.accounts.roles import Perm
from antoan.api.views import ProtectedAPIView


class TokenView(ProtectedAPIView):
    permission = Perm.USE_SYSTEM
