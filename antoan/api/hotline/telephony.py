"""``POST /api/v1/hotline/telephony/events``: the PBX tells the hotline a call is ringing, was
answered, ended.

No user session: the sender proves itself with the signature of the body
(``antoan.hotline.webhooks``). Checks, in order, each with its own answer and nothing written
on a refusal: configured (404 ``not_configured``), size (413), signature (401), JSON (415/400),
body (400), once (409 ``replayed``), line / extension / call known (422), then applied.
See docs/hotline-telephony.md.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from antoan.api import parsers
from antoan.api.cases.common import fields_under, parse
from antoan.api.cases.fields import Code, Moment, StrictSerializer, Text
from antoan.api.errors import ApiError
from antoan.core.audit import audit_record
from antoan.hotline import choices as h
from antoan.hotline import webhooks
from antoan.hotline.services import telephony


class WebhookThrottle(ScopedRateThrottle):
    """Per client address as the rest of the system sees it (ANTOAN_IP_HEADERS)."""

    def get_ident(self, request):
        return getattr(request._request, "client_ip", None) or super().get_ident(request)


SIGNATURE_PARAMETER = OpenApiParameter(
    webhooks.HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the shared secret>`; '
        "refused (401) when missing, wrong, or more than 5 minutes from the server's clock."
    ),
)


def webhook_errors(*extra: int) -> dict[int, OpenApiResponse]:
    documented = {
        400: OpenApiResponse(
            description="`invalid` (see `fields`), `malformed_json`, `json_too_deep`."
        ),
        401: OpenApiResponse(
            description="`signature_required`, `invalid_signature`, `stale_signature`."
        ),
        404: OpenApiResponse(description="`not_configured`: no shared secret is set."),
        409: OpenApiResponse(
            description="`replayed`: this event id was received already (do not resend)."
        ),
        413: OpenApiResponse(description="`payload_too_large`: over 64 KB."),
        415: OpenApiResponse(description="`unsupported_media_type`: not JSON."),
        429: OpenApiResponse(description="`rate_limited`: too many requests from the address."),
    }
    documented.update(
        {
            422: OpenApiResponse(
                description=(
                    "`unknown_line`, `unknown_extension`, `unknown_call`, `extension_required`: "
                    "the hotline cannot place the event; nothing was written."
                )
            )
        }
        if 422 in extra
        else {}
    )
    return documented


class SignedWebhookView(APIView):
    """Public in the sense of no session: authenticated by the body's signature."""

    public = True
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [WebhookThrottle]
    throttle_scope = "hotline_webhook"
    kind: str = webhooks.TELEPHONY

    def get_authenticate_header(self, request):
        return "AnToan-Signature"

    def refuse(self, request, code: str, message: str, http_status: int, **extra: Any):
        """Audit the refusal (the reason, never the body), then answer it."""
        action = "alert" if http_status == 422 else "permission_denied"
        audit_record(
            action=action,
            request=request,
            object_type="webhook",
            object_id=self.kind,
            extra={"reason": code, "status": http_status, **extra},
        )
        return ApiError(code, message, http_status)

    def signed_data(self, request) -> dict[str, Any]:
        if not webhooks.configured(self.kind):
            raise ApiError(
                "not_configured",
                _("Chưa cấu hình khoá bí mật cho kênh này trên máy chủ."),
                404,
            )
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > webhooks.MAX_BODY_BYTES:
            raise self._too_large()
        body = request._request.body
        if len(body) > webhooks.MAX_BODY_BYTES:
            raise self._too_large()
        header = request.META.get(webhooks.META_HEADER, "")
        try:
            webhooks.verify(self.kind, header, body)
        except webhooks.SignatureError as exc:
            messages = {
                "missing": ("signature_required", _("Thiếu chữ ký (tiêu đề X-AnToan-Signature).")),
                "stale": (
                    "stale_signature",
                    _(
                        "Chữ ký đã quá hạn: thời điểm ký lệch quá 5 phút so với máy chủ "
                        "(kiểm tra đồng hồ của tổng đài)."
                    ),
                ),
            }
            code, message = messages.get(exc.reason, ("invalid_signature", _("Chữ ký không đúng.")))
            raise self.refuse(request, code, message, 401) from None
        if request.content_type.split(";")[0].strip().lower() != "application/json":
            raise ApiError("unsupported_media_type", _("Chỉ chấp nhận nội dung JSON."), 415)
        try:
            data = parsers.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(
                "malformed_json", _("Nội dung gửi lên không phải JSON hợp lệ."), 400
            ) from None
        if not isinstance(data, dict):
            raise ApiError("invalid", _("Cần một đối tượng JSON."), 400)
        return data

    def _too_large(self):
        return ApiError(
            "payload_too_large",
            _("Dữ liệu gửi lên quá lớn (tối đa %(kb)d KB).")
            % {"kb": webhooks.MAX_BODY_BYTES // 1024},
            413,
        )


class TelephonyEventIn(StrictSerializer):
    event_id = Text(max_length=100, help_text="Unique per event: a resent id is refused (409).")
    event = Code(
        name="TelephonyEvent",
        choices=[
            ("ringing", "ringing"),
            ("answered", "answered"),
            ("ended", "ended"),
        ],
    )
    call_id = Text(max_length=100, help_text="The PBX's id of the call, the same in its events.")
    at = Moment(
        required=False,
        allow_null=True,
        help_text="When it happened (default: now); at most 24 hours old, not in the future.",
    )
    caller = Text(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="The caller's number (ringing); empty or `anonymous` when withheld. Stored "
        "encrypted.",
    )
    line = Text(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="The number dialled: picks the hotline (ANTOAN_HOTLINE_LINES).",
    )
    extension = Text(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The operator's extension: ringing at it, or who answered.",
    )


class TelephonyEventOut(serializers.Serializer):
    contact = serializers.IntegerField(help_text="The contact (call) the event applies to.")
    state = Code(h.ContactState, name="ContactState")
    created = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="false: a repeat, nothing to change.")


class TelephonyEventView(SignedWebhookView):
    kind = webhooks.TELEPHONY

    @extend_schema(
        operation_id="hotline_telephony_events_create",
        summary="A PBX event: a call ringing, answered, ended",
        description=(
            "Signed with the telephony secret. `ringing` opens a contact (201) in the line's "
            "hotline, at the operator whose extension rings; `answered` and `ended` set its "
            "times (200). Repeats and events out of order change nothing twice."
        ),
        auth=[],
        parameters=[SIGNATURE_PARAMETER],
        request=TelephonyEventIn,
        responses={200: TelephonyEventOut, 201: TelephonyEventOut, **webhook_errors(422)},
    )
    def post(self, request):
        data = parse(TelephonyEventIn, self.signed_data(request))
        event = telephony.TelephonyEvent(
            event_id=data["event_id"],
            event=data["event"],
            call_id=data["call_id"],
            at=data.get("at"),
            caller=data.get("caller", ""),
            line=data.get("line", ""),
            extension=data.get("extension", ""),
        )
        try:
            with fields_under():
                applied = telephony.telephony_event(event, request=request)
        except webhooks.Replayed:
            raise self.refuse(
                request, "replayed", _("Sự kiện này đã được nhận trước đó."), 409
            ) from None
        except telephony.EventRefused as exc:
            raise self.refuse(request, exc.code, exc.message, 422, event=event.event) from None
        body = {
            "contact": applied.contact.pk,
            "state": applied.contact.state,
            "created": applied.created,
            "changed": applied.changed,
        }
        return Response(
            TelephonyEventOut(body).data,
            status=status.HTTP_201_CREATED if applied.created else status.HTTP_200_OK,
        )
