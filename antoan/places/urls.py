from django.urls import path

from antoan.places import views

app_name = "places"

urlpatterns = [
    path("search", views.PlaceSearchView.as_view(), name="search"),
]
