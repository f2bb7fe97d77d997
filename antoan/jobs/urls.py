from django.urls import path

from antoan.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.MyJobsView.as_view(), name="mine"),
    path("<int:pk>/", views.JobView.as_view(), name="job"),
    path("<int:pk>/progress/", views.JobProgressView.as_view(), name="progress"),
    path("<int:pk>/result/", views.JobResultFileView.as_view(), name="result_file"),
]
