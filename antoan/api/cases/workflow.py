"""Protection measures, closure, reopening and transfers between agencies."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import CaseAPIView, active_user, errors, fields_under, parse
from antoan.api.cases.inputs import (
    ClosureDecisionIn,
    ClosureRequestIn,
    MeasureDecisionIn,
    MeasureIn,
    ReopenIn,
    TransferDecisionIn,
    TransferIn,
)
from antoan.api.cases.outputs import (
    CaseOut,
    ClosureRequestWrittenOut,
    DuplicateReviewOut,
    DuplicateReviewPageOut,
    MeasureWrittenOut,
    TransferIncomingOut,
    TransferPageOut,
    TransferWrittenOut,
    written,
)
from antoan.api.pagination import Cursor
from antoan.api.views import ProtectedAPIView
from antoan.cases import choices as c
from antoan.cases import selectors, services
from antoan.core.permissions import deny

_WRITE_ERRORS = errors(400, 404, 409)


class MeasureRequestView(CaseAPIView):
    @extend_schema(
        summary="Record a request for a protection measure",
        description=(
            "Law 13/2022 Art. 23. For a commune no-contact order the 12-hour decision clock "
            "starts at `requested_at`; the case shows its countdown."
        ),
        request=MeasureIn,
        responses={201: MeasureWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(MeasureIn, request.data, user=request.user)
        with fields_under():
            record = services.measure_request(
                case=case,
                actor=request.user,
                type=data["type"],
                deciding_body=data["deciding_body"],
                requested_at=data.get("requested_at"),
                version=data.get("version"),
                request=request,
            )
        body = MeasureWrittenOut(written(record, case), context={"now": services.now()}).data
        return Response(body, status=status.HTTP_201_CREATED)


class MeasureDecisionView(CaseAPIView):
    @extend_schema(
        summary="Record the decision on a requested measure",
        description=(
            "Within the law's limits: a commune no-contact order decided more than 12 hours "
            "after the request needs `late_reason`, and lasts at most 3 days; a court's at "
            "most 4 months. A refusal needs `refusal_reason`."
        ),
        request=MeasureDecisionIn,
        responses={200: MeasureWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int, measure_id: int):
        case = self.get_case(case_id)
        measure = selectors.measure_get(case, measure_id)
        measure.case = case  # so the service's version bump shows on our case
        data = parse(MeasureDecisionIn, request.data, user=request.user)
        with fields_under():
            record = services.measure_decide(
                measure=measure,
                actor=request.user,
                decision=data["decision"],
                decided_at=data["decided_at"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                refusal_reason=data["refusal_reason"],
                late_reason=data["late_reason"],
                version=data.get("version"),
                request=request,
            )
        return Response(
            MeasureWrittenOut(written(record, case), context={"now": services.now()}).data
        )


class ClosureRequestView(CaseAPIView):
    @extend_schema(
        summary="Ask to close the case",
        description=(
            "With a reason and every item of the closure checklist; a supervisor decides. "
            "A case that still lacks something (no assessment or case plan, open referrals, "
            "needs not met, protection measures pending or in force) also needs "
            "`missing_reason`: without it the answer is 400 on that field and nothing changes."
        ),
        request=ClosureRequestIn,
        responses={201: ClosureRequestWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(ClosureRequestIn, request.data, user=request.user)
        with fields_under():
            record = services.closure_request(
                case=case,
                actor=request.user,
                reason=data["reason"],
                checklist=data["checklist"],
                missing_reason=data["missing_reason"],
                version=data["version"],
                request=request,
            )
        return Response(
            ClosureRequestWrittenOut(written(record, case)).data, status=status.HTTP_201_CREATED
        )


class ClosureDecisionView(CaseAPIView):
    @extend_schema(
        summary="Approve or return a closure request (supervisors)",
        description=(
            "Approving closes the case; returning (with a comment) puts it back in the stage "
            "it was in. Others on the case get 403."
        ),
        request=ClosureDecisionIn,
        responses={200: ClosureRequestWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(ClosureDecisionIn, request.data, user=request.user)
        with fields_under():
            record = services.closure_decide(
                case=case,
                actor=request.user,
                approve=data["approve"],
                comment=data["comment"],
                version=data.get("version"),
                request=request,
            )
        return Response(ClosureRequestWrittenOut(written(record, case)).data)


class ReopenView(CaseAPIView):
    @extend_schema(
        summary="Reopen a closed case (supervisors)",
        description="The case's history stays; it continues in the stage `reopened`.",
        request=ReopenIn,
        responses={200: CaseOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(ReopenIn, request.data, user=request.user)
        with fields_under():
            case = services.case_reopen(
                case=case,
                actor=request.user,
                reason=data["reason"],
                version=data["version"],
                request=request,
            )
        return Response(CaseOut(case).data)


class TransferRequestView(CaseAPIView):
    @extend_schema(
        summary="Ask another agency to take the case over (supervisors)",
        description="The receiving agency's supervisor accepts or declines.",
        request=TransferIn,
        responses={201: TransferWrittenOut, **_WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(TransferIn, request.data, user=request.user)
        with fields_under():
            record = services.transfer_request(
                case=case,
                actor=request.user,
                to_agency=data["to_agency"],
                reason=data["reason"],
                version=data["version"],
                request=request,
            )
        return Response(
            TransferWrittenOut(written(record, case)).data, status=status.HTTP_201_CREATED
        )


class TransferCursor(Cursor):
    ordering = ("requested_at", "pk")


class TransferListView(ProtectedAPIView):
    """Pending transfers to the caller's agencies: the request, never the survivor."""

    permission = Perm.CASE_APPROVE

    @extend_schema(
        summary="Transfers waiting for your agency's decision (supervisors)",
        description="Case number, agencies, reason and risk level; no survivor data.",
        responses={200: TransferPageOut, **errors()},
    )
    def get(self, request):
        paginator = TransferCursor()
        page = paginator.paginate_queryset(
            selectors.transfers_incoming(request.user), request, view=self
        )
        return paginator.get_paginated_response(TransferIncomingOut(page, many=True).data)


