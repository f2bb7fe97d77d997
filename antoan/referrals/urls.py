from django.urls import path

from antoan.referrals.views import boxes, directory

app_name = "referrals"

urlpatterns = [
    path("providers/", directory.DirectoryView.as_view(), name="directory"),
    path("providers/<int:pk>/", directory.ProviderView.as_view(), name="provider"),
    path("pathway/<str:code>/", directory.PathwayView.as_view(), name="pathway"),
    path("inbox/", boxes.InboxView.as_view(), name="inbox"),
    path("history/", boxes.HistoryView.as_view(), name="history"),
    path("history/<int:pk>/", boxes.HistoryItemView.as_view(), name="history_item"),
    path("outbox/", boxes.OutboxView.as_view(), name="outbox"),
    path("notifications/", boxes.NotificationsView.as_view(), name="notifications"),
    path("<int:pk>/", boxes.ReferralView.as_view(), name="detail"),
    path("cases/<int:case_id>/new/", boxes.ReferralNewView.as_view(), name="new"),
    path("cases/<int:case_id>/preview/", boxes.ReferralPreviewView.as_view(), name="preview"),
    path("cases/<int:case_id>/services/new/", boxes.ServiceNewView.as_view(), name="service_new"),
]
