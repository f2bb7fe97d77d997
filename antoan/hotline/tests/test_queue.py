"""The live queue, the record form, the board, escalation, the queue API and retention of
transcripts. Another hotline's operators never see a chat: queue, board, API, take."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from antoan.api.tests.test_cases_helpers import send
from antoan.core.models import AuditEvent
from antoan.hotline import choices as h
from antoan.hotline import selectors
from antoan.hotline.models import Call, ContactMessage, OperatorPresence
from antoan.hotline.services import contacts

pytestmark = pytest.mark.django_db

MESSAGE = "Tôi là Nguyễn Thị Hòa, chồng tôi vừa đánh tôi"


def _operator(username, agency_code, role="hotline_operator"):
    from antoan.accounts.models import Agency, Membership, User

    user = User.objects.create(username=username, first_name=username)
    Membership.objects.create(
        user=user,
        agency=Agency.objects.get(code=agency_code),
        role=role,
        valid_from=dt.date(2025, 1, 1),
    )
    return user


@pytest.fixture(name="hotline")
def hotline_fixture(cast, hotlinesup):
    from antoan.accounts.models import Agency

    return {
        "agency": Agency.objects.get(code="ctxh-tinh"),
        "other_agency": Agency.objects.get(code="ubnd-tran-hung-dao"),
        "op": cast["hotline1"],
        "colleague": _operator("hotline3", "ctxh-tinh"),
        "outsider": _operator("hotline9", "ubnd-tran-hung-dao"),
        "outsider_sup": _operator("hotlinesup9", "ubnd-tran-hung-dao", "case_supervisor"),
        "sup": hotlinesup,
    }


def _chat(agency, *, minutes=1, channel=h.Channel.WEB_CHAT):
    moment = timezone.now() - dt.timedelta(minutes=minutes)
    if channel == h.Channel.WEB_CHAT:
        contact = contacts.chat_start(agency=agency).contact
        Call.objects.filter(pk=contact.pk).update(received_at=moment)
        contact.refresh_from_db()
        return contact
    return contacts.contact_arrive(agency=agency, channel=channel, received_at=moment)


# --- Selectors ------------------------------------------------------------------------------


def test_the_queue_lists_waiting_oldest_first_ringing_and_mine(hotline):
    agency, op = hotline["agency"], hotline["op"]
    newer = _chat(agency, minutes=1)
    older = _chat(agency, minutes=4, channel=h.Channel.SMS)
    ringing = contacts.contact_arrive(agency=agency, channel=h.Channel.PHONE)
    Call.objects.filter(pk=ringing.pk).update(operator=op)
    mine = _chat(agency, minutes=2)
    contacts.contact_take(contact=mine, actor=op)
    _chat(hotline["other_agency"])
    queue = selectors.operator_queue(op)
    assert [e.contact.pk for e in queue.waiting] == [older.pk, newer.pk]
    assert queue.waiting[0].waiting_seconds >= 4 * 60 - 1
    assert [e.contact.pk for e in queue.ringing] == [ringing.pk]
    assert [e.contact.pk for e in queue.mine] == [mine.pk]
    assert [c.pk for c in selectors.ringing_for(op)] == [ringing.pk]


def test_the_queue_and_the_board_read_a_constant_number_of_queries(
    hotline, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agency, op, sup = hotline["agency"], hotline["op"], hotline["sup"]
    contacts.presence_set(actor=op, state=h.Presence.AVAILABLE)
    reads = ((selectors.operator_queue, op), (selectors.hotline_board, sup))
    _chat(agency)
    one = []
    for read, user in reads:
        read(user, audit=False)  # memberships are cached per user, as within a request
        with CaptureQueriesContext(connection) as ctx:
            read(user, audit=False)
        one.append(len(ctx.captured_queries))
    assert one[0] <= 4 and one[1] <= 5, one
    for minutes in range(28):
        _chat(agency, minutes=minutes + 2, channel=h.Channel.SMS if minutes % 2 else "web_chat")
    taken = _chat(agency, minutes=40)
    contacts.contact_take(contact=taken, actor=op)
    for (read, user), count in zip(reads, one, strict=True):
        with django_assert_num_queries(count):
            result = read(user, audit=False)
    assert len(result.waiting) == 29 and len(result.active) == 1


@pytest.fixture
def at_noon(monkeypatch):
    """The clock stopped at today's noon in Asia/Ho_Chi_Minh, so that "today" holds the last
    half hour whenever the test runs (just after midnight it would not)."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: noon)


