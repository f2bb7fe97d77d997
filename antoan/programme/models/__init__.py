"""Programme monitoring: plans as data, the activities that carry them out, models, budgets.

A plan (e.g. 64/KH-UBND) is loaded from ``data/plans/*.yaml`` by ``manage.py load_plan``: its
objectives, its task tree in the plan's own numbering and the agencies each task is assigned to.
Activities are logged by the agencies against tasks; nothing here holds survivor data. Writes go
through ``services``; reads through ``selectors``, scoped to the user's agencies.
"""

from antoan.programme.models.activities import (
    Activity,
    ActivityComment,
    Evidence,
    InspectionMember,
    Recommendation,
    Spending,
    Trainee,
    evidence_path,
    text_limit,
)
from antoan.programme.models.budget import BudgetLine, YearReport
from antoan.programme.models.campaigns import Campaign, CampaignPlanItem, CampaignReminder
from antoan.programme.models.plan import (
    Assignment,
    DutyTransfer,
    Objective,
    Plan,
    Task,
    TaskStatusChange,
)
from antoan.programme.models.registry import CommunityModel, Influencer
from antoan.programme.models.standards import (
    FACILITY_KINDS,
    Assessment,
    AssessmentScore,
    Checklist,
    Criterion,
    ModelReview,
)

__all__ = [
    "FACILITY_KINDS",
    "Activity",
    "ActivityComment",
    "Assessment",
    "AssessmentScore",
    "Assignment",
    "BudgetLine",
    "Campaign",
    "CampaignPlanItem",
    "CampaignReminder",
    "Checklist",
    "CommunityModel",
    "Criterion",
    "DutyTransfer",
    "Evidence",
    "Influencer",
    "InspectionMember",
    "ModelReview",
    "Objective",
    "Plan",
    "Recommendation",
    "Spending",
    "Task",
    "TaskStatusChange",
    "Trainee",
    "YearReport",
    "evidence_path",
    "text_limit",
]
