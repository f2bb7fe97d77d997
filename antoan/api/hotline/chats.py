"""``/api/v1/hotline/chats``: the public web chat of the "Tìm hỗ trợ" page (docs/hotline.md,
"Web chat").

Anyone may open a chat: no account, no name, no cookie. The answer gives the chat's id and a
token, which the visitor's page keeps in memory only and sends back in ``X-Chat-Token`` (the
websocket takes it in its first message instead). A wrong token answers 404, like a chat that
does not exist. Opening chats is rate-limited per client address; every call of the chat's
own endpoints too. Nothing here records the visitor's address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from antoan.api.auth import TokenRateThrottle
from antoan.api.authentication import BearerTokenAuthentication
from antoan.api.cases.common import fields_under, parse
from antoan.api.cases.fields import StrictSerializer
from antoan.api.errors import ApiError
from antoan.core.audit import audit_record
from antoan.hotline import webchat
from antoan.hotline.models import Call
from antoan.hotline.services import contacts
from antoan.public import selectors as public

TOKEN_HEADER = "X-Chat-Token"  # noqa: S105 - a header's name


class ChatThrottle(TokenRateThrottle):
    """Per client address (ANTOAN_IP_HEADERS), like the token endpoint, with its own scope."""


class ChatHotlineOut(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    hours = serializers.CharField()
    always_open = serializers.BooleanField()


class ChatStartedOut(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField(help_text=f"Send it back in `{TOKEN_HEADER}`; shown once.")
    staffed = serializers.BooleanField()


class ChatUnstaffedOut(serializers.Serializer):
    staffed = serializers.BooleanField(help_text="Always false: nobody is at the chat now.")
    hotlines = ChatHotlineOut(many=True, help_text="The 24/7 numbers to call instead.")


class ChatMessageOut(serializers.Serializer):
    seq = serializers.IntegerField(help_text="1, 2, 3... within the chat; ask `after` it.")
    direction = serializers.ChoiceField(
        choices=["in", "out", "system"],
        help_text="`in`: the visitor's; `out`: the hotline's; `system`: a notice.",
    )
    body = serializers.CharField()
    sent_at = serializers.DateTimeField()


class ChatMessagesOut(serializers.Serializer):
    state = serializers.ChoiceField(choices=["waiting", "active", "ended"])
    messages = ChatMessageOut(many=True)


class ChatMessageIn(StrictSerializer):
    body = serializers.JSONField(
        help_text=f"Text, at most {contacts.MESSAGE_MAX} characters, no control characters."
    )

    def validate_body(self, value: Any) -> str:
        return value  # the service refuses non-text with its own message


class ChatAfterQuery(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, required=False, default=0)


TOKEN_PARAMETER = OpenApiParameter(
    TOKEN_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The token `POST /hotline/chats` gave.",
)
_NOT_FOUND = OpenApiResponse(description="`not_found`: no such chat, or not this token.")
_TOO_LARGE = OpenApiResponse(description="`payload_too_large`: a message is text, not a file.")
_RATE = OpenApiResponse(description="`rate_limited`: too many requests from this address.")
_ENDED = OpenApiResponse(description="`chat_ended`: the conversation has ended.")


def hotlines_out() -> list[dict[str, Any]]:
    return [
        {"name": h.name, "phone": h.phone, "hours": h.hours, "always_open": h.always_open}
        for h in public.public_hotlines()
    ]


class PublicChatView(APIView):
    """Public, CSRF-free (no cookie is read or set), throttled per client address."""

    public = True
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ChatThrottle]
    throttle_scope = "chat"

    def initial(self, request, *args, **kwargs):
        # A message is typed text: refuse a big body before anything reads it.
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > webchat.FRAME_MAX_BYTES:
            raise ApiError(
                "payload_too_large",
                _("Tin nhắn quá dài. Hãy gửi thành nhiều tin ngắn hơn."),
                413,
            )
        super().initial(request, *args, **kwargs)

    def the_chat(self, request, chat_id: int) -> Call:
        try:
            return contacts.chat_for_visitor(chat_id, request.headers.get(TOKEN_HEADER))
        except Http404:
            # A public route: the refusal middleware leaves it alone, so the probe is recorded
            # here, naming whoever sent credentials with it, if anyone.
            audit_record(
                action="permission_denied",
                request=request,
                user=_credentials_of(request),
                extra={"status": 404},
            )
            raise


def _credentials_of(request) -> Any:
    """The user whose API token or session came with a refused chat request, for the record
    of the refusal only: the chat itself never looks at who is asking."""
    try:
        found = BearerTokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        found = None
    if found is not None:
        return found[0]
    # Not request.user: with no authenticators DRF has set it to the anonymous user.
    user = get_user(request._request)
    return user if user.is_authenticated else None


class ChatCollectionView(PublicChatView):
    throttle_scope = "chat_start"

    @extend_schema(
        operation_id="hotline_chats_create",
        summary="Open an anonymous web chat",
        description=(
            "Public. Opens a chat in the queue of the web chat's hotline (`ANTOAN_CHAT_HOTLINE`)."
            " No body. `201` gives the chat's `id` and `token` (keep it in memory only). When "
            "nobody staffs the chat the answer is `200` with `staffed: false` and the hotline "
            "numbers to call instead: not an error, what the page shows. `503 queue_full` when "
            "too many chats already wait (`ANTOAN_CHAT_MAX_WAITING`). Rate-limited per client "
            "address (`ANTOAN_CHAT_START_RATE`)."
        ),
        request=None,
        auth=[],
        responses={
            201: ChatStartedOut,
            200: ChatUnstaffedOut,
            429: _RATE,
            503: OpenApiResponse(description="`queue_full` or `no_hotline`: call instead."),
        },
    )
    def post(self, request):
        agency = webchat.chat_hotline()
        if agency is None:
            raise ApiError("no_hotline", _("Chưa có đường dây nóng nhận trò chuyện."), 503)
        if not contacts.staffed(agency):
            return Response({"staffed": False, "hotlines": hotlines_out()})
        if webchat.waiting_chats(agency).count() >= settings.ANTOAN_CHAT_MAX_WAITING:
            raise ApiError(
                "queue_full",
                _(
                    "Các tư vấn viên đang bận với nhiều người. Hãy gọi đường dây nóng hoặc thử "
                    "lại sau ít phút."
                ),
                503,
            )
        started = contacts.chat_start(agency=agency, request=request)
        body = {"id": started.contact.pk, "token": started.token, "staffed": True}
        return Response(ChatStartedOut(body).data, status=status.HTTP_201_CREATED)


def ended() -> ApiError:
    return ApiError("chat_ended", _("Cuộc trò chuyện đã kết thúc; tin nhắn không được gửi."), 409)


class ChatMessagesView(PublicChatView):
    @extend_schema(
        operation_id="hotline_chats_messages_list",
        summary="The chat's messages after `after`",
        description="What the visitor's page polls when websockets are blocked.",
        auth=[],
        parameters=[TOKEN_PARAMETER, OpenApiParameter("after", int, description="A `seq`.")],
        responses={200: ChatMessagesOut, 404: _NOT_FOUND, 429: _RATE},
    )
    def get(self, request, chat_id: int):
        chat = self.the_chat(request, chat_id)
        after = parse(ChatAfterQuery, request.query_params)["after"]
        messages = [webchat.message_out(m) for m in contacts.messages_after(chat, after)]
        return Response({"state": str(chat.state), "messages": messages})

    @extend_schema(
        operation_id="hotline_chats_messages_create",
        summary="The visitor writes",
        description=(
            f"Text of at most {contacts.MESSAGE_MAX} characters. A message to an ended chat "
            "answers `409 chat_ended` and is not stored."
        ),
        auth=[],
        parameters=[TOKEN_PARAMETER],
        request=ChatMessageIn,
        responses={
            201: ChatMessageOut,
            404: _NOT_FOUND,
            409: _ENDED,
            413: _TOO_LARGE,
            429: _RATE,
        },
    )
    def post(self, request, chat_id: int):
        chat = self.the_chat(request, chat_id)
        data = parse(ChatMessageIn, request.data)
        try:
            with fields_under():
                message = contacts.chat_visitor_post(contact=chat, body=data["body"])
        except contacts.ContactEnded as exc:
            raise ended() from exc
        webchat.push_message(message)
        return Response(webchat.message_out(message), status=status.HTTP_201_CREATED)


class ChatEndView(PublicChatView):
    @extend_schema(
        operation_id="hotline_chats_end",
        summary="The visitor leaves",
        description=(
            "Ends the chat (quick exit, or the page closed). Ending an ended chat is not an "
            "error. The page sends it with `fetch(..., {keepalive: true})` as it leaves."
        ),
        auth=[],
        parameters=[TOKEN_PARAMETER],
        request=None,
        responses={200: ChatMessagesOut, 404: _NOT_FOUND, 429: _RATE},
    )
    def post(self, request, chat_id: int):
        chat = self.the_chat(request, chat_id)
        already = chat.ended_at is not None
        chat = contacts.chat_visitor_end(contact=chat, request=request)
        if not already:
            webchat.push_end(chat)
        return Response({"state": str(chat.state), "messages": []})
