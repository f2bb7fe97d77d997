"""Endpoints of the referral network. Thin: parse, call one service or selector, answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from antoan.accounts.reauth import has_recent_auth, reauth_required_response
from antoan.accounts.roles import Perm
from antoan.api.cases.common import CaseAPIView, errors, parse, service_error
from antoan.api.errors import ApiError
from antoan.api.pagination import Cursor
from antoan.api.referrals.io import (
    DeliverIn,
    EmptyIn,
    ProviderOut,
    ReasonIn,
    ReferralIn,
    ReferralOut,
    ServiceIn,
    ServiceOut,
)
from antoan.api.views import ProtectedAPIView
from antoan.cases.choices import Need
from antoan.core.permissions import has_perm
from antoan.places.models import Place
from antoan.referrals import selectors, services
from antoan.referrals.clock import now
from antoan.referrals.models import Provider, ReferralStatus


@contextmanager
def refusals() -> Iterator[None]:
    """Service refusals as the API's 400s: consent and status refusals get their own codes."""
    try:
        yield
    except services.ConsentRequired as exc:
        raise ApiError("consent_required", " ".join(exc.messages)) from exc
    except services.ReferralStateError as exc:
        raise ApiError("invalid_status", " ".join(exc.messages)) from exc
    except DjangoValidationError as exc:
        raise service_error(exc) from exc


def referral_body(referral: Any, side: str) -> dict:
    return ReferralOut(referral, context={"side": side, "now": now()}).data


