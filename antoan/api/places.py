"""Placeholder: the places endpoint."""

from antoan.accounts.roles import Perm
from antoan.api.views import ProtectedAPIView


class PlaceListView(ProtectedAPIView):
    permission = Perm.PLACES_VIEW
