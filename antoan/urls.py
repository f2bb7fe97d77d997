from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from antoan.core.permissions import public

admin.site.site_header = "An Toàn"

urlpatterns = [
    path("", include("antoan.core.urls")),
    path("accounts/", include("antoan.accounts.urls")),
    path("cases/", include("antoan.cases.urls")),
    path("referrals/", include("antoan.referrals.urls")),
    path("hotline/", include("antoan.hotline.urls")),
    path("programme/", include("antoan.programme.urls")),
    path("programme/toolkit/", include("antoan.programme.excel.urls")),
    path("jobs/", include("antoan.jobs.urls")),
    path("indicators/", include("antoan.indicators.urls")),
    path("privacy/", include("antoan.privacy.urls")),
    path("health/", include("antoan.health.urls")),
    path("reports/", include("antoan.reports.urls")),
    path("api/v1/", include("antoan.api.urls")),
    path("places/", include("antoan.places.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("tim-ho-tro/", include("antoan.public.urls")),
]

handler400 = "antoan.core.views.bad_request"
handler403 = "antoan.core.views.permission_denied"
handler404 = "antoan.core.views.page_not_found"
handler500 = "antoan.core.views.server_error"
