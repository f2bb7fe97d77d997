"""Forms of the case pages: they parse what was typed; the services enforce the rules.

Every form that changes a case carries the hidden ``version`` the page was loaded at, which
the view passes to the service so a stale page is refused instead of overwriting. Dates are
typed dd/mm/yyyy, times dd/mm/yyyy HH:MM, in Vietnamese time.
"""

from antoan.cases.forms.base import StyledForm, VersionedForm, filled
from antoan.cases.forms.intake import (
    ConsentForm,
    ConsentRecordForm,
    IncidentAddForm,
    IncidentForm,
    IntakeCaseForm,
    PerpetratorForm,
    PerpetratorFormSet,
    SurvivorForm,
)
from antoan.cases.forms.records import (
    AssessmentForm,
    AssignForm,
    CasePlanForm,
    CaseSearchForm,
    ClosureDecisionForm,
    ClosureRequestForm,
    ConfirmForm,
    FollowUpForm,
    LegalHoldForm,
    MeasureDecisionForm,
    MeasureRequestForm,
    NoteForm,
    PlanItemForm,
    PlanItemFormSet,
    ReopenForm,
    SafetyPlanForm,
    TransferAcceptForm,
    TransferDeclineForm,
    TransferRequestForm,
)
from antoan.cases.forms.reviews import DuplicateDecisionForm

__all__ = [
    "AssessmentForm",
    "AssignForm",
    "CasePlanForm",
    "CaseSearchForm",
    "ClosureDecisionForm",
    "ClosureRequestForm",
    "ConfirmForm",
    "ConsentForm",
    "ConsentRecordForm",
    "DuplicateDecisionForm",
    "FollowUpForm",
    "IncidentAddForm",
    "IncidentForm",
    "IntakeCaseForm",
    "LegalHoldForm",
    "MeasureDecisionForm",
    "MeasureRequestForm",
    "NoteForm",
    "PerpetratorForm",
    "PerpetratorFormSet",
    "PlanItemForm",
    "PlanItemFormSet",
    "ReopenForm",
    "SafetyPlanForm",
    "StyledForm",
    "SurvivorForm",
    "TransferAcceptForm",
    "TransferDeclineForm",
    "TransferRequestForm",
    "VersionedForm",
    "filled",
]
