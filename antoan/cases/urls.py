from django.urls import path

from antoan.cases.views import actions, detail, intake, lists, reviews, transfers

app_name = "cases"

urlpatterns = [
    path("mine/", lists.MyCasesView.as_view(), name="mine"),
    path("team/", lists.TeamCasesView.as_view(), name="team"),
    path("tasks/", lists.TasksView.as_view(), name="tasks"),
    path("new/", intake.IntakeView.as_view(), name="intake"),
    path("transfers/", transfers.TransfersIncomingView.as_view(), name="transfers"),
    path(
        "transfers/<int:transfer_id>/",
        transfers.TransferDecideView.as_view(),
        name="transfer_decide",
    ),
    path("duplicates/", reviews.DuplicateReviewsView.as_view(), name="duplicate_reviews"),
    path(
        "duplicates/<int:review_id>/",
        reviews.DuplicateReviewDecideView.as_view(),
        name="duplicate_review",
    ),
    path("<int:pk>/", detail.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/print/", detail.CasePrintView.as_view(), name="print"),
    path("<int:pk>/incidents/new/", actions.IncidentAddView.as_view(), name="incident_add"),
    path("<int:pk>/assessments/new/", actions.AssessmentAddView.as_view(), name="assessment_add"),
    path("<int:pk>/safety-plans/new/", actions.SafetyPlanAddView.as_view(), name="safety_plan_add"),
    path("<int:pk>/case-plans/new/", actions.CasePlanAddView.as_view(), name="case_plan_add"),
    path("<int:pk>/follow-ups/new/", actions.FollowUpAddView.as_view(), name="follow_up_add"),
    path("<int:pk>/notes/new/", actions.NoteAddView.as_view(), name="note_add"),
    path("<int:pk>/consents/new/", actions.ConsentRecordView.as_view(), name="consent_add"),
    path(
        "<int:pk>/consents/<str:purpose>/withdraw/",
        actions.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
    path("<int:pk>/measures/new/", actions.MeasureRequestView.as_view(), name="measure_add"),
    path(
        "<int:pk>/measures/<int:measure_id>/decide/",
        actions.MeasureDecideView.as_view(),
        name="measure_decide",
    ),
    path("<int:pk>/closure/request/", actions.ClosureRequestView.as_view(), name="closure_request"),
    path("<int:pk>/closure/decide/", actions.ClosureDecideView.as_view(), name="closure_decide"),
    path("<int:pk>/reopen/", actions.ReopenView.as_view(), name="reopen"),
    path("<int:pk>/transfer/", actions.TransferRequestView.as_view(), name="transfer_request"),
    path("<int:pk>/assign/", actions.AssignView.as_view(), name="assign"),
    path("<int:pk>/legal-hold/", actions.LegalHoldView.as_view(), name="legal_hold"),
]
