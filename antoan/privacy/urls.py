from django.urls import path

from antoan.privacy import views

app_name = "privacy"

urlpatterns = [
    path("requests/", views.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path(
        "requests/<int:pk>/<str:action>/",
        views.RequestDetailView.as_view(),
        name="request_action",
    ),
    path(
        "requests/<int:pk>/packages/<int:package_id>/download/",
        views.package_download,
        name="package_download",
    ),
    path("cases/<int:case_id>/requests/", views.CaseRequestsView.as_view(), name="case_requests"),
    path("cases/<int:case_id>/consents/", views.ConsentLedgerView.as_view(), name="consent_ledger"),
    path("breaches/", views.BreachListView.as_view(), name="breaches"),
    path("breaches/new/", views.BreachNewView.as_view(), name="breach_new"),
    path("breaches/<int:pk>/", views.BreachDetailView.as_view(), name="breach_detail"),
    path("breaches/<int:pk>/edit/", views.BreachEditView.as_view(), name="breach_edit"),
]
