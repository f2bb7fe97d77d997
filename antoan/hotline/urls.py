from django.urls import path

from antoan.hotline.views import calls, conversation, open_case, queue

app_name = "hotline"

urlpatterns = [
    path("", calls.CallListView.as_view(), name="list"),
    path("new/", calls.CallLogView.as_view(), name="new"),
    path("queue/", queue.QueueView.as_view(), name="queue"),
    path("presence/", queue.PresenceView.as_view(), name="presence"),
    path("board/", queue.BoardView.as_view(), name="board"),
    path("<int:pk>/", calls.CallDetailView.as_view(), name="detail"),
    path("<int:pk>/take/", queue.TakeView.as_view(), name="take"),
    path("<int:pk>/end/", queue.EndView.as_view(), name="end"),
    path("<int:pk>/record/", queue.RecordView.as_view(), name="record"),
    path("<int:pk>/notifications/", calls.CallNotifyView.as_view(), name="notify"),
    path("<int:pk>/close/", calls.CallCloseView.as_view(), name="close"),
    path("<int:pk>/open-case/", open_case.CallOpenCaseView.as_view(), name="open_case"),
    # Written conversations (web chat): docs/hotline.md "Web chat".
    path("conversations/", conversation.ConversationListView.as_view(), name="conversations"),
    path(
        "<int:pk>/conversation/",
        conversation.ConversationView.as_view(),
        name="conversation",
    ),
    path(
        "<int:pk>/conversation/messages/",
        conversation.ConversationMessagesView.as_view(),
        name="conversation_messages",
    ),
]
