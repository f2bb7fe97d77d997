from django.urls import path

from antoan.programme.views import activities, activity_form, budget, campaigns, plans, registry

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
