"""Erasing what identifies a survivor: after the retention period (``apply_retention``) or on
a granted deletion request. Spans cases, hotline and referrals, so it lives above them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from antoan.cases.models import Case
from antoan.cases.services import retention
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.hotline.services import calls_anonymise
from antoan.referrals.services.retention import referrals_anonymise

COMMAND = "apply_retention"


@transaction.atomic
def anonymise_survivor(
    survivor_id: int, *, user: Any = None, request: Any = None, reason: str = "retention"
) -> tuple[list[int], retention.Scrubbed]:
    """Everything identifying about one survivor and their cases, in one transaction.

    ``reason`` is ``retention`` (the command; no user) or ``deletion_request`` (a supervisor
    granting a data subject's request, who is the audited user)."""
    case_ids = list(
        Case.objects.select_for_update()
        .filter(survivor_id=survivor_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    scrubbed = retention.Scrubbed()
    retention.survivor_anonymise(survivor_id, scrubbed)
    retention.case_records_anonymise(case_ids, scrubbed)
    calls_anonymise(case_ids=case_ids, scrubbed=scrubbed)
    referrals_anonymise(case_ids=case_ids, scrubbed=scrubbed)
    retention.cases_mark_anonymised(case_ids)
    for case_id in case_ids:
        audit_record(
            action=AuditAction.ANONYMISED,
            username="" if user is not None else COMMAND,
            user=user,
            request=request,
            object_type="case",
            object_id=case_id,
            # Counts only: the log outlives the data and must not keep any of it.
            extra={"values_removed": scrubbed.fields, "by_field": scrubbed.rows, "reason": reason},
        )
    return case_ids, scrubbed
