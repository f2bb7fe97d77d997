from django.urls import path

from antoan.accounts import views
from antoan.core.permissions import public

app_name = "accounts"

urlpatterns = [
    path("login/", public(views.LoginView.as_view()), name="login"),
    path("login/otp/", public(views.LoginOtpView.as_view()), name="login_otp"),
    path("logout/", public(views.LogoutView.as_view()), name="logout"),
    path("security/", views.SecurityView.as_view(), name="security"),
    path("reauth/", views.ReauthView.as_view(), name="reauth"),
    path("security/otp/", views.OtpEnrolView.as_view(), name="otp_enrol"),
    path("security/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "security/logout-everywhere/",
        views.LogoutEverywhereView.as_view(),
        name="logout_everywhere",
    ),
    path(
        "security/tokens/<int:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="token_revoke",
    ),
]