class TransferDecisionView(ProtectedAPIView):
    permission = Perm.CASE_APPROVE

    @extend_schema(
        summary="Accept or decline a transfer to your agency (supervisors)",
        description=(
            "Accepting moves the case to your agency, assigned to `assign_to` if given. "
            "Declining needs `decline_reason`. 404 for transfers not addressed to you."
        ),
        request=TransferDecisionIn,
        responses={200: TransferWrittenOut, **errors(400, 404)},
    )
    def post(self, request, transfer_id: int):
        transfer = selectors.transfer_get_incoming(request.user, transfer_id)
        data = parse(TransferDecisionIn, request.data, user=request.user)
        assign_to = None
        if data["assign_to"] is not None:
            assign_to = active_user(data["assign_to"])
            if assign_to is None:
                raise exceptions.ValidationError(
                    {"assign_to": [_("Chỉ giao cho cán bộ quản lý ca của cơ quan tiếp nhận.")]}
                )
        with fields_under():
            transfer = services.transfer_decide(
                transfer=transfer,
                actor=request.user,
                accept=data["accept"],
                assign_to=assign_to,
                decline_reason=data["decline_reason"],
                request=request,
            )
        return Response(TransferWrittenOut(written(transfer, transfer.case)).data)


class DuplicateReviewCursor(Cursor):
    ordering = ("found_at", "pk")


class DuplicateReviewListView(ProtectedAPIView):
    """The provincial review queue of possible duplicates across agencies (read only)."""

    permission = Perm.CASES_RECONCILE

    @extend_schema(
        summary="Possible duplicates across agencies (provincial reviewers)",
        description=(
            "For holders of `cases.reconcile` in an agency of the province (403 otherwise). "
            "Case numbers, agencies, opening dates, what matched, sex and birth year: never a "
            "name or a phone. `status` filters (default `open`; `all` for every review). "
            "Audited. Decisions are taken on the page `/cases/duplicates/`."
        ),
        parameters=[
            OpenApiParameter("status", str, enum=[*c.DuplicateStatus.values, "all"]),
            OpenApiParameter("cursor", str, description="From the previous page's `next`."),
        ],
        responses={200: DuplicateReviewPageOut, **errors(400)},
    )
    def get(self, request):
        if selectors.reconciling_membership(request.user) is None:
            deny(request, self.permission)
        status_ = request.query_params.get("status", c.DuplicateStatus.OPEN)
        if status_ not in {*c.DuplicateStatus.values, "all"}:
            raise exceptions.ValidationError({"status": [_("Giá trị không hợp lệ.")]})
        rows = selectors.duplicate_reviews_for(
            request.user, status="" if status_ == "all" else status_, request=request
        )
        paginator = DuplicateReviewCursor()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(DuplicateReviewOut(page, many=True).data)
