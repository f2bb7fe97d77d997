"""``POST /api/v1/hotline/messages/inbound``: the SMS / Zalo gateway hands over a message
someone wrote to the hotline. Signed with the messages secret, checked as the telephony events
(``antoan.api.hotline.telephony``). Replies go out through ``antoan.hotline.gateways``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from antoan.api.cases.common import fields_under, parse
from antoan.api.cases.fields import Code, StrictSerializer, Text
from antoan.api.hotline.telephony import SIGNATURE_PARAMETER, SignedWebhookView, webhook_errors
from antoan.hotline import webhooks
from antoan.hotline.services import telephony
from antoan.hotline.services.contacts import INBOUND_MAX


class InboundMessageIn(StrictSerializer):
    message_id = Text(max_length=100, help_text="The gateway's id: a resent id is refused (409).")
    channel = Code(name="MessageChannel", choices=[("sms", "SMS"), ("zalo", "Zalo")])
    sender = Text(
        max_length=64,
        help_text="The sender's number (SMS) or Zalo user id. Stored encrypted.",
    )
    body = Text(
        max_length=INBOUND_MAX,
        help_text="The text; longer than 2,000 characters it is kept as consecutive messages.",
    )
    line = Text(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="The number or Zalo OA written to: picks the hotline (ANTOAN_HOTLINE_LINES).",
    )


class InboundMessageOut(serializers.Serializer):
    contact = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="Number of the (first) message in the contact.")
    parts = serializers.IntegerField(help_text="Messages stored (a long text is cut).")
    new_contact = serializers.BooleanField()


class InboundMessageView(SignedWebhookView):
    kind = webhooks.MESSAGES

    @extend_schema(
        operation_id="hotline_messages_inbound_create",
        summary="An SMS or Zalo message to the hotline",
        description=(
            "Signed with the messages secret. The message joins the sender's conversation still "
            "going on that channel of the line's hotline (200), or opens a new contact in the "
            "queue (201)."
        ),
        auth=[],
        parameters=[SIGNATURE_PARAMETER],
        request=InboundMessageIn,
        responses={200: InboundMessageOut, 201: InboundMessageOut, **webhook_errors(422)},
    )
    def post(self, request):
        data = parse(InboundMessageIn, self.signed_data(request))
        event = telephony.MessageEvent(
            message_id=data["message_id"],
            channel=data["channel"],
            sender=data["sender"],
            body=data["body"],
            line=data.get("line", ""),
        )
        try:
            with fields_under():
                received = telephony.message_event(event, request=request)
        except webhooks.Replayed:
            raise self.refuse(
                request, "replayed", _("Tin nhắn này đã được nhận trước đó."), 409
            ) from None
        except telephony.EventRefused as exc:
            raise self.refuse(request, exc.code, exc.message, 422) from None
        body = {
            "contact": received.contact.pk,
            "seq": received.first.seq,
            "parts": received.parts,
            "new_contact": received.new_contact,
        }
        return Response(
            InboundMessageOut(body).data,
            status=status.HTTP_201_CREATED if received.new_contact else status.HTTP_200_OK,
        )
