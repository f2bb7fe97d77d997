"""All writes of the directory and of referrals. Views, the API and commands call these."""

from antoan.referrals.services.directory import (
    ContactInput,
    provider_save,
    shelter_admit,
    shelter_discharge,
    shelter_occupancy_set,
)
from antoan.referrals.services.notify import notification_read
from antoan.referrals.services.referrals import (
    ConsentRequired,
    ReferralStateError,
    referral_accept,
    referral_close,
    referral_decline,
    referral_deliver,
    referral_revoke,
    referral_send,
    referrals_escalate_overdue,
    service_record,
)

__all__ = [
    "ConsentRequired",
    "ContactInput",
    "ReferralStateError",
    "notification_read",
    "provider_save",
    "referral_accept",
    "referral_close",
    "referral_decline",
    "referral_deliver",
    "referral_revoke",
    "referral_send",
    "referrals_escalate_overdue",
    "service_record",
    "shelter_admit",
    "shelter_discharge",
    "shelter_occupancy_set",
]
