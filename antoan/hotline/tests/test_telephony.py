"""Telephony and SMS/Zalo services: PBX events become one contact with the right times; the
caller's number is encrypted and only counted; replies go out through the gateway."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.core.crypto import phone_index
from antoan.core.models import AuditEvent
from antoan.hotline import choices as h
from antoan.hotline import gateways, selectors, webhooks
from antoan.hotline.models import Call, ContactMessage, OperatorPresence, WebhookEvent
from antoan.hotline.services import contacts, telephony
from antoan.hotline.services.telephony import EventRefused, MessageEvent, TelephonyEvent

pytestmark = pytest.mark.django_db

NUMBER = "0912345678"  # the log scan of the test run fails if it appears in any log line


@pytest.fixture(name="hotline")
def hotline_fixture(cast):
    return Agency.objects.get(code="ctxh-tinh")


@pytest.fixture(name="extension")
def extension_fixture(cast, hotline):
    """hotline1 answers the phone at extension 101 of the provincial hotline."""
    moment = timezone.now()
    OperatorPresence.objects.create(
        user=cast["hotline1"],
        agency=hotline,
        state=h.Presence.AVAILABLE,
        changed_at=moment,
        seen_at=moment,
        extension="101",
    )
    return "101"


def event(name, call_id="pbx-1", at=None, **fields):
    return TelephonyEvent(
        event_id=f"{call_id}-{name}-{fields.pop('n', 1)}",
        event=name,
        call_id=call_id,
        at=at,
        line=fields.pop("line", "18001567"),
        **fields,
    )


def play(start, *, ring=8, talk=95, extension="101", call_id="pbx-1"):
    ringing = telephony.telephony_event(
        event("ringing", call_id, start, caller=NUMBER, extension=extension)
    )
    telephony.telephony_event(
        event("answered", call_id, start + dt.timedelta(seconds=ring), extension=extension)
    )
    telephony.telephony_event(event("ended", call_id, start + dt.timedelta(seconds=ring + talk)))
    return ringing


def test_ringing_answered_ended_makes_one_contact_with_the_right_times(cast, extension):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=3)
    ringing = play(start)
    assert ringing.created
    contact = Call.objects.get()
    assert contact.channel == "phone" and contact.external_id == "pbx-1"
    assert contact.line == "18001567" and contact.agency.code == "ctxh-tinh"
    assert contact.operator == cast["hotline1"]
    assert contact.received_at == start
    assert contact.answered_at == start + dt.timedelta(seconds=8)
    assert contact.ended_at == start + dt.timedelta(seconds=103)
    assert contact.duration_seconds == 95
    assert contact.status == "open" and contact.state == "ended"
    assert WebhookEvent.objects.filter(source="telephony").count() == 3


def test_a_ringing_call_is_in_the_operators_ringing_list_until_answered(cast, extension):
    start = timezone.now() - dt.timedelta(seconds=5)
    telephony.telephony_event(event("ringing", at=start, caller=NUMBER, extension=extension))
    contact = Call.objects.get()
    assert list(selectors.ringing_for(cast["hotline1"])) == [contact]
    assert list(selectors.ringing_for(cast["worker1"])) == []
    telephony.telephony_event(event("answered", extension=extension))
    assert list(selectors.ringing_for(cast["hotline1"])) == []


def test_repeats_and_events_out_of_order_change_nothing_twice(cast, extension):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=2)
    telephony.telephony_event(event("ringing", at=start, caller=NUMBER, extension=extension))
    # The PBX resends ringing with a new event id: still one contact.
    again = telephony.telephony_event(
        event("ringing", at=start, caller=NUMBER, extension=extension, n=2)
    )
    assert not again.created and not again.changed
    # ended arrives before answered.
    telephony.telephony_event(event("ended", at=start + dt.timedelta(seconds=60)))
    telephony.telephony_event(
        event("answered", at=start + dt.timedelta(seconds=10), extension=extension)
    )
    contact = Call.objects.get()
    assert contact.answered_at == start + dt.timedelta(seconds=10)
    assert contact.ended_at == start + dt.timedelta(seconds=60)
    assert contact.duration_seconds == 50
    # A second ended (new id) keeps the first end.
    later = telephony.telephony_event(event("ended", at=start + dt.timedelta(seconds=90), n=2))
    assert not later.changed
    assert Call.objects.get().ended_at == start + dt.timedelta(seconds=60)


def test_the_same_event_id_twice_is_refused(cast, extension):
    telephony.telephony_event(event("ringing", caller=NUMBER, extension=extension))
    with pytest.raises(webhooks.Replayed):
        telephony.telephony_event(event("ringing", caller=NUMBER, extension=extension))
    assert Call.objects.count() == 1


def test_a_missed_call_ends_without_an_answer(cast, extension):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=1)
    telephony.telephony_event(event("ringing", at=start, caller=NUMBER, extension=extension))
    telephony.telephony_event(event("ended", at=start + dt.timedelta(seconds=30)))
    contact = Call.objects.get()
    assert contact.answered_at is None and contact.duration_seconds is None
    assert contact.ended_at == start + dt.timedelta(seconds=30)
    assert AuditEvent.objects.filter(object_type="call", extra__missed=True).exists()


def test_an_unknown_extension_is_refused_and_nothing_is_written(cast, extension):
    with pytest.raises(EventRefused) as refused:
        telephony.telephony_event(event("ringing", caller=NUMBER, extension="999"))
    assert refused.value.code == "unknown_extension"
    assert not Call.objects.exists() and not WebhookEvent.objects.exists()


def test_an_extension_of_someone_no_longer_an_operator_is_unknown(cast, extension, hotline):
    from antoan.accounts.models import Membership

    Membership.objects.filter(user=cast["hotline1"], agency=hotline).update(
        valid_to=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(EventRefused):
        telephony.telephony_event(event("ringing", caller=NUMBER, extension=extension))


def test_an_event_for_an_unknown_call_is_refused_and_may_be_sent_again(cast, extension):
    answered = event("answered", extension=extension)
    with pytest.raises(EventRefused) as refused:
        telephony.telephony_event(answered)
    assert refused.value.code == "unknown_call"
    assert not WebhookEvent.objects.exists()  # not remembered: the PBX sends it again
    telephony.telephony_event(event("ringing", caller=NUMBER, extension=extension))
    telephony.telephony_event(answered)
    assert Call.objects.get().answered_at is not None


@override_settings(ANTOAN_HOTLINE_LINES={"18001567": "ctxh-tinh"})
def test_an_unknown_line_is_refused(cast, extension):
    with pytest.raises(EventRefused) as refused:
        telephony.telephony_event(event("ringing", caller=NUMBER, line="19009999"))
    assert refused.value.code == "unknown_line"
    telephony.telephony_event(event("ringing", caller=NUMBER, line="18001567", n=2))
    assert Call.objects.count() == 1


def test_times_in_the_future_or_days_old_are_refused(cast, extension):
    with pytest.raises(ValidationError):
        telephony.telephony_event(
            event("ringing", at=timezone.now() + dt.timedelta(hours=1), caller=NUMBER)
        )
    with pytest.raises(ValidationError):
        telephony.telephony_event(
            event("ringing", at=timezone.now() - dt.timedelta(days=3), caller=NUMBER, n=2)
        )
    assert not Call.objects.exists() and not WebhookEvent.objects.exists()


def test_no_caller_number_in_clear_in_the_database_or_the_audit_log(cast, extension):
    play(timezone.now() - dt.timedelta(minutes=3))
    contact = Call.objects.get()
    assert str(contact.caller_address) == NUMBER  # decrypted through the model
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_address, caller_index FROM hotline_call")
        raw, index = cursor.fetchone()
    for piece in (NUMBER, NUMBER[1:], NUMBER[-7:], "84912345678"):
        assert piece not in raw and piece not in index
    logged = json.dumps(list(AuditEvent.objects.values("extra", "changed_fields")), default=str)
    assert NUMBER[-7:] not in logged


def test_the_blind_index_is_per_hotline_and_not_the_case_phone_index(cast):
    a = Agency.objects.get(code="ctxh-tinh")
    b = Agency.objects.exclude(pk=a.pk).first()
    assert contacts.caller_index(a.pk, NUMBER) == contacts.caller_index(a.pk, "+84 912 345 678")
    assert contacts.caller_index(a.pk, NUMBER) != contacts.caller_index(b.pk, NUMBER)
    assert contacts.caller_index(a.pk, NUMBER) != phone_index(NUMBER)
    assert contacts.caller_index(b.pk, NUMBER) != phone_index(NUMBER)


def test_earlier_contacts_counts_this_hotlines_calls_from_the_number(cast, extension):
    first = timezone.now() - dt.timedelta(hours=2)
    play(first, call_id="pbx-a")
    play(first + dt.timedelta(hours=1), call_id="pbx-b")
    telephony.telephony_event(event("ringing", "pbx-c", caller="0987000111", extension="101"))
    latest = Call.objects.get(external_id="pbx-b")
    assert contacts.earlier_contacts(latest) == 1
    assert selectors.earlier_contacts_label(latest) == "đã gọi 1 lần trước"
    assert contacts.earlier_contacts(Call.objects.get(external_id="pbx-a")) == 0
    assert contacts.earlier_contacts(Call.objects.get(external_id="pbx-c")) == 0
    # A withheld number counts nothing.
    telephony.telephony_event(event("ringing", "pbx-d", caller="anonymous", extension="101"))
    withheld = Call.objects.get(external_id="pbx-d")
    assert withheld.caller_index == "" and contacts.earlier_contacts(withheld) == 0


def test_the_call_page_says_how_many_times_the_number_called_before(cast, extension, client):
    first = timezone.now() - dt.timedelta(hours=2)
    play(first, call_id="pbx-a")
    play(first + dt.timedelta(hours=1), call_id="pbx-b")
    client.force_login(cast["hotline1"])
    page = client.get(f"/hotline/{Call.objects.get(external_id='pbx-b').pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "đã gọi 1 lần trước" in text and NUMBER not in text
    api = client.get(f"/api/v1/hotline/calls/{Call.objects.get(external_id='pbx-b').pk}")
    assert api.json()["earlier_contacts"] == 1 and NUMBER not in api.content.decode()


# --- SMS and Zalo --------------------------------------------------------------------------


def sms(n, body="Tôi cần giúp đỡ", sender=NUMBER, channel="sms"):
    return telephony.message_event(
        MessageEvent(message_id=f"m-{n}", channel=channel, sender=sender, body=body, line="")
    )


def test_the_same_senders_second_message_joins_the_contact(cast):
    first = sms(1)
    second = sms(2, body="Chồng tôi lại đánh tôi", sender="+84 912 345 678")
    assert first.new_contact and not second.new_contact
    assert first.contact == second.contact
    contact = Call.objects.get()
    assert contact.channel == "sms" and str(contact.caller_address) == NUMBER
    assert [m.seq for m in contact.messages.all()] == [1, 2]
    # Another channel from the same number is another conversation.
    assert sms(3, channel="zalo").new_contact


def test_a_message_after_the_contact_ended_opens_a_new_contact(cast):
    first = sms(1).contact
    contacts.contact_take(contact=first, actor=cast["hotline1"])
    contacts.contact_end(contact=first, actor=cast["hotline1"])
    again = sms(2)
    assert again.new_contact and again.contact != first
    assert contacts.earlier_contacts(again.contact) == 1


def test_a_replayed_message_is_refused_and_kept_once(cast):
    sms(1)
    with pytest.raises(webhooks.Replayed):
        sms(1)
    assert ContactMessage.objects.count() == 1


def test_a_long_message_is_kept_whole_in_parts(cast):
    text = ("Tôi không biết phải làm sao. " * 200).strip()
    received = sms(1, body=text)
    assert received.parts == 3
    stored = [str(m.body) for m in received.contact.messages.order_by("seq")]
    assert all(len(part) <= contacts.MESSAGE_MAX for part in stored)
    assert " ".join(stored).split() == text.split()


def test_an_operator_reply_goes_to_the_console_gateway(cast, django_capture_on_commit_callbacks):
    gateways.ConsoleGateway.clear()
    contact = sms(1).contact
    contacts.contact_take(contact=contact, actor=cast["hotline1"])
    with django_capture_on_commit_callbacks(execute=True):
        contacts.contact_reply(contact=contact, actor=cast["hotline1"], body="Chị đang ở đâu?")
    assert [
        (s.channel, s.to, s.body, s.contact_id, s.seq) for s in gateways.ConsoleGateway.outbox
    ] == [("sms", NUMBER, "Chị đang ở đâu?", contact.pk, 2)]
    gateways.ConsoleGateway.clear()


class _Broken:
    def send(self, **kwargs):
        raise gateways.GatewayError("down")


@override_settings(ANTOAN_MESSAGE_GATEWAY="antoan.hotline.tests.test_telephony._Broken")
def test_a_reply_the_gateway_refused_is_kept_and_said(cast, django_capture_on_commit_callbacks):
    contact = sms(1).contact
    contacts.contact_take(contact=contact, actor=cast["hotline1"])
    with django_capture_on_commit_callbacks(execute=True):
        contacts.contact_reply(contact=contact, actor=cast["hotline1"], body="Chị đang ở đâu?")
    last = contact.messages.order_by("-seq").first()
    assert last.direction == "system" and "Chưa gửi được tin nhắn số 2" in str(last.body)
    assert contact.messages.filter(direction="out").count() == 1


def test_the_http_gateway_posts_signed_json(cast):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers[webhooks.HEADER], body))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):  # the body holds a number: nothing to stderr
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = "s" * 40
    try:
        url = f"http://127.0.0.1:{server.server_port}/send"
        gateways.HttpGateway(url=url, secret=secret).send(
            channel="zalo", to="zalo-user-1", body="Xin chào", contact_id=7, seq=3
        )
    finally:
        server.shutdown()
        server.server_close()
    header, body = received[0]
    payload = json.loads(body)
    assert payload == {
        "channel": "zalo",
        "to": "zalo-user-1",
        "body": "Xin chào",
        "contact": 7,
        "seq": 3,
        "message_id": "antoan-7-3",
    }
    with override_settings(ANTOAN_MESSAGES_SECRET=secret):
        webhooks.verify(webhooks.MESSAGES, header, body)
    with pytest.raises(gateways.GatewayError):  # the server is gone: not taken
        gateways.HttpGateway(url=url, secret=secret).send(
            channel="sms", to="x", body="y", contact_id=1, seq=1
        )


def test_an_operator_sets_their_extension_once_per_hotline(cast):
    contacts.presence_set(actor=cast["hotline1"], state="available", extension="101")
    presence = OperatorPresence.objects.get(user=cast["hotline1"])
    assert presence.extension == "101"
    with pytest.raises(ValidationError):
        contacts.presence_set(actor=cast["hotline1"], state="available", extension="10a")
    telephony.telephony_event(event("ringing", caller=NUMBER, extension="101"))
    assert Call.objects.get().operator == cast["hotline1"]
