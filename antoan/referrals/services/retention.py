"""What the referral network holds about anonymised cases: its free text goes too."""

from __future__ import annotations

from collections.abc import Sequence

from antoan.cases.services.retention import Scrubbed, blank_text
from antoan.referrals.models import Referral, ServiceDelivery

# An emergency override must keep a reason (a database constraint): this replaces it.
OVERRIDE_REASON_REMOVED = "—"


def referrals_anonymise(*, case_ids: Sequence[int], scrubbed: Scrubbed) -> None:
    """Blank the notes and reasons of the cases' referrals and services delivered."""
    referrals = Referral.objects.filter(case_id__in=case_ids)
    blank_text(
        referrals,
        ("note", "decline_reason", "delivery_description", "revoke_reason"),
        scrubbed,
    )
    blank_text(referrals.filter(emergency_override=False), ("override_reason",), scrubbed)
    # Compared after decryption, not in SQL: every stored value is a different ciphertext.
    for referral in referrals.filter(emergency_override=True):
        if referral.override_reason != OVERRIDE_REASON_REMOVED:
            referral.override_reason = OVERRIDE_REASON_REMOVED
            referral.save(update_fields=["override_reason"])
            scrubbed.add("referrals.referral.override_reason", 1)
    blank_text(ServiceDelivery.objects.filter(case_id__in=case_ids), ("description",), scrubbed)
