"""The API's front door: who am I, and the agencies I can address."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from antoan.accounts import selectors as account_selectors
from antoan.accounts.roles import Perm
from antoan.api.pagination import Cursor
from antoan.core.permissions import HasPermission, memberships, needs_two_factor, permissions_of


class ProtectedAPIView(APIView):
    """Base for endpoints: login plus the declared ``permission``."""

    permission_classes = [HasPermission]
    permission: Perm


class MembershipOut(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    role = serializers.CharField()
    role_name = serializers.CharField(source="get_role_display")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class MeOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    memberships = MembershipOut(many=True)
    permissions = serializers.ListField(child=serializers.CharField())
    two_factor_required = serializers.BooleanField()


class MeView(ProtectedAPIView):
    permission = Perm.USE_SYSTEM

    @extend_schema(responses=MeOut, summary="The signed-in user, memberships and permissions")
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "memberships": memberships(user),
            "permissions": sorted(permissions_of(user)),
            "two_factor_required": needs_two_factor(user),
        }
        return Response(MeOut(data).data)


class AgencyOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    place = serializers.CharField(source="place.code")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    successor = serializers.IntegerField(source="successor_id", allow_null=True)


class AgencyListView(ProtectedAPIView, ListAPIView):
    """Agencies (public directory data, no people): everyone needs them to address referrals."""

    permission = Perm.AGENCIES_VIEW
    serializer_class = AgencyOut
    pagination_class = Cursor

    def get_queryset(self):
        return account_selectors.agency_list(
            user=self.request.user,
            kind=self.request.query_params.get("kind") or None,
            include_past=self.request.query_params.get("include_past") == "true",
        )
