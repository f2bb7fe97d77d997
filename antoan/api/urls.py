from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer

from antoan.accounts.roles import Perm
from antoan.api import auth, places, views

app_name = "api"


class JsonErrors:
    """Errors in the API's JSON shape even where the success is YAML or HTML."""

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class SchemaView(JsonErrors, SpectacularAPIView):
    permission = Perm.USE_SYSTEM


class DocsView(JsonErrors, SpectacularSwaggerSplitView):
    permission = Perm.USE_SYSTEM


urlpatterns = [
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("me", views.MeView.as_view(), name="me"),
    path("agencies", views.AgencyListView.as_view(), name="agencies"),
    path("places", places.PlaceListView.as_view(), name="places"),
    path("schema", SchemaView.as_view(), name="schema"),
    path("docs", DocsView.as_view(url_name="api:schema"), name="docs"),
]
