"""``/api/v1/hotline/calls``: log calls, list and read them, record notices, open a case."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import errors, fields_under, parse, service_error
from antoan.api.cases.inputs import incident_input, survivor_input
from antoan.api.cases.intake import open_route
from antoan.api.errors import ApiError
from antoan.api.hotline.io import (
    CallCaseOut,
    CallDetailOut,
    CallIn,
    CallOpenCaseIn,
    CallOut,
    CallPageOut,
    CallQuery,
    NotificationIn,
    NotificationOut,
)
from antoan.api.pagination import CURSOR_PARAMETER, LIMIT_PARAMETER, Cursor
from antoan.api.query import given_params
from antoan.api.views import ProtectedAPIView
from antoan.cases.services import ConsentInput, DuplicateChecksExceeded
from antoan.core.permissions import act_as, has_perm
from antoan.hotline import selectors, services
from antoan.hotline.models import Call
from antoan.hotline.services.contacts import earlier_contacts

_CALL_FIELDS = {f.name for f in dataclasses.fields(services.CallInput)}


class CallAPIView(ProtectedAPIView):
    """Gate: operators (``hotline.log_call``) or supervisors (``hotline.view_all``); everyone
    else 403. Behind the gate a call outside the caller's scope answers 404."""

    permission = Perm.CALL_LOG
    operators_only = False

    def initial(self, request, *args, **kwargs):
        # Before super().initial(), which checks ``self.permission``.
        user = request.user
        if (
            not self.operators_only
            and getattr(user, "is_authenticated", False)
            and not has_perm(user, Perm.CALL_LOG)
            and has_perm(user, Perm.CALL_VIEW_ALL)
        ):
            self.permission = Perm.CALL_VIEW_ALL
        super().initial(request, *args, **kwargs)

    def get_call(self, call_id: Any, *, audit: bool = False) -> Call:
        act_as(self.request, Perm.CALL_VIEW_ALL) or act_as(self.request, Perm.CALL_LOG)
        return selectors.call_get_for_user(
            self.request.user, call_id, request=self.request, audit=audit
        )


def detail_of(call: Call, user: Any) -> dict[str, Any]:
    call.case_ref = selectors.case_link(user, call)
    call.notices = list(call.notifications.select_related("agency", "notified_by"))
    call.commune_chair_notified = not services.chair_notice_missing(call)
    call.earlier_contacts = earlier_contacts(call)
    return CallDetailOut(call).data


class CallCursor(Cursor):
    ordering = ("-received_at", "-pk")


