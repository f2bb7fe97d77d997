"""``/api/v1/reports``: the annual reporting cycle.

Cycles are readable by anyone working on the programme. A submission is visible to its
agency's reporters (drafts included), to the lead department's reviewers, and once submitted
to leaders and analysts; to anyone else its id answers 404, as a missing one does. Reporters
edit (PATCH) and submit; reviewers return (with a reason) and accept. Every change names the
``version`` it was made on; a stale one answers 409 with the current version.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from antoan.accounts.reauth import has_recent_auth, reauth_required_response
from antoan.api.cases.common import CaseError
from antoan.api.cases.fields import StrictSerializer, Text
from antoan.api.errors import error_body
from antoan.api.programme.common import ProgrammeAPIView, errors, forbidden, parse, refusals
from antoan.api.query import YEAR_SCHEMA
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.programme.selectors import plan_get_for_user
from antoan.reports import documents, prefill, selectors, services
from antoan.reports.choices import SubmissionStatus
from antoan.reports.documents import CONTENT_TYPES, DOCX, WITH_TEXT
from antoan.reports.models import Submission

# --- Outputs -----------------------------------------------------------------------------------


class CycleOut(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id", help_text="The plan's id.")
    plan_number = serializers.CharField(source="plan.number")
    year = serializers.IntegerField()
    period_start = serializers.DateField(help_text="First day the figures cover.")
    period_end = serializers.DateField(help_text="Last day the figures cover.")
    due_date = serializers.DateField()
    closed = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField(
        help_text="The narrative sections of the template: `key` and `title`."
    )

    def get_closed(self, cycle: Any) -> bool:
        return cycle.closed_at is not None

    def get_sections(self, cycle: Any) -> list[dict[str, str]]:
        return [{"key": s["key"], "title": s["title"]} for s in cycle.template.get("sections", [])]


class DifferenceOut(serializers.Serializer):
    table = serializers.CharField()
    row = serializers.CharField()
    column = serializers.CharField()
    entered = serializers.IntegerField()
    recorded = serializers.IntegerField()
    difference = serializers.IntegerField(help_text="entered − recorded")


class SubmissionOut(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = serializers.IntegerField(source="cycle_id")
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    number = serializers.IntegerField(help_text="1, then 2, 3… for corrections after acceptance.")
    status = serializers.ChoiceField(choices=SubmissionStatus.choices)
    late = serializers.BooleanField()
    narratives = serializers.DictField(child=serializers.CharField(allow_blank=True))
    figures = serializers.JSONField(help_text="`{table: {row: {column: number}}}` as typed.")
    recorded = serializers.JSONField(
        help_text="The same tables from the agency's records; a suppressed case figure is null."
    )
    differences = serializers.SerializerMethodField()
    return_reason = serializers.CharField()
    correction_reason = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()

    def get_differences(self, sub: Any) -> list[dict[str, Any]]:
        return DifferenceOut(prefill.differences(sub.figures, sub.recorded), many=True).data


# --- Inputs ------------------------------------------------------------------------------------


class CycleQuery(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1)
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)


class SubmissionPatch(StrictSerializer):
    version = serializers.IntegerField(min_value=1)
    narratives = serializers.DictField(
        child=Text(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Section key → text (at most 60,000 characters each).",
    )
    figures = serializers.DictField(
        child=serializers.DictField(child=serializers.DictField()),
        required=False,
        help_text="`{table: {row: {column: integer}}}`: only the editable columns.",
    )


class VersionIn(StrictSerializer):
    version = serializers.IntegerField(min_value=1)


class ReportReasonIn(StrictSerializer):
    version = serializers.IntegerField(min_value=1)
    reason = Text(max_length=5000)


def _conflict(sub: Submission) -> Response:
    current = Submission.objects.get(pk=sub.pk)
    body = error_body(
        "conflict",
        _(
            "Báo cáo đã được người khác cập nhật (phiên bản hiện tại %(current)s). Hãy tải "
            "lại rồi gửi lại thay đổi."
        )
        % {"current": current.version},
    )
    body["error"]["current_version"] = current.version
    return Response(body, status=status.HTTP_409_CONFLICT)


def _run(sub: Submission, call: Any) -> Response:
    try:
        result = call()
    except DjangoValidationError as exc:
        if getattr(exc, "code", "") == services.STALE:
            return _conflict(sub)
        with refusals():
            raise
    return Response(SubmissionOut(result).data)


# --- Views -------------------------------------------------------------------------------------


class CycleListView(ProgrammeAPIView):
    @extend_schema(
        operation_id="reports_cycles_list",
        summary="Reporting cycles: one per published provincial plan and year",
        parameters=[
            OpenApiParameter("plan", {"type": "integer", "minimum": 1}),
            OpenApiParameter("year", {**YEAR_SCHEMA}),
        ],
        responses={200: CycleOut(many=True), **errors(400)},
    )
    def get(self, request):
        params = parse(CycleQuery, request.query_params)
        cycles = selectors.cycle_list(request.user).order_by("-year", "plan_id")
        if params.get("plan"):
            cycles = cycles.filter(plan_id=params["plan"])
        if params.get("year"):
            cycles = cycles.filter(year=params["year"])
        return Response(CycleOut(cycles, many=True).data)


class SubmissionDetailView(ProgrammeAPIView):
    @extend_schema(
        operation_id="reports_submissions_retrieve",
        summary="One agency's report for a cycle",
        responses={200: SubmissionOut, **errors(404)},
    )
    def get(self, request, submission_id: int):
        sub = selectors.submission_get(request.user, submission_id)
        audit_record(
            action=AuditAction.VIEW,
            request=request,
            object_type="reports.submission",
            object_id=sub.pk,
        )
        return Response(SubmissionOut(sub).data)

    @extend_schema(
        operation_id="reports_submissions_update",
        summary="Edit the narratives and typed figures of a draft or returned report",
        description=(
            "For the agency's reporters. An accepted report is changed only through a "
            "correction (a new version), a submitted one not at all until returned (400)."
        ),
        request=SubmissionPatch,
        responses={200: SubmissionOut, **errors(400, 404, 409)},
    )
    def patch(self, request, submission_id: int):
        sub = selectors.submission_get(request.user, submission_id)
        data = parse(SubmissionPatch, request.data)
        return _run(
            sub,
            lambda: services.submission_save(
                actor=request.user,
                submission=sub,
                version=data["version"],
                narratives=data.get("narratives"),
                figures=data.get("figures"),
                request=request,
            ),
        )


def _action_view(name: str, summary: str, needs_reason: bool):
    class ActionView(ProgrammeAPIView):
        @extend_schema(
            operation_id=f"reports_submissions_{name}",
            summary=summary,
            request=ReportReasonIn if needs_reason else VersionIn,
            responses={200: SubmissionOut, **errors(400, 404, 409)},
        )
        def post(self, request, submission_id: int):
            sub = selectors.submission_get(request.user, submission_id)
            data = parse(ReportReasonIn if needs_reason else VersionIn, request.data)
            call = {
                "submit": services.submission_submit,
                "return": services.submission_return,
                "accept": services.submission_accept,
                "correct": services.submission_correct,
            }[name]
            kwargs = {"reason": data["reason"]} if needs_reason else {}
            return _run(
                sub,
                lambda: call(
                    actor=request.user,
                    submission=sub,
                    version=data["version"],
                    request=request,
                    **kwargs,
                ),
            )

    ActionView.__name__ = f"Submission{name.title()}View"
    return ActionView


SubmitView = _action_view(
    "submit",
    "Submit (or resubmit after a return); after the due date it is taken and flagged late",
    False,
)
ReturnView = _action_view("return", "Return a submitted report with a reason (reviewers)", True)
AcceptView = _action_view("accept", "Accept a submitted report (reviewers)", False)
CorrectView = _action_view(
    "correct",
    "Open a correction of an accepted report: a new version with its reason; the accepted "
    "one stays in the history",
    True,
)

_FILE = OpenApiResponse(OpenApiTypes.BINARY, description="The document.")


def _document(found: documents.DocumentFile) -> HttpResponse:
    response = HttpResponse(found.data, content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    return response


class _Consolidated(ProgrammeAPIView):
    fmt = "docx"

    def get(self, request, cycle_id: int):
        if not selectors.may_read_documents(request.user):
            raise forbidden()
        cycle = selectors.cycle_get(request.user, cycle_id)
        if self.fmt in WITH_TEXT and not has_recent_auth(request):
            return reauth_required_response(request)
        options = {}
        if self.fmt in WITH_TEXT:
            with refusals():
                options = documents.document_options(request.query_params)
        try:
            found = documents.consolidated_file(cycle, self.fmt, user=request.user, **options)
        except documents.PdfUnavailable as exc:
            return Response(error_body("unavailable", str(exc)), status=503)
        audit_record(
            action=AuditAction.EXPORT,
            request=request,
            object_type="reports.cycle",
            object_id=cycle.pk,
            extra={"format": self.fmt, "document": "consolidated"},
        )
        return _document(found)


def _consolidated_view(fmt: str) -> type[_Consolidated]:
    step_up = fmt in WITH_TEXT
    description = (
        "In the Decree 30/2020/NĐ-CP layout; it carries the agencies' narratives, so it needs a "
        "token issued within the re-authentication window (else 403 `reauth_required`). "
        "Without LibreOffice on the server the PDF is 503 `unavailable`."
        if step_up
        else "The annex: every table of the report, suppressed aggregates only."
    )
    responses: dict[Any, Any] = {(200, CONTENT_TYPES[fmt]): _FILE, **errors(404)}
    if fmt == "pdf":
        responses[503] = OpenApiResponse(
            CaseError, description="`unavailable`: LibreOffice is not installed."
        )

    parameters = (
        [
            OpenApiParameter(
                "number",
                {"type": "string", "maxLength": 30},
                description='The number given at registration ("125" or "125/BC-SNV"); '
                "dots when absent.",
            ),
            OpenApiParameter("signer_title", {"type": "string", "maxLength": 120}),
            OpenApiParameter(
                "signer_name",
                {"type": "string", "maxLength": 120},
                description="Blank leaves the space for a handwritten name.",
            ),
        ]
        if step_up
        else []
    )
    if step_up:
        responses[400] = errors(400)[400]

    class View(_Consolidated):
        @extend_schema(
            operation_id=f"reports_consolidated_{fmt}",
            summary=f"The consolidated provincial report of a cycle ({fmt.upper()})",
            description=description,
            parameters=parameters,
            responses=responses,
        )
        def get(self, request, cycle_id: int):
            return super().get(request, cycle_id)

    View.fmt = fmt
    View.__name__ = f"Consolidated{fmt.title()}View"
    return View


ConsolidatedView = _consolidated_view("docx")
ConsolidatedPdfView = _consolidated_view("pdf")
ConsolidatedXlsxView = _consolidated_view("xlsx")


class FinalReviewQuery(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1)


class FinalReviewView(ProgrammeAPIView):
    @extend_schema(
        operation_id="reports_final_review",
        summary="The final review of a provincial plan over its whole period (DOCX)",
        parameters=[OpenApiParameter("plan", {"type": "integer", "minimum": 1}, required=True)],
        responses={(200, DOCX): _FILE, **errors(400, 404)},
    )
    def get(self, request):
        if not selectors.may_read_documents(request.user):
            raise forbidden()
        params = parse(FinalReviewQuery, request.query_params)
        plan = plan_get_for_user(request.user, params["plan"])
        if plan.parent_id is not None or not plan.is_published:
            raise NotFound
        if not has_recent_auth(request):
            return reauth_required_response(request)
        found = documents.final_review_file(plan, "docx", user=request.user)
        audit_record(
            action=AuditAction.EXPORT,
            request=request,
            object_type="programme.plan",
            object_id=plan.pk,
            extra={"format": "docx", "document": "final_review"},
        )
        return _document(found)
