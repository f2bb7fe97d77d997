from django.urls import path

from antoan.programme.excel import views

app_name = "programme_toolkit"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("templates/<slug:kind>.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
    path("models.xlsx", views.ModelsExportView.as_view(), name="export_models"),
    path("influencers.xlsx", views.InfluencersExportView.as_view(), name="export_influencers"),
    path("budget.xlsx", views.BudgetExportView.as_view(), name="export_budget"),
]
