"""The hotline's websocket routes (served by antoan/asgi.py; nginx passes /ws/ upgraded)."""

from django.urls import path

from antoan.hotline import consumers

websocket_urlpatterns = [
    path("ws/hotline/chats/<int:contact_id>/", consumers.VisitorChatConsumer.as_asgi()),
    path("ws/hotline/contacts/<int:contact_id>/", consumers.OperatorChatConsumer.as_asgi()),
]
