"""Forms of the programme pages: they parse what was typed; the services enforce the rules.

Dates are typed dd/mm/yyyy; money as people write it (15.000.000); forms that change a record
others may also change carry its hidden ``version``.
"""

from antoan.programme.forms.activity import (
    ActivityForm,
    RecommendationFollowUpForm,
    RecommendationFormSet,
    filled_recommendations,
    parse_trainees,
    trainees_as_text,
)
from antoan.programme.forms.other import (
    ActivityFilterForm,
    BudgetFilterForm,
    BudgetLineForm,
    CommentForm,
    CommunityModelForm,
    EvidenceForm,
    InfluencerForm,
    ModelFilterForm,
    TaskStatusForm,
    YearFilterForm,
)
from antoan.programme.forms.standards import AssessmentForm, ReviewForm

__all__ = [
    "ActivityFilterForm",
    "ActivityForm",
    "AssessmentForm",
    "BudgetFilterForm",
    "BudgetLineForm",
    "CommentForm",
    "CommunityModelForm",
    "EvidenceForm",
    "InfluencerForm",
    "ModelFilterForm",
    "RecommendationFollowUpForm",
    "RecommendationFormSet",
    "ReviewForm",
    "TaskStatusForm",
    "YearFilterForm",
    "filled_recommendations",
    "parse_trainees",
    "trainees_as_text",
]
