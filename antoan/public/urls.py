from django.urls import path

from antoan.public import views

app_name = "public"

urlpatterns = [
    path("", views.help_page, name="help"),
    path("tro-chuyen/", views.chat_page, name="chat"),
]
