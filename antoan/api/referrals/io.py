"""Request and response bodies of the referral endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from antoan.api.cases.fields import Code, Day, Flag, StrictSerializer, Text, Whole
from antoan.cases.choices import Need, RiskLevel
from antoan.referrals.models import ReferralStatus, Urgency

# --- Inputs ------------------------------------------------------------------------------------


class ReferralIn(StrictSerializer):
    provider = Whole(min_value=1, help_text="A provider's id (`GET /api/v1/providers`).")
    service = Code(Need, name="Need")
    urgency = Code(Urgency, name="ReferralUrgency")
    note = Text(required=False, allow_blank=True, default="", max_length=4000)
    emergency_override = Flag(required=False, default=False)
    override_reason = Text(required=False, allow_blank=True, default="", max_length=4000)


class ReasonIn(StrictSerializer):
    reason = Text(max_length=4000)


class EmptyIn(StrictSerializer):
    pass


class DeliverIn(StrictSerializer):
    delivered_on = Day()
    description = Text(max_length=4000)


class ServiceIn(StrictSerializer):
    service = Code(Need, name="Need")
    delivered_on = Day()
    description = Text(max_length=4000)


# --- Outputs -----------------------------------------------------------------------------------


class ContactOut(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    phone = serializers.CharField()


class ProviderOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="agency.name")
    agency = serializers.IntegerField(source="agency_id")
    kind = serializers.CharField(source="agency.kind")
    services = serializers.ListField(child=Code(Need, name="Need"))
    communes = serializers.SerializerMethodField()
    address = serializers.CharField()
    hours = serializers.CharField()
    always_open = serializers.BooleanField()
    emergency_phone = serializers.CharField()
    languages = serializers.CharField()
    accessible = serializers.BooleanField()
    contacts = ContactOut(many=True)
    capacity = serializers.IntegerField(allow_null=True)
    occupancy = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_communes(self, provider: Any) -> list[str]:
        return sorted(p.code for p in provider.communes.all())

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_occupancy(self, provider: Any) -> int | None:
        return provider.occupancy if provider.is_shelter else None


class SharedOut(serializers.Serializer):
    """The need-to-know view: everything the recipient agency learns."""

    case_number = serializers.CharField()
    alias = serializers.CharField(help_text="The survivor's given name only.")
    phone = serializers.CharField(
        allow_null=True, help_text="Only when a current sharing consent names your agency."
    )
    service = Code(Need, name="Need")
    risk_level = Code(RiskLevel, name="RiskLevel")
    safety_notes = serializers.CharField()


class ReferralOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = Code(ReferralStatus, name="ReferralStatus")
    service = Code(Need, name="Need")
    urgency = Code(Urgency, name="ReferralUrgency")
    provider = serializers.IntegerField(source="provider_id")
    from_agency = serializers.IntegerField(source="from_agency_id")
    to_agency = serializers.IntegerField(source="to_agency_id")
    sent_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    overdue = serializers.SerializerMethodField()
    escalated = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    side = serializers.SerializerMethodField(help_text="`sender` or `recipient`.")
    shared = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField(help_text="The case id (senders only).")
    note = serializers.SerializerMethodField(help_text="Senders only.")
    emergency_override = serializers.SerializerMethodField(help_text="Senders only.")
    decline_reason = serializers.SerializerMethodField(help_text="Senders only.")
    delivered_on = serializers.DateField(allow_null=True)
    delivery_description = serializers.SerializerMethodField(help_text="Senders only.")

    def _sender(self) -> bool:
        return self.context.get("side") == "sender"

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, r: Any) -> bool:
        return r.status == "sent" and self.context["now"] > r.due_at

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_escalated(self, r: Any) -> bool:
        return r.escalated_at is not None

    @extend_schema_field(OpenApiTypes.STR)
    def get_side(self, r: Any) -> str:
        return str(self.context.get("side", ""))

    @extend_schema_field(SharedOut(allow_null=True))
    def get_shared(self, r: Any) -> dict | None:
        from antoan.referrals.selectors import shared_fields

        if self.context.get("side") != "recipient":
            return None
        return SharedOut(shared_fields(r)).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_case(self, r: Any) -> int | None:
        return r.case_id if self._sender() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_note(self, r: Any) -> str | None:
        return r.note if self._sender() else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_emergency_override(self, r: Any) -> bool | None:
        return r.emergency_override if self._sender() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decline_reason(self, r: Any) -> str | None:
        return r.decline_reason if self._sender() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_delivery_description(self, r: Any) -> str | None:
        return r.delivery_description if self._sender() else None


class ServiceOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    service = Code(Need, name="Need")
    delivered_on = serializers.DateField()
    agency = serializers.IntegerField(source="agency_id")
    referral = serializers.IntegerField(source="referral_id", allow_null=True)