def test_the_board_counts_by_channel_operator_and_today_and_flags_late_ones(
    hotline, settings, at_noon
):
    settings.ANTOAN_CONTACT_ESCALATE_SECONDS = 120
    agency, op = hotline["agency"], hotline["op"]
    contacts.presence_set(actor=op, state=h.Presence.BUSY)
    late = _chat(agency, minutes=5)
    _chat(agency, minutes=0, channel=h.Channel.ZALO)
    talking = _chat(agency, minutes=1)
    contacts.contact_take(contact=talking, actor=op)
    _chat(hotline["other_agency"], minutes=30)
    board = selectors.hotline_board(hotline["sup"])
    assert board.waiting_by_channel["web_chat"] == 1 and board.waiting_by_channel["zalo"] == 1
    assert board.active_by_channel["web_chat"] == 1
    assert board.longest_wait >= 5 * 60 - 1 and board.longest_wait < 30 * 60
    assert [e.contact.pk for e in board.escalated] == [late.pk]
    assert board.today["web_chat"]["total"] == 2 and board.today_total == 3
    line = next(line for line in board.operators if line.user == op)
    assert line.state == "busy" and line.active == 1


# --- Pages ----------------------------------------------------------------------------------


def test_an_operator_sees_the_chat_takes_it_and_ends_it(hotline, client_for):
    chat = _chat(hotline["agency"], minutes=3)
    client = client_for(hotline["op"])
    page = client.get(reverse("hotline:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("hotline:take", args=[chat.pk]) in html and "3:0" in html
    assert 'hx-trigger="every 5s"' in html and reverse("hotline:queue") in html
    fragment = client.get(reverse("hotline:queue"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    response = client.post(reverse("hotline:take", args=[chat.pk]))
    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.operator == hotline["op"] and chat.answered_at is not None
    # A colleague comes too late.
    late = client_for(hotline["colleague"]).post(reverse("hotline:take", args=[chat.pk]))
    assert late.status_code == 302 and late.url == reverse("hotline:queue")
    client = client_for(hotline["op"])
    assert client.post(reverse("hotline:end", args=[chat.pk])).status_code == 302
    chat.refresh_from_db()
    assert chat.ended_at is not None and chat.state == "ended"


def test_a_phone_contact_taken_goes_to_the_record_form(hotline, client_for):
    call = contacts.contact_arrive(agency=hotline["agency"], channel=h.Channel.PHONE)
    response = client_for(hotline["op"]).post(reverse("hotline:take", args=[call.pk]))
    assert response.url == reverse("hotline:record", args=[call.pk])


def test_presence_is_set_from_the_queue_page_and_the_refresh_says_it_is_open(hotline, client_for):
    client = client_for(hotline["op"])
    response = client.post(reverse("hotline:presence"), {"state": "available"})
    assert response.status_code == 302
    presence = OperatorPresence.objects.get(user=hotline["op"])
    assert presence.state == "available"
    OperatorPresence.objects.filter(pk=presence.pk).update(
        seen_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert not contacts.staffed(hotline["agency"])
    client.get(reverse("hotline:queue"), HTTP_HX_REQUEST="true")
    assert contacts.staffed(hotline["agency"])
    assert client.post(reverse("hotline:presence"), {"state": "asleep"}).status_code == 302
    assert OperatorPresence.objects.get(user=hotline["op"]).state == "available"


def test_operators_set_their_extension_and_a_taken_one_is_refused(hotline, client_for):
    """What the PBX's events name (docs/hotline-telephony.md): set on the queue page or by the
    API; another operator's extension is refused and nothing changes."""
    page = client_for(hotline["op"])
    page.post(reverse("hotline:presence"), {"state": "available", "extension": "201"})
    assert OperatorPresence.objects.get(user=hotline["op"]).extension == "201"
    assert 'value="201"' in page.get(reverse("hotline:queue")).content.decode()
    colleague = client_for(hotline["colleague"])
    colleague.post(reverse("hotline:presence"), {"state": "busy", "extension": "202"})
    response = colleague.post(
        reverse("hotline:presence"), {"state": "away", "extension": "201"}, follow=True
    )
    assert "Số máy lẻ này đã được một tư vấn viên khác dùng." in response.content.decode()
    mine = OperatorPresence.objects.get(user=hotline["colleague"])
    assert (mine.state, mine.extension) == ("busy", "202")
    api = send(colleague, "put", "/api/v1/hotline/presence", {"state": "away", "extension": "x1"})
    assert api.status_code == 400 and "extension" in api.json()["error"]["fields"]
    api = send(colleague, "put", "/api/v1/hotline/presence", {"state": "away", "extension": "203"})
    assert api.status_code == 200 and api.json()["extension"] == "203"
    # Absent: the extension stays; empty: it is cleared.
    send(colleague, "put", "/api/v1/hotline/presence", {"state": "busy"})
    assert OperatorPresence.objects.get(user=hotline["colleague"]).extension == "203"
    send(colleague, "put", "/api/v1/hotline/presence", {"state": "busy", "extension": ""})
    assert OperatorPresence.objects.get(user=hotline["colleague"]).extension == ""


def test_another_hotlines_operators_never_see_the_chat(hotline, client_for):
    chat = _chat(hotline["agency"], minutes=3)
    contacts.chat_visitor_post(contact=chat, body=MESSAGE)
    outsider = client_for(hotline["outsider"])
    html = outsider.get(reverse("hotline:queue")).content.decode()
    assert reverse("hotline:take", args=[chat.pk]) not in html
    assert outsider.post(reverse("hotline:take", args=[chat.pk])).status_code == 404
    assert outsider.get(reverse("hotline:record", args=[chat.pk])).status_code == 404
    chat.refresh_from_db()
    assert chat.operator is None
    assert selectors.operator_queue(hotline["outsider"]).waiting == []
    assert selectors.hotline_board(hotline["outsider_sup"]).waiting == []
    sup = client_for(hotline["outsider_sup"])
    board = sup.get(reverse("hotline:board")).content.decode()
    assert reverse("hotline:detail", args=[chat.pk]) not in board
    api = client_for(hotline["outsider"])
    body = api.get("/api/v1/hotline/queue").json()
    assert body["waiting"] == []
    take = send(api, "post", f"/api/v1/hotline/contacts/{chat.pk}/take")
    assert take.status_code == 404 and take.json()["error"]["code"] == "not_found"
    assert AuditEvent.objects.filter(
        action="permission_denied", object_type="call", object_id=str(chat.pk)
    ).exists()
    chat.refresh_from_db()
    assert chat.operator is None


def test_the_record_form_fills_a_live_contact_with_a_version_check(hotline, client_for):
    call = contacts.contact_arrive(agency=hotline["agency"], channel=h.Channel.PHONE)
    contacts.contact_take(contact=call, actor=hotline["op"])
    call.refresh_from_db()
    client = client_for(hotline["op"])
    page = client.get(reverse("hotline:record", args=[call.pk])).content.decode()
    assert (
        call.received_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y %H:%M")
        in page
    )
    data = {
        "version": call.version,
        "caller_type": "survivor",
        "category": "dv",
        "commune": "11953",
        "summary": "Chị bị chồng đánh",
        "immediate_danger": "on",
        "outcome": "phone_counselling",
    }
    response = client.post(reverse("hotline:record", args=[call.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    call.refresh_from_db()
    assert call.category == "dv" and call.immediate_danger and call.summary == data["summary"]
    stale = client.post(reverse("hotline:record", args=[call.pk]), data)  # old version
    assert stale.status_code == 409
    bad = client.post(
        reverse("hotline:record", args=[call.pk]),
        {**data, "version": call.version, "category": "x"},
    )
    assert bad.status_code == 400
    call.refresh_from_db()
    assert call.category == "dv"


def test_the_call_list_and_page_show_a_waiting_contact_without_operator(hotline, client_for):
    chat = _chat(hotline["agency"])
    client = client_for(hotline["sup"])
    assert client.get(reverse("hotline:list") + "?box=all").status_code == 200
    page = client.get(reverse("hotline:detail", args=[chat.pk]))
    assert page.status_code == 200 and "Chưa phân loại" in page.content.decode()
    board = client.get(reverse("hotline:board"))
    assert board.status_code == 200 and reverse("hotline:detail", args=[chat.pk]) in (
        board.content.decode()
    )
    assert client.get(reverse("hotline:board"), HTTP_HX_REQUEST="true").status_code == 200
    assert client_for(hotline["op"]).get(reverse("hotline:board")).status_code == 403


def test_a_web_chat_cannot_be_logged_by_hand(hotline):
    from django.core.exceptions import ValidationError

    from antoan.hotline import services

    with pytest.raises(ValidationError):
        services.call_log(
            actor=hotline["op"],
            data=services.CallInput(channel="web_chat", caller_type="survivor", category="dv"),
        )
    call = services.call_log(
        actor=hotline["op"],
        data=services.CallInput(
            channel="phone", caller_type="survivor", category="dv", duration_seconds=120
        ),
    )
    assert call.answered_at == call.received_at
    assert call.ended_at == call.received_at + dt.timedelta(seconds=120)
    assert not list(selectors.ringing_for(hotline["op"]))


# --- Escalation -----------------------------------------------------------------------------


def test_escalation_marks_late_contacts_once_and_tells_the_supervisors(hotline, settings):
    from antoan.referrals.models import Notification

    settings.ANTOAN_CONTACT_ESCALATE_SECONDS = 60
    late = _chat(hotline["agency"], minutes=3)
    fresh = _chat(hotline["agency"], minutes=0)
    _chat(hotline["other_agency"], minutes=3)
    call_command("escalate_contacts", "--now")
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.escalated_at is not None and fresh.escalated_at is None
    notices = Notification.objects.filter(kind="contact_wait")
    assert set(notices.values_list("user__username", flat=True)) >= {"hotlinesup1"}
    assert not notices.filter(user=hotline["op"]).exists()
    before = notices.count()
    call_command("escalate_contacts", "--now")
    assert notices.count() == before  # once
    assert AuditEvent.objects.filter(
        action="escalate", object_type="call", object_id=str(late.pk)
    ).exists()


def _last_seen(contact, minutes):
    Call.objects.filter(pk=contact.pk).update(
        visitor_seen_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_a_chat_whose_visitor_has_gone_is_ended_and_its_operator_told(hotline, settings):
    settings.ANTOAN_CHAT_VISITOR_GONE_SECONDS = 600
    gone = _chat(hotline["agency"], minutes=30)
    contacts.contact_take(contact=gone, actor=hotline["op"])
    _last_seen(gone, 11)
    present = _chat(hotline["agency"], minutes=30)
    _last_seen(present, 9)
    sms = _chat(hotline["agency"], minutes=30, channel=h.Channel.SMS)
    call_command("escalate_contacts", "--now")
    gone.refresh_from_db()
    present.refresh_from_db()
    sms.refresh_from_db()
    assert gone.ended_at is not None and gone.state == h.ContactState.ENDED
    assert present.ended_at is None and sms.ended_at is None
    # The operator's conversation says why it ended; the visitor's is closed to new messages.
    notice = gone.messages.order_by("-seq").first()
    assert notice.direction == h.Direction.SYSTEM
    assert notice.body == "Người liên hệ không còn kết nối; cuộc trò chuyện đã tự kết thúc."
    with pytest.raises(contacts.ContactEnded):
        contacts.contact_reply(contact=gone, actor=hotline["op"], body="Chị còn đó không?")
    ended = [
        e
        for e in AuditEvent.objects.filter(object_type="call", object_id=str(gone.pk))
        if e.extra.get("event") == "ended"
    ]
    assert [(e.extra["by"], e.username) for e in ended] == [("timeout", "escalate_contacts")]
    # Once: a second run changes nothing.
    before = gone.messages.count()
    call_command("escalate_contacts", "--now")
    assert gone.messages.count() == before == 1


def test_a_visitor_who_keeps_polling_is_never_timed_out(hotline, client, settings):
    settings.ANTOAN_CHAT_HOTLINE = "ctxh-tinh"
    settings.ANTOAN_CHAT_VISITOR_GONE_SECONDS = 600
    contacts.presence_set(actor=hotline["op"], state=h.Presence.AVAILABLE)
    response = client.post("/api/v1/hotline/chats")
    assert response.status_code == 201, response.content
    started = response.json()
    chat = Call.objects.get(pk=started["id"])
    Call.objects.filter(pk=chat.pk).update(received_at=timezone.now() - dt.timedelta(hours=1))
    _last_seen(chat, 11)
    polled = client.get(
        f"/api/v1/hotline/chats/{chat.pk}/messages?after=0", HTTP_X_CHAT_TOKEN=started["token"]
    )
    assert polled.status_code == 200
    chat.refresh_from_db()
    assert chat.visitor_seen_at > timezone.now() - dt.timedelta(minutes=1)
    call_command("escalate_contacts", "--now")
    chat.refresh_from_db()
    assert chat.ended_at is None
    # A wrong token proves nothing: it does not keep another visitor's chat alive.
    _last_seen(chat, 11)
    refused = client.get(
        f"/api/v1/hotline/chats/{chat.pk}/messages?after=0", HTTP_X_CHAT_TOKEN="x" * 43
    )
    assert refused.status_code == 404
    call_command("escalate_contacts", "--now")
    chat.refresh_from_db()
    assert chat.ended_at is not None


# --- API ------------------------------------------------------------------------------------


def test_the_queue_api_take_and_end(hotline, client_for):
    chat = _chat(hotline["agency"], minutes=2)
    client = client_for(hotline["op"])
    body = client.get("/api/v1/hotline/queue").json()
    assert [c["id"] for c in body["waiting"]] == [chat.pk]
    assert body["waiting"][0]["channel"] == "web_chat"
    assert body["waiting"][0]["waiting_seconds"] >= 119
    taken = send(client, "post", f"/api/v1/hotline/contacts/{chat.pk}/take")
    assert taken.status_code == 200 and taken.json()["state"] == "active"
    again = send(
        client_for(hotline["colleague"]), "post", f"/api/v1/hotline/contacts/{chat.pk}/take"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_taken"
    other = send(
        client_for(hotline["colleague"]), "post", f"/api/v1/hotline/contacts/{chat.pk}/end"
    )
    assert other.status_code == 403
    client = client_for(hotline["op"])
    assert [c["id"] for c in client.get("/api/v1/hotline/queue").json()["mine"]] == [chat.pk]
    ended = send(client, "post", f"/api/v1/hotline/contacts/{chat.pk}/end")
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    twice = send(client, "post", f"/api/v1/hotline/contacts/{chat.pk}/end")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "ended"
    presence = send(client, "put", "/api/v1/hotline/presence", {"state": "away"})
    assert presence.status_code == 200 and presence.json()["state"] == "away"
    bad = send(client, "put", "/api/v1/hotline/presence", {"state": "away", "x": 1})
    assert bad.status_code == 400
    assert client_for(hotline["sup"]).get("/api/v1/hotline/queue").status_code == 403


# --- Retention ------------------------------------------------------------------------------


def test_retention_blanks_the_transcript_and_the_callers_number(hotline):
    from antoan.cases.services.retention import Scrubbed
    from antoan.hotline import services

    message = contacts.inbound_message(
        agency=hotline["agency"], channel="sms", sender="0912345678", body=MESSAGE
    )
    contact = message.contact
    contacts.contact_take(contact=contact, actor=hotline["op"])
    contacts.contact_reply(contact=contact, actor=hotline["op"], body="Chị đang ở đâu?")
    contacts.contact_end(contact=contact, actor=hotline["op"])
    contact.refresh_from_db()
    services.call_update(
        call=contact,
        actor=hotline["op"],
        version=contact.version,
        changes={"caller_type": "survivor", "category": "dv", "summary": "Chị Hòa"},
    )
    contact.refresh_from_db()
    services.call_close(
        call=contact, actor=hotline["op"], version=contact.version, outcome="referred"
    )
    scrubbed = Scrubbed()
    services.calls_unlinked_anonymise(
        closed_before=timezone.now() + dt.timedelta(days=1), scrubbed=scrubbed
    )
    contact.refresh_from_db()
    assert contact.summary == "" and contact.caller_address == "" and contact.caller_index == ""
    assert {m.body for m in ContactMessage.objects.filter(contact=contact)} == {""}
    assert scrubbed.fields >= 5


def test_waiting_contacts_do_not_skew_the_hotlines_figures(hotline):
    from antoan.hotline import services
    from antoan.indicators.periods import period_for
    from antoan.indicators.selectors.dashboards import hotline_dashboard

    agency, op = hotline["agency"], hotline["op"]
    services.call_log(
        actor=op, data=services.CallInput(channel="phone", caller_type="survivor", category="dv")
    )
    _chat(agency)  # waiting: not a call handled
    talking = _chat(agency)
    contacts.contact_take(contact=talking, actor=op)  # answered, not classified yet
    board = hotline_dashboard(agency, period_for(timezone.localdate().year))
    assert board.total == 2
    by_category = dict(board.by_category)
    assert by_category["Bạo lực gia đình"] == 1 and by_category["Chưa phân loại"] == 1
    assert by_category["Khác"] == 0
