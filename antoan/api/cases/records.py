"""Records added to a case: incidents, assessments, plans, follow-ups, notes and consents.

Each answers 201 with the record and the case's new ``version``. A ``version`` in the request
is optional here: an addition overwrites nothing, so it is accepted after others' changes
unless the client asks to be refused when the case moved on.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from antoan.api.cases.common import CaseAPIView, errors, fields_under, parse
from antoan.api.cases.inputs import (
    AssessmentIn,
    CasePlanIn,
    ConsentRecordIn,
    ConsentWithdrawIn,
    FollowUpIn,
    IncidentAddIn,
    NoteIn,
    SafetyPlanIn,
    consent_input,
    incident_input,
    plan_items,
)
from antoan.api.cases.outputs import (
    AssessmentWrittenOut,
    CasePlanWrittenOut,
    ConsentsWrittenOut,
    ConsentWithdrawnOut,
    FollowUpWrittenOut,
    IncidentWrittenOut,
    NoteWrittenOut,
    SafetyPlanWrittenOut,
    written,
)
from antoan.cases import services

_WRITE_ERRORS = errors(400, 404, 409)


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


class IncidentAddView(CaseAPIView):
    @extend_schema(
        summary="Record an incident",
        description="Classified by the GBVIMS ordered rule when `acts` are given.",
        request=IncidentAddIn,
        responses={201: IncidentWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(IncidentAddIn, request.data, user=request.user)
        with fields_under():
            record = services.incident_add(
                case=case,
                actor=request.user,
                incident=incident_input(data),
                version=data.get("version"),
                request=request,
            )
        return created(IncidentWrittenOut(written(record, case)).data)


class AssessmentAddView(CaseAPIView):
    @extend_schema(
        summary="Assess needs and risk",
        description="The risk level is computed from the answers; it raises the case's level.",
        request=AssessmentIn,
        responses={201: AssessmentWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(AssessmentIn, request.data, user=request.user)
        with fields_under():
            record = services.assessment_add(
                case=case,
                actor=request.user,
                needs=data["needs"],
                answers=data["answers"],
                immediate_danger=data["immediate_danger"],
                notes=data["notes"],
                version=data.get("version"),
                request=request,
            )
        return created(AssessmentWrittenOut(written(record, case)).data)


class SafetyPlanAddView(CaseAPIView):
    @extend_schema(
        summary="Record a safety plan",
        request=SafetyPlanIn,
        responses={201: SafetyPlanWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(SafetyPlanIn, request.data, user=request.user)
        with fields_under():
            record = services.safety_plan_add(
                case=case,
                actor=request.user,
                content=data["content"],
                version=data.get("version"),
                request=request,
            )
        return created(SafetyPlanWrittenOut(written(record, case)).data)


class CasePlanAddView(CaseAPIView):
    @extend_schema(
        summary="Record a case plan",
        description="Goals, and each service needed with the agency responsible and a due date.",
        request=CasePlanIn,
        responses={201: CasePlanWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(CasePlanIn, request.data, user=request.user)
        with fields_under():
            record = services.case_plan_add(
                case=case,
                actor=request.user,
                goals=data["goals"],
                items=plan_items(data["items"]),
                version=data.get("version"),
                request=request,
            )
        return created(CasePlanWrittenOut(written(record, case)).data)


class FollowUpAddView(CaseAPIView):
    @extend_schema(
        summary="Record a follow-up",
        request=FollowUpIn,
        responses={201: FollowUpWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(FollowUpIn, request.data, user=request.user)
        with fields_under():
            record = services.follow_up_add(
                case=case,
                actor=request.user,
                done_on=data["done_on"],
                method=data["method"],
                notes=data["notes"],
                next_due=data["next_due"],
                version=data.get("version"),
                request=request,
            )
        return created(FollowUpWrittenOut(written(record, case)).data)


class NoteAddView(CaseAPIView):
    @extend_schema(
        summary="Add a case note",
        request=NoteIn,
        responses={201: NoteWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(NoteIn, request.data, user=request.user)
        with fields_under():
            record = services.note_add(
                case=case,
                actor=request.user,
                body=data["body"],
                version=data.get("version"),
                request=request,
            )
        return created(NoteWrittenOut(written(record, case)).data)


class ConsentRecordView(CaseAPIView):
    @extend_schema(
        summary="Record consent",
        description=(
            "The survivor's decision (a guardian's for a child, with the child's own agreement "
            "from age 7) for services and for statistics, and optionally agencies to share "
            "with. It replaces earlier decisions for those purposes."
        ),
        request=ConsentRecordIn,
        responses={201: ConsentsWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(ConsentRecordIn, request.data, user=request.user)
        with fields_under():
            records = services.consent_record(
                case=case,
                actor=request.user,
                consent=consent_input(data),
                version=data.get("version"),
                request=request,
            )
        return created(ConsentsWrittenOut({"consents": records, "version": case.version}).data)


class ConsentWithdrawView(CaseAPIView):
    @extend_schema(
        summary="Withdraw consent for a purpose",
        description="Effective at once: a withdrawn reporting consent stops statistics counting.",
        request=ConsentWithdrawIn,
        responses={200: ConsentWithdrawnOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(ConsentWithdrawIn, request.data, user=request.user)
        with fields_under():
            count = services.consent_withdraw(
                case=case,
                actor=request.user,
                purpose=data["purpose"],
                version=data.get("version"),
                request=request,
            )
        body = {"purpose": data["purpose"], "withdrawn": count, "version": case.version}
        return Response(ConsentWithdrawnOut(body).data)
