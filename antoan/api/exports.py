"""Statistical exports of the caller's province for a calendar year (docs/interop/exports.md).

DHIS2 ``dataValueSets``, Circular 07's domestic-violence tables and Decree 110's information
groups are aggregates with small counts hidden: anyone who reads indicators may take them. The
GBVIMS Incident Recorder workbook holds one row per incident (codes only): analysts only, with a
token issued within ``ANTOAN_REAUTH_MINUTES`` (``403 reauth_required`` otherwise) and the export
volume check. Every export is an ``export`` audit event; every refusal is audited.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from antoan.accounts.reauth import has_recent_auth, reauth_required_response
from antoan.accounts.roles import Perm
from antoan.api.cases.common import CaseError
from antoan.api.indicators.views import province_or_refuse
from antoan.api.views import ProtectedAPIView
from antoan.core.audit import audit_record
from antoan.core.export_limits import export_volume_check
from antoan.core.models import AuditAction
from antoan.core.permissions import deny
from antoan.indicators.periods import FIRST_YEAR
from antoan.reports import exports
from antoan.reports.exports.common import Export

YEAR = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": FIRST_YEAR},
    required=True,
    description="Calendar year, from 2000 to this year.",
)
_ERRORS = {
    400: OpenApiResponse(CaseError, description="`invalid`: `fields.year` says why."),
    401: OpenApiResponse(CaseError, description="`not_authenticated`, `authentication_failed`"),
    403: OpenApiResponse(CaseError, description="`permission_denied`"),
}


class _ExportView(ProtectedAPIView):
    permission = Perm.INDICATORS_VIEW
    kind = ""
    build: Any = None

    def produce(self, request: Any) -> tuple[Any, Export, int]:
        province = province_or_refuse(request)
        year = exports.parse_year(request.query_params.get("year"))
        return province, type(self).build(province, year), year

    def answer(self, export: Export) -> Any:
        if isinstance(export.content, dict):
            response = Response(export.content)
        elif hasattr(export.content, "read"):
            # A streamed workbook in a temporary file: sent in blocks, closed (and so deleted)
            # when the response is.
            return FileResponse(
                export.content,
                as_attachment=True,
                filename=export.filename,
                content_type=export.content_type,
            )
        else:
            response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response

    def get(self, request):
        province, export, year = self.produce(request)
        exports.export_record(request, self.kind, province, export, year)
        return self.answer(export)


class Dhis2ExportView(_ExportView):
    kind, build = "dhis2", staticmethod(exports.dhis2_json)

    @extend_schema(
        operation_id="exports_dhis2",
        summary="DHIS2 dataValueSets of the province and its communes for a calendar year",
        description=(
            "Period `YYYY` (calendar year). Org units are statistics-office codes: import with "
            "`orgUnitIdScheme=CODE`. Data elements and category option combos come from "
            "`data/dhis2/mapping.yaml`. A figure hidden by small-cell suppression is left out "
            "(DHIS2 has no suppressed marker); values equal `/indicators/values` for the same "
            "year and place."
        ),
        parameters=[YEAR],
        responses={200: OpenApiTypes.OBJECT, **_ERRORS},
    )
    def get(self, request):
        return super().get(request)


class Circular07ExportView(_ExportView):
    kind, build = "circular07", staticmethod(exports.circular07_xlsx)

    @extend_schema(
        operation_id="exports_circular07",
        summary="Circular 07/2017/TT-BVHTTDL domestic-violence tables of a year (xlsx)",
        description="Five tables by sex and age; hidden cells read `ẩn`, never a number.",
        parameters=[YEAR],
        responses={(200, exports.common.XLSX): OpenApiTypes.BINARY, **_ERRORS},
    )
    def get(self, request):
        return super().get(request)


class Decree110ExportView(_ExportView):
    kind, build = "decree110", staticmethod(exports.decree110_json)

    @extend_schema(
        operation_id="exports_decree110",
        summary="Decree 110/2025/NĐ-CP information groups: aggregate counts of a year",
        description=(
            "Sixteen groups, each `held` (`yes`, `partly`, `no`) with counts (null when not "
            "held); hidden counts are `value: null, suppressed: true`. Not personal records."
        ),
        parameters=[YEAR],
        responses={200: OpenApiTypes.OBJECT, **_ERRORS},
    )
    def get(self, request):
        return super().get(request)


class GbvimsExportView(_ExportView):
    kind, build = "gbvims", staticmethod(exports.gbvims_file)

    @extend_schema(
        operation_id="exports_gbvims",
        summary="GBVIMS Incident Recorder-style workbook of a year: one row per incident",
        description=(
            "Codes, counts and months only; consented incidents only. Analysts only. Needs a "
            "token issued within `ANTOAN_REAUTH_MINUTES` (5 by default): otherwise "
            "`403 reauth_required`, take a new token and resend. Counted by the export volume "
            "check (`429 export_limit`)."
        ),
        parameters=[YEAR],
        responses={(200, exports.common.XLSX): OpenApiTypes.BINARY, **_ERRORS},
    )
    def get(self, request):
        if not exports.may_export_rows(request.user):
            deny(request, f"{Perm.INDICATORS_VIEW}:row_level")
        if not has_recent_auth(request):
            audit_record(
                action=AuditAction.PERMISSION_DENIED,
                request=request,
                object_type="statistics_export",
                object_id=self.kind,
                extra={"reason": "reauth_required"},
            )
            return reauth_required_response(request)
        refused = export_volume_check(request)
        if refused is not None:
            return refused
        return super().get(request)
