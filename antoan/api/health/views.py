"""``/api/v1/health/contacts``: record a contact (write-only) and read the monthly summary.

A contact holds codes and yes/no answers only: the body is closed, so a key such as "name",
"phone" or "note" is a 400 and nothing is saved. No endpoint returns a contact: the 201 holds
its id and date, and the summary holds counts with small ones hidden.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import errors, parse, service_error
from antoan.api.cases.fields import Code, Codes, Day, Flag, StrictSerializer, Text, Uuid, Whole
from antoan.api.errors import ApiError
from antoan.api.query import ID_SCHEMA, given_params
from antoan.api.views import ProtectedAPIView
from antoan.cases import choices as c
from antoan.health import selectors, services
from antoan.indicators.selectors.places import UNKNOWN, rollup
from antoan.indicators.suppression import TOTAL


class ContactIn(StrictSerializer):
    client_uuid = Uuid(
        required=False,
        allow_null=True,
        help_text="Send one per contact: a retry with the same id records nothing new.",
    )
    facility = Whole(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The agency id of your facility; leave out when you work in one only.",
    )
    contact_date = Day(help_text="Not in the future, not before the facility existed.")
    sex = Code(c.Sex)
    age_band = Code(c.AgeGroup)
    gbv_type = Code(c.GbvType)
    violence_forms = Codes(c.DvForm, required=False, max_length=4)
    perpetrator_relation = Code(
        c.Relationship, required=False, allow_blank=True, help_text="Empty: not known."
    )
    emergency_care = Flag(required=False, default=False)
    forensic_exam = Flag(required=False, default=False)
    counselling = Flag(required=False, default=False)
    contraception_pep = Flag(required=False, default=False)
    referral_offered = Flag(required=False, default=False)
    referral_accepted = Flag(required=False, default=False, help_text="Needs `referral_offered`.")
    case_opened = Flag(
        required=False,
        default=False,
        help_text="A case exists for this person: it counts them, this contact does not.",
    )
    referral_number = Text(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="`CG-000123`: a referral sent to this facility (implies `case_opened`).",
    )


class ContactCreatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    contact_date = serializers.DateField()


class ContactCollectionView(ProtectedAPIView):
    permission = Perm.HEALTH_CONTACT_RECORD

    @extend_schema(
        operation_id="health_contacts_create",
        summary="Record a survivor seen at your health facility (anonymous, write-only)",
        description=(
            "For health workers of a hospital, medical centre or commune health station. "
            "Codes and yes/no only; any other key is refused (400). A facility that is not "
            "yours is refused (403), whether it exists or not. Answers the id and the date "
            "only; there is no endpoint that reads a contact back. A retry with the same "
            "`client_uuid` answers the first contact's id and date again (header "
            "`Idempotent-Replayed: true`); another user's `client_uuid` is a 409."
        ),
        request=ContactIn,
        responses={
            201: ContactCreatedOut,
            **errors(400),
            409: OpenApiResponse(description="`duplicate`: this `client_uuid` is taken."),
        },
    )
    def post(self, request):
        data = dict(parse(ContactIn, request.data))
        values = {k: v for k, v in data.items() if v is not None}
        try:
            result = services.contact_record(
                actor=request.user, data=services.ContactInput(**values), request=request
            )
        except DjangoValidationError as exc:
            if "client_uuid" in getattr(exc, "error_dict", {}):
                # Someone else's id: say no more than that it is taken.
                raise ApiError(
                    "duplicate", _("Mã client_uuid này đã được dùng; hãy tạo mã mới."), 409
                ) from exc
            raise service_error(exc) from exc
        response = Response(ContactCreatedOut(result.contact).data, status=status.HTTP_201_CREATED)
        if not result.created:
            response["Idempotent-Replayed"] = "true"
        return response


class SummaryQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)
    facility = serializers.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    commune = serializers.CharField(required=False, max_length=10)


class CountOut(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True, help_text="null when suppressed.")
    suppressed = serializers.BooleanField()


class MonthOut(CountOut):
    month = serializers.IntegerField()


class BreakdownOut(CountOut):
    dimension = serializers.CharField(
        help_text="`sex`, `age_band`, `gbv_type`, `emergency_care`, `forensic_exam`, "
        "`counselling`, `contraception_pep`, `referral`, `case_opened`."
    )
    category = serializers.CharField(
        help_text="A code; for the services and `case_opened` only `yes` is listed."
    )
    label = serializers.CharField()


class SummaryOut(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    facility = serializers.IntegerField(allow_null=True)
    place = serializers.CharField(
        allow_null=True,
        help_text="The commune's code (for a facility, its commune's); the province's when "
        "neither facility nor commune; null for the facilities outside any commune (a "
        "hospital at district or province level, or `commune=?`).",
    )
    place_name = serializers.CharField()
    total = CountOut()
    year_total = CountOut()
    months = MonthOut(many=True)
    breakdowns = BreakdownOut(many=True)


def _count(figure: selectors.Figure) -> dict[str, Any]:
    return {"value": figure.shown, "suppressed": figure.hidden}


class SummaryView(ProtectedAPIView):
    permission = Perm.HEALTH_STATS_VIEW

    @extend_schema(
        operation_id="health_contacts_summary",
        summary="A month's contacts of a facility, a commune or the province, small counts hidden",
        description=(
            "Health workers: their own facility (`facility` may be left out when they work in "
            "one). Analysts and managers: any facility of their province, a commune "
            "(`commune`) or the province (neither). Counts from 1 to "
            "`ANTOAN_SUPPRESS_BELOW - 1`, and those that would reveal them, are "
            "`suppressed: true` with a null `value`. A facility or commune outside your scope "
            "is refused like an unknown one (400)."
        ),
        parameters=[
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 1900, "maximum": 2999},
                description="Default: this year.",
            ),
            OpenApiParameter(
                "month",
                {"type": "integer", "minimum": 1, "maximum": 12},
                description="Default: this month.",
            ),
            OpenApiParameter("facility", ID_SCHEMA, required=False),
            OpenApiParameter(
                "commune",
                str,
                required=False,
                description="Analysts and managers: a commune's code, or `?` for the "
                "facilities outside any commune (hospitals at district or province level).",
            ),
        ],
        responses={200: SummaryOut, **errors(400)},
    )
    def get(self, request):
        scope = selectors.report_scope(request.user)
        if scope is None:
            raise ApiError(
                "permission_denied", _("Bạn không có quyền thực hiện thao tác này."), 403
            )
        params = dict(parse(SummaryQuery, given_params(request, SummaryQuery)))
        today = timezone.localdate()
        params.setdefault("year", today.year)
        params.setdefault("month", today.month)
        problems = selectors.check_period(params["year"], params["month"])
        facility = None
        commune = params.get("commune", "")
        if "facility" in params:
            facility = next((f for f in scope.facilities if f.pk == params["facility"]), None)
            if facility is None:
                problems["facility"] = [_("Không có cơ sở y tế này trong phạm vi của bạn.")]
        elif not scope.province_wide:
            if len(scope.facilities) == 1:
                facility = scope.facilities[0]
            else:
                problems["facility"] = [_("Hãy chọn cơ sở y tế.")]
        if commune:
            known = {p.code for p in rollup().communes_of(scope.province.code)} | {UNKNOWN}
            if not scope.province_wide or commune not in known:
                problems["commune"] = [_("Không có xã, phường này trong phạm vi của bạn.")]
            elif facility is not None:
                problems["commune"] = [_("Chọn một cơ sở hoặc một xã, phường, không chọn cả hai.")]
        if problems:
            raise exceptions.ValidationError(problems)
        report = selectors.report_for(
            scope, year=params["year"], month=params["month"], facility=facility, commune=commune
        )
        place = None
        if facility is None:
            place = scope.province.code if report.place == TOTAL else report.place
            place = None if place == UNKNOWN else place
        else:
            place = rollup().commune_of.get(facility.place_id)
            place = None if place in (None, UNKNOWN) else place
        body = {
            "year": report.year,
            "month": report.month,
            "facility": facility.pk if facility is not None else None,
            "place": place,
            "place_name": report.place_name,
            "total": _count(report.total),
            "year_total": _count(report.year_total),
            "months": [{"month": m, **_count(f)} for m, f in report.months],
            "breakdowns": [
                {"dimension": dim, "category": cat, "label": str(label), **_count(f)}
                for dim, _label, rows in report.breakdowns
                for cat, label, f in rows
            ],
        }
        return Response(SummaryOut(body).data)
