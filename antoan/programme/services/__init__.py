"""All writes of programme data. Pages, the API, the Excel import and commands call these.

Who may write: a programme reporter writes the activities, models, influencers and budget lines
of the agencies they report for, until that year's report is submitted; the coordinator sets
task statuses, comments, keeps any agency's budget lines and returns submitted reports.
"""

from antoan.programme.services.activities import (
    ActivityConflict,
    activity_comment_add,
    activity_create,
    activity_update,
    may_edit_activity,
)
from antoan.programme.services.checks import (
    AGE_FIELDS,
    FLAG_NOT_ASSIGNED,
    KIND_FIELDS,
    KIND_REQUIRED,
    ActivityInput,
    MemberInput,
    RecommendationInput,
    TraineeInput,
    require_reporter,
    trainee_totals,
)
from antoan.programme.services.plan import (
    budget_line_save,
    task_status_set,
)
from antoan.programme.services.registry import (
    ModelInput,
    community_model_save,
    influencer_save,
    recommendation_update,
)
from antoan.programme.services.standards import (
    AssessmentConflict,
    AssessmentInput,
    ReviewInput,
    ScoreInput,
    assessment_save,
    model_review_create,
    weighted_total,
)

__all__ = [
    "AGE_FIELDS",
    "FLAG_NOT_ASSIGNED",
    "KIND_FIELDS",
    "KIND_REQUIRED",
    "ActivityConflict",
    "ActivityInput",
    "AssessmentConflict",
    "AssessmentInput",
    "MemberInput",
    "ModelInput",
    "RecommendationInput",
    "ReviewInput",
    "ScoreInput",
    "TraineeInput",
    "activity_comment_add",
    "activity_create",
    "activity_update",
    "assessment_save",
    "budget_line_save",
    "community_model_save",
    "influencer_save",
    "may_edit_activity",
    "model_review_create",
    "recommendation_update",
    "require_reporter",
    "task_status_set",
    "trainee_totals",
    "weighted_total",
]
