"""``/api/v1/hotline/queue``, ``/hotline/contacts/{id}/take|end``, ``/hotline/presence``: the
operators' live queue from a client (a desk app, a softphone plug-in).

Same rules as the pages (docs/hotline.md "Contacts and the queue"): an operator sees the
waiting contacts of their own hotline only; a contact of another hotline answers 404, like a
missing one (the refusal is audited by the refusal middleware, object type ``call``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from antoan.api.cases.common import errors, parse, service_error
from antoan.api.cases.fields import Code, StrictSerializer, Text
from antoan.api.errors import ApiError
from antoan.api.hotline.calls import CallAPIView
from antoan.hotline import choices as h
from antoan.hotline import selectors
from antoan.hotline.services import contacts


class QueueContactOut(serializers.Serializer):
    id = serializers.IntegerField(source="contact.pk")
    agency = serializers.IntegerField(source="contact.agency_id")
    channel = Code(h.Channel, name="CallChannel", source="contact.channel")
    received_at = serializers.DateTimeField(source="contact.received_at")
    answered_at = serializers.DateTimeField(source="contact.answered_at", allow_null=True)
    waiting_seconds = serializers.IntegerField(
        help_text="Since it arrived (waiting, ringing) or was answered (mine)."
    )
    escalated = serializers.BooleanField(help_text="Its supervisors were told it waits.")


class QueueOut(serializers.Serializer):
    at = serializers.DateTimeField()
    presence = Code(h.Presence, name="OperatorPresence", allow_null=True)
    waiting = QueueContactOut(many=True, help_text="Nobody has them: oldest first.")
    ringing = QueueContactOut(many=True, help_text="Put through to you, not answered yet.")
    mine = QueueContactOut(many=True, help_text="Yours, in conversation.")


class ContactStateOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = Code(h.ContactState, name="ContactState")
    operator = serializers.IntegerField(source="operator_id", allow_null=True)
    received_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class PresenceIn(StrictSerializer):
    state = Code(h.Presence, name="OperatorPresence")
    extension = Text(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The desk phone's extension the PBX names (digits); empty clears it; "
        "absent leaves it as it is.",
    )


class PresenceOut(serializers.Serializer):
    state = Code(h.Presence, name="OperatorPresence")
    changed_at = serializers.DateTimeField()
    extension = serializers.CharField()


class QueueView(CallAPIView):
    operators_only = True

    @extend_schema(
        operation_id="hotline_queue",
        summary="Your live queue",
        description=(
            "For hotline operators: the contacts of your hotline waiting for someone (oldest "
            "first, with their waiting time), those ringing for you, and yours in conversation. "
            "No summaries, messages or numbers. Calling it also says you are at your desk "
            "(as the queue page does)."
        ),
        responses={200: QueueOut, **errors()},
    )
    def get(self, request):
        queue = selectors.operator_queue(request.user, request=request)
        for agency_id in queue.agency_ids:
            contacts.presence_seen(request.user, agency_id)
        body = {
            "at": queue.at,
            "presence": queue.presence.state if queue.presence else None,
            "waiting": queue.waiting,
            "ringing": queue.ringing,
            "mine": queue.mine,
        }
        return Response(QueueOut(body).data)


class ContactTakeView(CallAPIView):
    @extend_schema(
        operation_id="hotline_contacts_take",
        summary="Take a waiting contact",
        description=(
            "First come, first served: a contact another operator took (or that ended) answers "
            "409 `already_taken`. A contact of another hotline answers 404. No body."
        ),
        request=None,
        responses={
            200: ContactStateOut,
            **errors(404),
            409: OpenApiResponse(description="`already_taken`: someone has it, or it ended."),
        },
    )
    def post(self, request, contact_id: int):
        contact = self.get_call(contact_id)
        try:
            contact = contacts.contact_take(contact=contact, actor=request.user, request=request)
        except contacts.ContactTaken as exc:
            raise ApiError(
                "already_taken", _("Liên hệ này đã được người khác nhận hoặc đã kết thúc."), 409
            ) from exc
        return Response(_state(contact))


class ContactEndView(CallAPIView):
    @extend_schema(
        operation_id="hotline_contacts_end",
        summary="End the conversation",
        description=(
            "The operator who took the contact (or a supervisor of its hotline) ends it; the "
            "record stays open until closed with an outcome. An ended one answers 409 `ended`; "
            "another operator's, 403. No body."
        ),
        request=None,
        responses={
            200: ContactStateOut,
            **errors(404),
            409: OpenApiResponse(description="`ended`: the conversation is over already."),
        },
    )
    def post(self, request, contact_id: int):
        contact = self.get_call(contact_id)
        try:
            contact = contacts.contact_end(contact=contact, actor=request.user, request=request)
        except contacts.ContactEnded as exc:
            raise ApiError("ended", _("Cuộc trao đổi đã kết thúc."), 409) from exc
        except PermissionDenied as exc:
            raise ApiError(
                "permission_denied", _("Chỉ tư vấn viên đã nhận liên hệ mới kết thúc được."), 403
            ) from exc
        return Response(_state(contact))


class PresenceView(CallAPIView):
    operators_only = True

    @extend_schema(
        operation_id="hotline_presence_set",
        summary="Mark yourself available, busy or away",
        description="Only `available` operators take new chats; the change is audited.",
        request=PresenceIn,
        responses={200: PresenceOut, **errors(400)},
    )
    def put(self, request):
        data = parse(PresenceIn, request.data)
        try:
            presence = contacts.presence_set(
                actor=request.user,
                state=data["state"],
                extension=data.get("extension"),
                request=request,
            )
        except DjangoValidationError as error:
            raise service_error(error) from error
        return Response(PresenceOut(presence).data)


def _state(contact: Any) -> dict[str, Any]:
    contact.refresh_from_db()
    return ContactStateOut(contact).data
