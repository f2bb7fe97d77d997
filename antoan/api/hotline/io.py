"""Request and response bodies of the hotline endpoints. Inputs are strict: unknown keys are
refused, enumerations checked; the rules (no future dates, current communes) are the services'."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from antoan.api.cases.fields import Code, Codes, Flag, Moment, StrictSerializer, Text, Uuid, Whole
from antoan.api.cases.inputs import (
    AgencyRef,
    ConsentIn,
    IncidentIn,
    SurvivorIn,
    commune_field,
)
from antoan.api.cases.outputs import PageOut
from antoan.cases import choices as c
from antoan.hotline import choices as h


class CallIn(StrictSerializer):
    received_at = Moment(
        required=False,
        allow_null=True,
        help_text="Default: now. A moment in the future is refused.",
    )
    # Every channel but web chat, which opens by itself (POST /api/v1/hotline/chats).
    channel = Code(name="CallLoggedChannel", choices=h.LOGGABLE_CHANNELS)
    caller_type = Code(h.CallerType, name="CallCallerType")
    anonymous = Flag(required=False, default=False)
    commune = commune_field("Statistics-office code of a current commune (the caller's).")
    category = Code(h.Category, name="CallCategory")
    summary = Text(required=False, allow_blank=True, help_text="Stored encrypted.")
    immediate_danger = Flag(required=False, default=False)
    outcome = Code(
        name="CallOutcomeIn",
        # `case_opened` is the open-case endpoint's to set: not a choice here, in the schema too.
        choices=[(v, label) for v, label in h.Outcome.choices if v != h.Outcome.CASE_OPENED],
        required=False,
        allow_blank=True,
        help_text="`case_opened` is set by `open-case`, not sent.",
    )
    duration_seconds = Whole(required=False, allow_null=True, min_value=0, max_value=86400)
    close = Flag(required=False, default=False, help_text="Close at once (needs `outcome`).")


class CallOpenCaseIn(StrictSerializer):
    client_uuid = Uuid(required=False, allow_null=True)
    survivor = SurvivorIn(help_text="`commune` defaults to the call's.")
    incident = IncidentIn(required=False, allow_null=True)
    consent = ConsentIn()
    needs = Codes(c.Need, required=False)
    risk_level = Code(
        c.RiskLevel,
        required=False,
        allow_null=True,
        help_text="Immediate danger forces `immediate`.",
    )


class NotificationIn(StrictSerializer):
    role = Code(h.NoticeRole, name="CallNoticeRole")
    method = Code(h.NoticeMethod, name="CallNoticeMethod")
    notified_at = Moment(required=False, allow_null=True, help_text="Default: now.")
    agency = AgencyRef(required=False, allow_null=True, help_text="The agency told.")
    person_name = Text(
        required=False, allow_blank=True, max_length=200, help_text="Who was told (and role)."
    )


class CallQuery(serializers.Serializer):
    status = Code(h.Status, name="CallStatus", required=False)
    mine = serializers.BooleanField(required=False, default=False)


class NotificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    role = Code(h.NoticeRole, name="CallNoticeRole")
    method = Code(h.NoticeMethod, name="CallNoticeMethod")
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    agency_name = serializers.CharField(source="agency.name", allow_null=True, default=None)
    person_name = serializers.CharField()
    notified_at = serializers.DateTimeField()
    notified_by = serializers.SerializerMethodField()

    def get_notified_by(self, notice: Any) -> str:
        user = notice.notified_by
        return user.get_full_name() or user.get_username()


class CaseRefOut(serializers.Serializer):
    number = serializers.CharField()
    id = serializers.IntegerField(
        allow_null=True, help_text="Only when you may open the case; null otherwise."
    )


class CallOut(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    channel = Code(h.Channel, name="CallChannel")
    # Blank while a contact that arrived by itself is not classified yet.
    caller_type = Code(h.CallerType, name="CallCallerType", allow_blank=True)
    anonymous = serializers.BooleanField()
    commune = serializers.CharField(source="commune.code", allow_null=True, default=None)
    category = Code(h.Category, name="CallCategory", allow_blank=True)
    immediate_danger = serializers.BooleanField()
    outcome = Code(h.Outcome, name="CallOutcome", allow_blank=True)
    duration_seconds = serializers.IntegerField(allow_null=True)
    status = Code(h.Status, name="CallStatus")
    operator = serializers.IntegerField(
        source="operator_id", allow_null=True, help_text="null while it waits in the queue."
    )
    agency = serializers.IntegerField(source="agency_id")
    answered_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)


class CallDetailOut(CallOut):
    summary = serializers.CharField(help_text="Decrypted; every read is audited.")
    case = CaseRefOut(source="case_ref", allow_null=True)
    commune_chair_notified = serializers.BooleanField(
        help_text="false while a call in immediate danger waits for the commune chairperson."
    )
    notifications = NotificationOut(many=True, source="notices")
    earlier_contacts = serializers.IntegerField(
        help_text=(
            "How many earlier contacts this hotline had from the same number or account "
            '("đã gọi N lần trước"): a count only, never the number.'
        )
    )


class CallPageOut(PageOut):
    results = CallOut(many=True)


class CallCaseOut(serializers.Serializer):
    call = serializers.IntegerField()
    case = CaseRefOut()
    case_version = serializers.IntegerField()
