"""All writes of case data. Views, the API and commands call these; nothing else writes."""

from antoan.cases.selectors import DuplicateReport
from antoan.cases.services.common import CaseConflict, can_edit, now
from antoan.cases.services.duplicates import (
    DuplicateChecksExceeded,
    DuplicatesToConfirm,
    IntakeStopped,
)
from antoan.cases.services.intake import (
    OpenResult,
    SurvivorInput,
    case_open,
    case_update,
)
from antoan.cases.services.records import (
    ConsentInput,
    IncidentInput,
    PerpetratorInput,
    PlanItemInput,
    assessment_add,
    case_plan_add,
    consent_record,
    consent_withdraw,
    follow_up_add,
    incident_add,
    note_add,
    safety_plan_add,
)
from antoan.cases.services.workflow import (
    case_reopen,
    closure_decide,
    closure_request,
    measure_decide,
    measure_request,
    transfer_decide,
    transfer_request,
)

__all__ = [
    "CaseConflict",
    "ConsentInput",
    "DuplicateChecksExceeded",
    "DuplicateReport",
    "DuplicatesToConfirm",
    "IncidentInput",
    "IntakeStopped",
    "OpenResult",
    "PerpetratorInput",
    "PlanItemInput",
    "SurvivorInput",
    "assessment_add",
    "can_edit",
    "case_open",
    "case_plan_add",
    "case_reopen",
    "case_update",
    "closure_decide",
    "closure_request",
    "consent_record",
    "consent_withdraw",
    "follow_up_add",
    "incident_add",
    "measure_decide",
    "measure_request",
    "note_add",
    "now",
    "safety_plan_add",
    "transfer_decide",
    "transfer_request",
]
