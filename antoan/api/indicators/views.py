"""Indicators: the catalogue, live values with small counts hidden, and estimates.

Aggregates only: no endpoint here takes or returns a case, a person or a row. Values are for
the province of the caller's agency; asking about a place outside it is refused like an
unknown place (400), so the answer never tells what exists elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import CaseError
from antoan.api.errors import error_body
from antoan.api.query import given_params
from antoan.api.views import ProtectedAPIView
from antoan.core.permissions import deny
from antoan.indicators import services
from antoan.indicators.periods import PERIOD_CODES
from antoan.indicators.selectors import catalogue
from antoan.indicators.selectors.breakdowns import BREAKDOWNS, category_labels
from antoan.indicators.selectors.values import (
    FILTERS,
    Calculator,
    Value,
    parse_query,
    user_province,
)
from antoan.places.models import Place

_ERRORS = {
    400: OpenApiResponse(CaseError, description="`invalid`: see `fields`; nothing was changed."),
    401: OpenApiResponse(CaseError, description="`not_authenticated`, `authentication_failed`"),
    403: OpenApiResponse(CaseError, description="`permission_denied`"),
    409: OpenApiResponse(
        CaseError, description="`conflict`: the estimate changed since the `version` you sent."
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: _ERRORS[code] for code in sorted({401, 403, *codes})}


# --- The catalogue ---------------------------------------------------------------------------


class TargetOut(serializers.Serializer):
    year = serializers.IntegerField()
    value = serializers.FloatField()
    comparison = serializers.CharField(help_text="`>=`, `>`, `=`, `<=` or `<`.")
    source = serializers.CharField()


class IndicatorMeasureOut(serializers.Serializer):
    measure = serializers.CharField(help_text="The query function that counts it.")
    label = serializers.CharField()


class IndicatorOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    kind = serializers.CharField(help_text="`target` or `operational`.")
    unit = serializers.CharField(help_text="`percent`, `count`, `hours` or `ratio`.")
    numerator = IndicatorMeasureOut()
    denominator = IndicatorMeasureOut(allow_null=True)
    disaggregations = serializers.ListField(child=serializers.CharField())
    year_only = serializers.BooleanField()
    higher_is_better = serializers.BooleanField()
    source = serializers.CharField()
    targets = TargetOut(many=True)


class IndicatorPageOut(serializers.Serializer):
    results = IndicatorOut(many=True)
    next = serializers.CharField(allow_null=True)


def indicator_body(indicator: Any) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "definition": indicator.definition,
        "kind": indicator.kind,
        "unit": indicator.unit,
        "numerator": {"measure": indicator.numerator, "label": indicator.numerator_label},
        "denominator": (
            {"measure": indicator.denominator, "label": indicator.denominator_label}
            if indicator.denominator
            else None
        ),
        "disaggregations": indicator.disaggregations,
        "year_only": indicator.year_only,
        "higher_is_better": indicator.higher_is_better,
        "source": indicator.source,
        "targets": [
            {
                "year": t.year,
                "value": float(t.value),
                "comparison": t.comparison,
                "source": t.source,
            }
            for t in catalogue.targets_of(indicator)
        ],
    }


class IndicatorListView(ProtectedAPIView):
    permission = Perm.INDICATORS_VIEW

    @extend_schema(
        operation_id="indicators_list",
        summary="The indicator catalogue: definitions, measures, breakdowns and targets",
        responses={200: IndicatorPageOut, **errors()},
    )
    def get(self, request):
        results = [indicator_body(ind) for ind in catalogue.indicator_list()]
        return Response({"results": results, "next": None})


# --- Values ----------------------------------------------------------------------------------


class ValueOut(serializers.Serializer):
    code = serializers.CharField()
    period = serializers.CharField(
        help_text='"2026", "2026Q1", "202603", or "2026R" for the reporting year.'
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    place = serializers.CharField(
        allow_null=True, help_text="Statistics code; null for records with no known commune."
    )
    place_name = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    category_label = serializers.CharField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(
        allow_null=True, help_text="For a median (hours): how many it is taken over."
    )
    target = serializers.FloatField(allow_null=True)
    target_comparison = serializers.CharField(allow_null=True)
    target_year = serializers.IntegerField(allow_null=True)
    target_source = serializers.CharField(allow_null=True)
    suppressed = serializers.BooleanField(
        help_text="A small count (or one that would reveal it) is hidden: value, numerator "
        "and denominator are null."
    )
    note = serializers.CharField(
        allow_null=True,
        help_text="`no_estimate`, `no_data`, `year_only`, `breakdown`, `not_by_commune`.",
    )
    flags = serializers.ListField(
        child=serializers.CharField(), help_text="`estimate_below_numerator`."
    )


class ValuePageOut(serializers.Serializer):
    results = ValueOut(many=True)


def value_body(v: Value, labels: dict[tuple[str, str], str]) -> dict[str, Any]:
    target = v.target
    return {
        "code": v.indicator.code,
        "period": v.period.id,
        "period_start": v.period.start,
        "period_end": v.period.end,
        "place": v.place_code,
        "place_name": v.place_name,
        "by": v.by or None,
        "category": v.category or None,
        "category_label": labels.get((v.by, v.category)) if v.by else None,
        "value": v.value,
        "numerator": v.numerator,
        "denominator": v.denominator,
        "target": float(target.value) if target else None,
        "target_comparison": target.comparison if target else None,
        "target_year": target.year if target else None,
        "target_source": target.source if target else None,
        "suppressed": v.suppressed,
        "note": v.note or None,
        "flags": v.flags,
    }


def labels_for(values: list[Value]) -> dict[tuple[str, str], str]:
    by_dim: dict[str, set[str]] = {}
    for v in values:
        if v.by:
            by_dim.setdefault(v.by, set()).add(v.category)
    out = {}
    for dim, cats in by_dim.items():
        for cat, label in category_labels(dim, sorted(cats)).items():
            out[(dim, cat)] = label
    return out


def province_or_refuse(request: Any, perm: Perm = Perm.INDICATORS_VIEW) -> Place:
    """The caller's province; a membership in an agency outside any province is refused, and
    the refusal audited."""
    province = user_province(request.user, perm)
    if province is None:
        deny(request, perm)
    return province


class ValueListView(ProtectedAPIView):
    permission = Perm.INDICATORS_VIEW

    @extend_schema(
        operation_id="indicators_values",
        summary="Live indicator values for a year and period, a place and one breakdown",
        description=(
            "Values are computed from the records at the moment of the request. Counts from 1 "
            "to `ANTOAN_SUPPRESS_BELOW - 1` (default 4), and the counts that would reveal "
            "them, are hidden: `suppressed: true` with null value, numerator and denominator. "
            "Breakdowns (`by` other than `commune`, or a filter) are for whole years; communes "
            "for years and quarters; months and the reporting year (`period=reporting`, "
            "01/12 of the year before to 30/11) for the province. At most one of `sex`, "
            "`age_band`, `gbv_type`. Records of communes merged on 01/07/2025 count in the "
            "commune they became part of."
        ),
        parameters=[
            OpenApiParameter("year", int, description="Default: this year."),
            OpenApiParameter("period", str, enum=PERIOD_CODES, description="Default: `year`."),
            OpenApiParameter(
                "place", str, description="A commune's code, or the province's (default)."
            ),
            OpenApiParameter("by", str, enum=["commune", *BREAKDOWNS]),
            OpenApiParameter("code", str, description="Indicator codes, comma-separated."),
            *[OpenApiParameter(name, str, enum=values) for name, values in FILTERS.items()],
        ],
        responses={200: ValuePageOut, **errors(400)},
    )
    def get(self, request):
        province = province_or_refuse(request)
        query = parse_query(province, dict(request.query_params.items()))
        values = Calculator(query).values()
        labels = labels_for(values)
        return Response({"results": [value_body(v, labels) for v in values]})


# --- Estimates -------------------------------------------------------------------------------


class EstimateOut(serializers.Serializer):
    id = serializers.IntegerField()
    indicator = serializers.CharField(source="indicator.code")
    year = serializers.IntegerField()
    place = serializers.CharField(source="place.code")
    place_name = serializers.CharField(source="place.name")
    value = serializers.IntegerField()
    source = serializers.CharField()
    method = serializers.CharField()
    version = serializers.IntegerField()
    entered_by = serializers.SerializerMethodField()
    entered_at = serializers.DateTimeField()
    superseded_at = serializers.DateTimeField(allow_null=True)

    def get_entered_by(self, estimate: Any) -> str:
        user = estimate.entered_by
        return user.get_full_name() or user.get_username()


class EstimatePageOut(serializers.Serializer):
    results = EstimateOut(many=True)
    next = serializers.CharField(allow_null=True)


class EstimateIn(serializers.Serializer):
    indicator = serializers.CharField(max_length=20)
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    place = serializers.CharField(max_length=10)
    value = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"min_value": gettext_lazy("Số ước tính phải lớn hơn 0.")},
    )
    source = serializers.CharField(
        max_length=300, error_messages={"blank": gettext_lazy("Trường này là bắt buộc.")}
    )
    method = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=2**31 - 1,
        help_text="The version of the estimate in force you are revising; leave out for a new one.",
    )

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: [_("Trường này không có.")] for name in sorted(unknown)}
            )
        return attrs


class EstimateQuery(serializers.Serializer):
    indicator = serializers.CharField(required=False, max_length=20)
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    place = serializers.CharField(required=False, max_length=10)
    history = serializers.BooleanField(required=False, default=False)


class EstimateView(ProtectedAPIView):
    """GET: anyone who reads indicators; POST: the statistics office and the coordinator."""

    permission = Perm.INDICATORS_VIEW

    def get_permissions(self):
        if self.request.method == "POST":
            self.permission = Perm.INDICATORS_ESTIMATE
        return super().get_permissions()

    @extend_schema(
        operation_id="indicators_estimates_list",
        summary="Estimates in force (or every version, `history=true`) of the province",
        parameters=[
            OpenApiParameter("indicator", str),
            OpenApiParameter("year", {"type": "integer", "minimum": 1900, "maximum": 2200}),
            OpenApiParameter("place", str),
            OpenApiParameter("history", bool),
        ],
        responses={200: EstimatePageOut, **errors(400)},
    )
    def get(self, request):
        given = given_params(request, EstimateQuery)
        serializer = EstimateQuery(data=given)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        estimates = catalogue.estimate_list(
            user_province(request.user),
            indicator=params.get("indicator", ""),
            year=params.get("year"),
            place=params.get("place", ""),
            history=params.get("history", False),
        )
        return Response({"results": EstimateOut(estimates[:1000], many=True).data, "next": None})

    @extend_schema(
        operation_id="indicators_estimates_save",
        summary="Enter an estimate (201) or revise the one in force with its `version` (200)",
        request=EstimateIn,
        responses={200: EstimateOut, 201: EstimateOut, **errors(400, 409)},
    )
    def post(self, request):
        serializer = EstimateIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            estimate, created = services.estimate_save(
                actor=request.user, data=services.EstimateInput(**data), request=request
            )
        except services.EstimateConflict as exc:
            body = error_body(
                "conflict",
                _(
                    "Ước tính đã được %(by)s sửa (phiên bản %(current)s) sau khi bạn mở. Hãy "
                    "xem số mới rồi nhập lại nếu cần."
                )
                % {
                    "by": exc.current.entered_by.get_full_name()
                    or exc.current.entered_by.get_username(),
                    "current": exc.current.version,
                },
            )
            body["error"]["current_version"] = exc.current.version
            return Response(body, status=status.HTTP_409_CONFLICT)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(EstimateOut(estimate).data, status=code)