class ProviderListView(ProtectedAPIView, ListAPIView):
    permission = Perm.PROVIDERS_VIEW
    serializer_class = ProviderOut
    pagination_class = Cursor

    @extend_schema(
        summary="The service directory",
        description="Active providers; the confidential location of shelters is never listed.",
        parameters=[
            OpenApiParameter("service", OpenApiTypes.STR, enum=Need.values),
            OpenApiParameter("commune", OpenApiTypes.STR, description="Commune code (5 digits)."),
        ],
        responses={200: ProviderOut(many=True), **errors(400)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        service = params.get("service", "")
        if service and service not in Need.values:
            raise ApiError(
                "invalid",
                _("Dữ liệu không hợp lệ."),
                fields={"service": [_("Dịch vụ không hợp lệ.")]},
            )
        commune = None
        code = params.get("commune", "")
        if code:
            commune = (
                Place.objects.filter(code=code, level="commune").order_by("-valid_from").first()
            )
            if commune is None:
                return Provider.objects.none()
        return selectors.providers_list(service=service, commune=commune)


class CaseReferralView(CaseAPIView):
    method_permissions = {"POST": Perm.REFERRAL_SEND}

    @extend_schema(
        summary="Refer the case for one service to a provider",
        description=(
            "Refused with `consent_required` unless the survivor's consent for services is "
            "current and, where a sharing consent names agencies, names the provider's agency. "
            "A supervisor may send anyway with `emergency_override` and `override_reason`; "
            "an override needs a token issued within `ANTOAN_REAUTH_MINUTES` (5 by default) "
            "and is refused with `403 reauth_required` otherwise: take a new token and resend. "
            "`emergency_override` from anyone but a supervisor of the case's agency is a "
            "`403 permission_denied`, even when consent would allow the referral."
        ),
        request=ReferralIn,
        responses={201: ReferralOut, **errors(400, 404)},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(ReferralIn, request.data)
        provider = Provider.objects.filter(pk=data["provider"]).first()
        if provider is None:
            raise ApiError(
                "invalid",
                _("Dữ liệu không hợp lệ."),
                fields={"provider": [_("Không có cơ sở cung cấp dịch vụ này.")]},
            )
        supervisor = has_perm(request.user, Perm.CASE_APPROVE, case.agency_id)
        if data["emergency_override"] and not supervisor:
            raise PermissionDenied  # only supervisors may override; asked before the step-up
        if data["emergency_override"] and not has_recent_auth(request):
            return reauth_required_response(request)
        with refusals():
            referral = services.referral_send(
                case=case,
                actor=request.user,
                provider=provider,
                service=data["service"],
                urgency=data["urgency"],
                note=data["note"],
                emergency_override=data["emergency_override"],
                override_reason=data["override_reason"],
                request=request,
            )
        return Response(referral_body(referral, "sender"), status=status.HTTP_201_CREATED)


class CaseServiceView(CaseAPIView):
    method_permissions = {"POST": Perm.CASE_EDIT}

    @extend_schema(
        summary="Record a service the case's own agency delivered",
        request=ServiceIn,
        responses={201: ServiceOut, **errors(400, 404)},
    )
    def post(self, request, case_id: int):
        case = self.get_case(case_id)
        data = parse(ServiceIn, request.data)
        with refusals():
            delivery = services.service_record(
                case=case,
                actor=request.user,
                service=data["service"],
                delivered_on=data["delivered_on"],
                description=data["description"],
                request=request,
            )
        return Response(ServiceOut(delivery).data, status=status.HTTP_201_CREATED)


class ReferralListView(ProtectedAPIView, ListAPIView):
    """Both boxes need one of the two permissions; the box decides which."""

    permission = Perm.USE_SYSTEM
    serializer_class = ReferralOut
    pagination_class = Cursor

    @extend_schema(
        summary="Referrals: incoming (to your agency) or outgoing (from your cases)",
        parameters=[
            OpenApiParameter("box", OpenApiTypes.STR, enum=["incoming", "outgoing"]),
            OpenApiParameter("status", OpenApiTypes.STR, enum=ReferralStatus.values),
        ],
        responses={200: ReferralOut(many=True), **errors(400)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def box(self) -> str:
        box = self.request.query_params.get("box")
        if box is not None and box not in ("incoming", "outgoing"):
            raise ApiError(
                "invalid",
                _("Dữ liệu không hợp lệ."),
                fields={"box": [_("Chỉ nhận incoming hoặc outgoing.")]},
            )
        if box is None:
            box = "incoming" if has_perm(self.request.user, Perm.REFERRAL_RECEIVE) else "outgoing"
        perm = Perm.REFERRAL_RECEIVE if box == "incoming" else Perm.REFERRAL_SEND
        if not has_perm(self.request.user, perm):
            raise PermissionDenied
        return box

    def get_queryset(self):
        status_ = self.request.query_params.get("status", "")
        if status_ and status_ not in ReferralStatus.values:
            raise ApiError(
                "invalid",
                _("Dữ liệu không hợp lệ."),
                fields={"status": [_("Trạng thái không hợp lệ.")]},
            )
        self.side = "recipient" if self.box() == "incoming" else "sender"
        if self.side == "recipient":
            qs = selectors.referrals_incoming(self.request.user, status=status_)
        else:
            qs = selectors.referrals_outgoing(self.request.user, status=status_)
        from antoan.core.audit import audit_record

        audit_record(
            action="list", request=self.request, object_type="referral", extra={"box": self.side}
        )
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "side": getattr(self, "side", ""), "now": now()}


class ReferralAccess:
    """Gate: senders and receivers (403 for other roles); then 404 unless the referral is yours."""

    request: Any

    def access(self, referral_id: int, *, audit: bool = True) -> selectors.ReferralAccess:
        user = self.request.user
        if not (has_perm(user, Perm.REFERRAL_SEND) or has_perm(user, Perm.REFERRAL_RECEIVE)):
            raise PermissionDenied
        return selectors.referral_get_for_user(user, referral_id, request=self.request, audit=audit)


class ReferralDetailView(ReferralAccess, ProtectedAPIView):
    permission = Perm.USE_SYSTEM

    @extend_schema(
        summary="One referral",
        description=(
            "Senders see the whole referral; staff of the addressee agency see only `shared` "
            "(the need-to-know view) and only while it is `sent` or `accepted`."
        ),
        responses={200: ReferralOut, **errors(404)},
    )
    def get(self, request, referral_id: int):
        found = self.access(referral_id)
        return Response(referral_body(found.referral, found.side))


def _action(name: str, body: type, summary: str) -> type:
    class ActionView(ReferralAccess, ProtectedAPIView):
        permission = Perm.USE_SYSTEM

        @extend_schema(
            summary=summary,
            request=body,
            responses={200: ReferralOut, **errors(400, 404)},
            operation_id=f"referrals_{name}",
        )
        def post(self, request, referral_id: int):
            found = self.access(referral_id, audit=False)
            data = parse(body, request.data)
            call = getattr(services, f"referral_{name}")
            with refusals():
                referral = call(
                    referral=found.referral, actor=request.user, request=request, **data
                )
            # A recipient whose action ended the referral gets the status, no longer the case.
            side = found.side if found.side == "sender" or referral.is_open else "closed"
            return Response(referral_body(referral, side))

    ActionView.__name__ = ActionView.__qualname__ = f"Referral{name.title()}View"
    return ActionView


ReferralAcceptView = _action("accept", EmptyIn, "Accept a referral (addressee agency)")
ReferralDeclineView = _action("decline", ReasonIn, "Decline a referral, with a reason")
ReferralDeliverView = _action("deliver", DeliverIn, "Record the service delivered")
ReferralCloseView = _action("close", EmptyIn, "Close a delivered or declined referral (sender)")
ReferralRevokeView = _action("revoke", ReasonIn, "Revoke a referral (sender)")