class CallCollectionView(CallAPIView):
    @extend_schema(
        operation_id="hotline_calls_list",
        summary="Calls you may see",
        description=(
            "An operator sees their own calls and the open queue of their hotline; a supervisor "
            "every call of their hotline. Without the summary; every list is audited."
        ),
        parameters=[
            OpenApiParameter("status", str, enum=["open", "closed"]),
            OpenApiParameter("mine", bool, description="Only calls you logged."),
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
        responses={200: CallPageOut, **errors(400)},
    )
    def get(self, request):
        params = parse(CallQuery, given_params(request, CallQuery))
        calls = selectors.call_list(
            request.user,
            selectors.CallFilters(status=params.get("status", ""), mine=params.get("mine", False)),
            request=request,
        )
        paginator = CallCursor()
        page = paginator.paginate_queryset(calls, request, view=self)
        return paginator.get_paginated_response(CallOut(page, many=True).data)

    @extend_schema(
        operation_id="hotline_calls_create",
        summary="Log a call",
        description=(
            "For hotline operators. The call belongs to your hotline agency. A `received_at` in "
            "the future is refused (400). With `close: true` the call leaves the open queue at "
            "once; a call in immediate danger cannot be closed before the commune chairperson "
            "is recorded as notified."
        ),
        request=CallIn,
        responses={201: CallDetailOut, **errors(400)},
    )
    def post(self, request):
        if not has_perm(request.user, Perm.CALL_LOG):
            raise ApiError(
                "permission_denied", _("Bạn không có quyền thực hiện thao tác này."), 403
            )
        data = dict(parse(CallIn, request.data, user=request.user))
        close = data.pop("close", False)
        values = {k: v for k, v in data.items() if k in _CALL_FIELDS and v is not None}
        with fields_under():
            call = services.call_log(
                actor=request.user,
                data=services.CallInput(**values),
                close=close,
                request=request,
            )
        return Response(detail_of(call, request.user), status=status.HTTP_201_CREATED)


class CallDetailView(CallAPIView):
    @extend_schema(
        operation_id="hotline_calls_retrieve",
        summary="A call, its notices and the number of its case",
        description="Every read is audited. Of the case only the number (and id if yours).",
        responses={200: CallDetailOut, **errors(404)},
    )
    def get(self, request, call_id: int):
        call = self.get_call(call_id, audit=True)
        return Response(detail_of(call, request.user))


class CallNotificationView(CallAPIView):
    @extend_schema(
        operation_id="hotline_calls_notifications_create",
        summary="Record who was notified about the call",
        description=(
            "Law 13/2022: for a call in immediate danger the commune chairperson is told at "
            "once (`role: commune_chair`). Name an `agency`, a `person_name`, or both."
        ),
        request=NotificationIn,
        responses={201: NotificationOut, **errors(400, 404)},
    )
    def post(self, request, call_id: int):
        call = self.get_call(call_id)
        data = parse(NotificationIn, request.data, user=request.user)
        with fields_under():
            notice = services.call_notify_record(
                call=call,
                actor=request.user,
                role=data["role"],
                method=data["method"],
                notified_at=data.get("notified_at") or services.now(),
                agency=data.get("agency"),
                person_name=data.get("person_name", ""),
                request=request,
            )
        return Response(NotificationOut(notice).data, status=status.HTTP_201_CREATED)


class CallOpenCaseView(CallAPIView):
    @extend_schema(
        operation_id="hotline_calls_open_case",
        summary="Open a case from the call",
        description=(
            "Opens a case (source `hotline`; risk `immediate` when the call was in immediate "
            "danger; the survivor's commune defaults to the call's) and links it to the call, "
            "whose outcome becomes `case_opened`. Needs `cases.create`. A call that already "
            "has a case answers 409 `already_linked`. The duplicate check runs as for "
            "`POST /cases` (audited, rate-limited: 429 `rate_limited`); nothing in the answer "
            "depends on cases of other agencies."
        ),
        request=CallOpenCaseIn,
        responses={
            201: CallCaseOut,
            **errors(400, 404),
            409: OpenApiResponse(description="`already_linked`: the call has a case already."),
            429: OpenApiResponse(description="`rate_limited`: too many duplicate checks."),
        },
    )
    def post(self, request, call_id: int):
        call = self.get_call(call_id)
        if not has_perm(request.user, Perm.CASE_CREATE):
            raise ApiError(
                "permission_denied", _("Bạn không có quyền thực hiện thao tác này."), 403
            )
        if call.case_id is not None:
            raise ApiError("already_linked", _("Đã mở hồ sơ từ cuộc gọi này."), 409)
        data = parse(CallOpenCaseIn, request.data, user=request.user)
        incident = data.get("incident")
        try:
            result = services.call_open_case(
                call=call,
                actor=request.user,
                survivor=survivor_input(data["survivor"]),
                consent=ConsentInput(**data["consent"]),
                incident=incident_input(incident) if incident else None,
                needs=data.get("needs", []),
                risk_level=data.get("risk_level"),
                client_uuid=data.get("client_uuid"),
                request=request,
            )
        except DuplicateChecksExceeded as exc:
            raise ApiError("rate_limited", str(exc.message), 429) from exc
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "already_linked":
                raise ApiError("already_linked", _("Đã mở hồ sơ từ cuộc gọi này."), 409) from exc
            raise service_error(exc, open_route) from exc
        call.refresh_from_db()
        body = {
            "call": call.pk,
            "case": selectors.case_link(request.user, call),
            "case_version": result.case.version,
        }
        return Response(CallCaseOut(body).data, status=status.HTTP_201_CREATED)
