from django.urls import path

from antoan.programme.views import activities, activity_form, budget, plans, registry, standards

app_name = "programme"

urlpatterns = [
    path("", plans.PlanHomeView.as_view(), name="home"),
    path("plans/<int:pk>/", plans.PlanView.as_view(), name="plan"),
    path("plans/<int:pk>/tasks/<int:task_id>/", plans.TaskView.as_view(), name="task"),
    path("activities/", activities.ActivityListView.as_view(), name="activities"),
    path("activities/new/", activity_form.ActivityNewView.as_view(), name="activity_new"),
    path("activities/<int:pk>/", activities.ActivityView.as_view(), name="activity"),
    path(
        "activities/<int:pk>/edit/", activity_form.ActivityEditView.as_view(), name="activity_edit"
    ),
    path(
        "activities/<int:pk>/comments/",
        activities.ActivityCommentView.as_view(),
        name="activity_comment",
    ),
    path(
        "activities/<int:pk>/recommendations/<int:rec_id>/",
        activities.RecommendationView.as_view(),
        name="recommendation",
    ),
    path(
        "activities/<int:pk>/evidence/",
        activities.EvidenceUploadView.as_view(),
        name="evidence_upload",
    ),
    path(
        "activities/<int:pk>/evidence/<int:evidence_id>/",
        activities.EvidenceDownloadView.as_view(),
        name="evidence_download",
    ),
    path("models/", registry.ModelListView.as_view(), name="models"),
    path("models/new/", registry.ModelFormView.as_view(), name="model_new"),
    path("models/<int:pk>/", registry.ModelView.as_view(), name="model"),
    path("models/<int:pk>/edit/", registry.ModelFormView.as_view(), name="model_edit"),
    path(
        "models/<int:pk>/assessments/new/",
        standards.ModelAssessmentNewView.as_view(),
        name="model_assessment_new",
    ),
    path("models/<int:pk>/reviews/new/", standards.ReviewNewView.as_view(), name="review_new"),
    path("assessments/<int:pk>/", standards.AssessmentView.as_view(), name="assessment"),
    path(
        "assessments/<int:pk>/edit/",
        standards.AssessmentEditView.as_view(),
        name="assessment_edit",
    ),
    path("facilities/", standards.FacilityListView.as_view(), name="facilities"),
    path("facilities/<int:pk>/", standards.FacilityView.as_view(), name="facility"),
    path(
        "facilities/<int:pk>/assessments/new/",
        standards.FacilityAssessmentNewView.as_view(),
        name="facility_assessment_new",
    ),
    path("influencers/", registry.InfluencerListView.as_view(), name="influencers"),
    path("influencers/new/", registry.InfluencerFormView.as_view(), name="influencer_new"),
    path(
        "influencers/<int:pk>/edit/", registry.InfluencerFormView.as_view(), name="influencer_edit"
    ),
    path("budget/", budget.BudgetView.as_view(), name="budget"),
    path("reports/", budget.ReportsView.as_view(), name="reports"),
]
