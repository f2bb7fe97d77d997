"""``/api/v1/auth/token``: exchange a username, password (and code) for a bearer token.

The same rules as the web login: lockout per username + address (axes), the authenticator code
for users who have one, and enrolment first for roles that must use two-factor login.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import user_has_device
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from antoan.accounts import services
from antoan.api.authentication import BearerTokenAuthentication
from antoan.api.errors import ApiError
from antoan.core.permissions import needs_two_factor


class TokenIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="The 6-digit code of the user's authenticator, required when they have one.",
    )


class TokenOut(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
    expires_at = serializers.DateTimeField()


class TokenRateThrottle(ScopedRateThrottle):
    """Per client address as the rest of the system sees it (ANTOAN_IP_HEADERS), so a forged
    X-Forwarded-For cannot buy a fresh allowance."""

    def get_ident(self, request):
        return getattr(request._request, "client_ip", None) or super().get_ident(request)


class TokenView(APIView):
    """Public: the way in for partner systems. DELETE revokes the token it is sent with."""

    public = True
    permission_classes = [AllowAny]
    # POST takes credentials in the body; DELETE checks its bearer token itself.
    authentication_classes = []
    throttle_classes = [TokenRateThrottle]
    throttle_scope = "token"

    def get_throttles(self):
        # Only issuing is rate-limited (password guessing); revoking needs a valid token.
        return super().get_throttles() if self.request.method == "POST" else []

    def get_authenticate_header(self, request):
        # Without authentication classes DRF would turn our 401s into 403s.
        return BearerTokenAuthentication.keyword

    @extend_schema(
        request=TokenIn,
        responses={
            201: TokenOut,
            400: OpenApiResponse(description="`invalid` or `otp_required`"),
            401: OpenApiResponse(description="`invalid_credentials` or `invalid_otp`"),
            403: OpenApiResponse(description="`locked_out` or `two_factor_enrolment_required`"),
            429: OpenApiResponse(description="`rate_limited`"),
        },
        summary="Issue a bearer token",
    )
    def post(self, request):
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]

        check = services.login_authenticate(
            request=request, username=username, password=data.validated_data["password"]
        )
        if check.user is None:
            if check.locked:
                raise ApiError("locked_out", services.lockout_message(request), 403)
            raise ApiError("invalid_credentials", _("Tên đăng nhập hoặc mật khẩu không đúng."), 401)
        user = check.user

        if user_has_device(user, confirmed=True):
            code = "".join(data.validated_data.get("otp", "").split())
            if not code:
                raise ApiError(
                    "otp_required",
                    _("Tài khoản này dùng xác thực hai lớp: hãy gửi kèm mã xác thực (otp)."),
                    400,
                    fields={"otp": [_("Trường này là bắt buộc.")]},
                )
            otp = services.otp_device_verify(request=request, user=user, token=code, stage="api")
            if otp.device is None:
                message = _("Mã xác thực không đúng hoặc đã hết hạn.")
                if otp.wait_seconds:
                    message = ngettext(
                        "Bạn đã nhập sai mã nhiều lần. Hãy đợi %(seconds)d giây rồi thử lại.",
                        "Bạn đã nhập sai mã nhiều lần. Hãy đợi %(seconds)d giây rồi thử lại.",
                        otp.wait_seconds,
                    ) % {"seconds": otp.wait_seconds}
                raise ApiError("invalid_otp", message, 401)
        elif settings.ANTOAN_REQUIRE_2FA and needs_two_factor(user):
            raise ApiError(
                "two_factor_enrolment_required",
                _(
                    "Vai trò của bạn yêu cầu xác thực hai lớp. Hãy đăng nhập trang web và "
                    "thiết lập ứng dụng xác thực trước khi xin mã truy cập API."
                ),
                403,
            )

        services.login_failures_reset(request=request, username=username)
        raw, token = services.api_token_issue(request=request, user=user)
        response = Response(
            TokenOut({"token": raw, "expires_at": token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        request=None,
        responses={204: None, 401: OpenApiResponse(description="`authentication_failed`")},
        auth=[{"bearerAuth": []}],
        summary="Revoke the bearer token of this request",
    )
    def delete(self, request):
        result = BearerTokenAuthentication().authenticate(request)
        if result is None:
            raise exceptions.NotAuthenticated()
        request.user, token = result
        services.api_token_revoke(request=request, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
