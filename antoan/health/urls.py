from django.urls import path

from antoan.health import views

app_name = "health"

urlpatterns = [
    path("contacts/new/", views.ContactNewView.as_view(), name="contact_new"),
    path("contacts/recorded/", views.ContactRecordedView.as_view(), name="recorded"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("report/export.xlsx", views.ReportExportView.as_view(), name="report_export"),
]
