from django.urls import path

from antoan.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("cycles/<int:pk>/", views.CycleView.as_view(), name="cycle"),
    path("cycles/<int:pk>/open/", views.CycleOpenView.as_view(), name="open"),
    path("cycles/<int:pk>/edit/", views.CycleEditView.as_view(), name="cycle_edit"),
    path(
        "cycles/<int:pk>/consolidated.<str:fmt>",
        views.ConsolidatedView.as_view(),
        name="consolidated",
    ),
    path(
        "cycles/<int:pk>/consolidated-job.<str:fmt>",
        views.ConsolidatedJobView.as_view(),
        name="consolidated_job",
    ),
    path("submissions/<int:pk>/", views.SubmissionView.as_view(), name="submission"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path(
        "plans/<int:pk>/final-review.<str:fmt>",
        views.FinalReviewView.as_view(),
        name="final_review",
    ),
    path("exports/", views.ExportsView.as_view(), name="exports"),
    path("exports/gbvims/job", views.GbvimsExportJobView.as_view(), name="export_gbvims_job"),
    path("exports/<str:kind>", views.ExportDownloadView.as_view(), name="export"),
]
