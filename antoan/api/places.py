"""Places: administrative units as they were on a date, with the code of their successor."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from antoan.accounts.roles import Perm
from antoan.api.pagination import Cursor
from antoan.api.query import given_params
from antoan.api.views import ProtectedAPIView
from antoan.places import selectors
from antoan.places.exceptions import PlaceNotFound
from antoan.places.models import Place


class PlaceQuery(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=Place.Level.choices,
        required=False,
        error_messages={
            "invalid_choice": _("Cấp “{input}” không hợp lệ: dùng province, district hoặc commune.")
        },
    )
    on = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Ngày phải có dạng YYYY-MM-DD.")},
    )
    parent = serializers.CharField(required=False, max_length=10)
    q = serializers.CharField(required=False, max_length=100)


class PlaceOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Place.Level.choices)
    division_type = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    successor = serializers.CharField(
        source="succession.successor.code",
        allow_null=True,
        help_text="Code of the unit this one merged into (pre-2025 units), else null.",
    )


class PlaceCursor(Cursor):
    # Codes are fixed-width within a level, so text order is code order; pk breaks ties
    # between a code's periods (which cannot both be valid on one date, but pages stay stable).
    ordering = ("code", "pk")


@extend_schema(
    summary="Administrative units valid on a date",
    parameters=[
        OpenApiParameter(
            "level", str, enum=Place.Level.values, description="province, district or commune"
        ),
        OpenApiParameter(
            "on",
            OpenApiTypes.DATE,
            description="The date the units were valid on (YYYY-MM-DD, default today).",
        ),
        OpenApiParameter(
            "parent",
            str,
            description=(
                "Code of a unit valid on the same date: its children, and before 2025 also a "
                "province's communes (under its districts)."
            ),
        ),
        OpenApiParameter(
            "q", str, description="Name search, accent-insensitive ('pho hien' finds Phố Hiến)."
        ),
    ],
    responses=PlaceOut,
)
class PlaceListView(ProtectedAPIView, ListAPIView):
    """Places are public reference data: anyone with a valid membership may read them."""

    permission = Perm.PLACES_VIEW
    serializer_class = PlaceOut
    pagination_class = PlaceCursor

    def get_queryset(self):
        # "?q=" means no filter; an empty typed parameter ("?on=") is refused (api.query).
        query = PlaceQuery(data=given_params(self.request, PlaceQuery))
        query.is_valid(raise_exception=True)
        params = query.validated_data
        on: dt.date = params.get("on") or timezone.localdate()
        within = None
        if params.get("parent"):
            try:
                within = selectors.place_get(code=params["parent"], on=on)
            except PlaceNotFound as exc:
                raise serializers.ValidationError({"parent": exc.messages}) from exc
        return selectors.place_list(
            on=on, level=params.get("level"), within=within, q=params.get("q", "")
        )
