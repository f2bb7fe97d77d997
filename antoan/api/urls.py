from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from antoan.accounts.roles import Perm
from antoan.api import auth, places, views

app_name = "api"


class SchemaView(SpectacularAPIView):
    permission = Perm.USE_SYSTEM


class DocsView(SpectacularSwaggerSplitView):
    permission = Perm.USE_SYSTEM


urlpatterns = [
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("me", views.MeView.as_view(), name="me"),
    path("agencies", views.AgencyListView.as_view(), name="agencies"),
    path("places", places.PlaceListView.as_view(), name="places"),
    path("schema", SchemaView.as_view(), name="schema"),
    path("docs", DocsView.as_view(url_name="api:schema"), name="docs"),
]
