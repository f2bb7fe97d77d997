from django.urls import path, re_path

from antoan.indicators.views import province, work

app_name = "indicators"

urlpatterns = [
    path("", province.ProvinceDashboardView.as_view(), name="province"),
    re_path(r"^export\.(?P<file_format>xlsx|csv)$", province.ExportView.as_view(), name="export"),
    path("estimates/", work.EstimateView.as_view(), name="estimates"),
    path("agency/", work.AgencyDashboardView.as_view(), name="agency"),
    path("hotline/", work.HotlineDashboardView.as_view(), name="hotline"),
    path("national/", province.NationalDashboardView.as_view(), name="national"),
    path("<str:code>/", province.IndicatorView.as_view(), name="indicator"),
]
