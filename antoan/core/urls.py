from django.urls import path

from antoan.core import draft_views, metrics, views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("audit/", views.AuditLogView.as_view(), name="audit"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("drafts/<str:key>/", draft_views.FormDraftView.as_view(), name="draft"),
    path("favicon.ico", views.favicon, name="favicon"),
]
