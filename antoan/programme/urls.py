from django.urls import path

from antoan.programme.views import (
    activities,
    activity_form,
    budget,
    campaigns,
    plan_build,
    plans,
    registry,
    standards,
)

app_name = "programme"

urlpatterns = [
    path("", plans.PlanHomeView.as_view(), name="home"),
    path("plans/<int:pk>/", plans.PlanView.as_view(), name="plan"),
    path("plans/<int:pk>/tasks/<int:task_id>/", plans.TaskView.as_view(), name="task"),
    # Building plans: the next provincial plan, the communes' local plans.
    path("plans/new/", plan_build.PlanCreateView.as_view(), name="plan_new"),
    path("plans/<int:pk>/edit/", plan_build.PlanEditView.as_view(), name="plan_edit"),
    path("plans/<int:pk>/tasks/new/", plan_build.TaskFormView.as_view(), name="plan_task_new"),
    path(
        "plans/<int:pk>/tasks/<int:task_id>/edit/",
        plan_build.TaskFormView.as_view(),
        name="plan_task_edit",
    ),
    path(
        "plans/<int:pk>/tasks/<int:task_id>/delete/",
        plan_build.TaskDeleteView.as_view(),
        name="plan_task_delete",
    ),
    path(
        "plans/<int:pk>/tasks/<int:task_id>/assignments/",
        plan_build.AssignmentAddView.as_view(),
        name="plan_assignment_add",
    ),
    path(
        "plans/<int:pk>/assignments/<int:assignment_id>/delete/",
        plan_build.AssignmentRemoveView.as_view(),
        name="plan_assignment_remove",
    ),
    path(
        "plans/<int:pk>/objectives/new/",
        plan_build.ObjectiveFormView.as_view(),
        name="plan_objective_new",
    ),
    path(
        "plans/<int:pk>/objectives/<int:objective_id>/edit/",
        plan_build.ObjectiveFormView.as_view(),
        name="plan_objective_edit",
    ),
    path(
        "plans/<int:pk>/objectives/<int:objective_id>/delete/",
        plan_build.ObjectiveDeleteView.as_view(),
        name="plan_objective_delete",
    ),
    path("plans/<int:pk>/budget/", plan_build.BudgetEditView.as_view(), name="plan_budget"),
    path("plans/<int:pk>/plan.yaml", plan_build.PlanFileView.as_view(), name="plan_file"),
    path("plans/<int:pk>/coverage/", plan_build.CoverageView.as_view(), name="plan_coverage"),
    path(
        "plans/<int:pk>/<slug:action>/",
        plan_build.PlanActionView.as_view(),
        name="plan_action",
    ),
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
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/new/", campaigns.CampaignFormView.as_view(), name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.CampaignView.as_view(), name="campaign"),
    path("campaigns/<int:pk>/edit/", campaigns.CampaignFormView.as_view(), name="campaign_edit"),
    path(
        "campaigns/<int:pk>/items/new/",
        campaigns.PlanItemFormView.as_view(),
        name="campaign_item_new",
    ),
    path(
        "campaigns/<int:pk>/items/<int:item_id>/edit/",
        campaigns.PlanItemFormView.as_view(),
        name="campaign_item_edit",
    ),
    path(
        "campaigns/<int:pk>/report.xlsx",
        campaigns.CampaignXlsxView.as_view(),
        name="campaign_xlsx",
    ),
    path(
        "campaigns/<int:pk>/report.docx",
        campaigns.CampaignDocxView.as_view(),
        name="campaign_docx",
    ),
]
