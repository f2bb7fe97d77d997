"""``POST /api/v1/hotline/telephony/events`` and ``/messages/inbound``: signed, once, bounded;
and the PBX simulator played against a live server."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.core.models import AuditEvent
from antoan.hotline import choices as h
from antoan.hotline.models import Call, ContactMessage, OperatorPresence, WebhookEvent
from antoan.hotline.webhooks import HEADER, sign

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/hotline/telephony/events"
MESSAGES = "/api/v1/hotline/messages/inbound"
NUMBER = "0912345678"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(name="extension")
def extension_fixture(cast):
    moment = timezone.now()
    OperatorPresence.objects.create(
        user=cast["hotline1"],
        agency=Agency.objects.get(code="ctxh-tinh"),
        state=h.Presence.AVAILABLE,
        changed_at=moment,
        seen_at=moment,
        extension="101",
    )
    return "101"


def post(
    client,
    path,
    payload=None,
    *,
    raw=None,
    secret=None,
    timestamp=None,
    signed=True,
    content_type="application/json",
):
    body = raw if raw is not None else json.dumps(payload).encode()
    if secret is None:
        secret = (
            settings.ANTOAN_MESSAGES_SECRET
            if path == MESSAGES
            else settings.ANTOAN_TELEPHONY_SECRET
        )
    headers = {HEADER: sign(body, secret, timestamp=timestamp)} if signed else {}
    return client.generic("POST", path, body, content_type=content_type, headers=headers)


def ev(name, call_id="pbx-1", at=None, n=1, **fields):
    payload = {
        "event_id": f"{call_id}-{name}-{n}",
        "event": name,
        "call_id": call_id,
        "line": "18001567",
        **fields,
    }
    if at is not None:
        payload["at"] = at.isoformat()
    return payload


def code_of(response):
    return response.json()["error"]["code"]


def test_a_call_played_through_the_api_makes_one_contact(client, cast, extension):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=4)
    ringing = post(client, EVENTS, ev("ringing", at=start, caller=NUMBER, extension="101"))
    assert ringing.status_code == 201, ringing.json()
    assert ringing.json()["state"] == "waiting" and ringing.json()["created"] is True
    answered = post(
        client, EVENTS, ev("answered", at=start + dt.timedelta(seconds=6), extension="101")
    )
    assert answered.status_code == 200 and answered.json()["state"] == "active"
    ended = post(client, EVENTS, ev("ended", at=start + dt.timedelta(seconds=126)))
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    contact = Call.objects.get()
    assert ringing.json()["contact"] == contact.pk
    assert (contact.received_at, contact.answered_at, contact.ended_at) == (
        start,
        start + dt.timedelta(seconds=6),
        start + dt.timedelta(seconds=126),
    )
    assert contact.duration_seconds == 120 and contact.operator == cast["hotline1"]
    assert NUMBER not in ringing.content.decode()


def test_unsigned_badly_signed_and_stale_events_are_refused(client, cast, extension):
    payload = ev("ringing", caller=NUMBER, extension="101")
    unsigned = post(client, EVENTS, payload, signed=False)
    assert unsigned.status_code == 401 and code_of(unsigned) == "signature_required"
    wrong = post(client, EVENTS, payload, secret="x" * 40)
    assert wrong.status_code == 401 and code_of(wrong) == "invalid_signature"
    # The right secret for the other webhook is not this one's.
    other = post(client, EVENTS, payload, secret=settings.ANTOAN_MESSAGES_SECRET)
    assert other.status_code == 401
    stale = post(client, EVENTS, payload, timestamp=int(time.time()) - 600)
    assert stale.status_code == 401 and code_of(stale) == "stale_signature"
    # A body changed after signing.
    body = json.dumps(payload).encode()
    header = sign(body, settings.ANTOAN_TELEPHONY_SECRET)
    tampered = client.generic(
        "POST",
        EVENTS,
        body.replace(b"101", b"102"),
        content_type="application/json",
        headers={HEADER: header},
    )
    assert tampered.status_code == 401
    assert not Call.objects.exists() and not WebhookEvent.objects.exists()
    refusals = AuditEvent.objects.filter(action="permission_denied", object_type="webhook")
    assert refusals.count() == 5
    assert NUMBER not in json.dumps(list(refusals.values_list("extra", flat=True)))


def test_a_replayed_event_is_refused(client, cast, extension):
    payload = ev("ringing", caller=NUMBER, extension="101")
    assert post(client, EVENTS, payload).status_code == 201
    replay = post(client, EVENTS, payload)
    assert replay.status_code == 409 and code_of(replay) == "replayed"
    assert Call.objects.count() == 1


def test_an_unknown_extension_is_refused_clearly_and_nothing_is_written(client, cast, extension):
    response = post(client, EVENTS, ev("ringing", caller=NUMBER, extension="999"))
    assert response.status_code == 422 and code_of(response) == "unknown_extension"
    assert "999" in response.json()["error"]["message"]
    assert not Call.objects.exists() and not WebhookEvent.objects.exists()
    assert AuditEvent.objects.filter(action="alert", extra__reason="unknown_extension").exists()


def test_an_event_for_an_unknown_call_is_refused(client, cast, extension):
    response = post(client, EVENTS, ev("ended", call_id="never-rang"))
    assert response.status_code == 422 and code_of(response) == "unknown_call"


@override_settings(ANTOAN_HOTLINE_LINES={})
def test_an_unmapped_line_is_refused(client, cast):
    response = post(client, EVENTS, ev("ringing", caller=NUMBER))
    assert response.status_code == 422 and code_of(response) == "unknown_line"


def test_huge_binary_and_malformed_bodies_are_refused(client, cast, extension):
    huge = json.dumps({**ev("ringing"), "caller": "1" * 70_000}).encode()
    assert post(client, EVENTS, raw=huge).status_code == 413
    assert code_of(post(client, EVENTS, raw=huge)) == "payload_too_large"
    binary = bytes(range(256)) * 4
    assert post(client, EVENTS, raw=binary, signed=False).status_code == 401
    signed_binary = post(client, EVENTS, raw=binary)
    assert signed_binary.status_code == 400 and code_of(signed_binary) == "malformed_json"
    wrong_type = post(client, EVENTS, raw=b"event=ringing", content_type="text/plain")
    assert wrong_type.status_code == 415
    assert post(client, EVENTS, raw=b"[1, 2]").status_code == 400
    deep = post(client, EVENTS, raw=b"[" * 10_000)
    assert deep.status_code == 400 and code_of(deep) == "json_too_deep"
    unknown_key = post(client, EVENTS, {**ev("ringing"), "note": "x"})
    assert unknown_key.status_code == 400 and "note" in unknown_key.json()["error"]["fields"]
    bad_event = post(client, EVENTS, {**ev("ringing"), "event": "hangup"})
    assert bad_event.status_code == 400 and "event" in bad_event.json()["error"]["fields"]
    future = post(client, EVENTS, ev("ringing", at=timezone.now() + dt.timedelta(hours=2)))
    assert future.status_code == 400 and "at" in future.json()["error"]["fields"]
    assert not Call.objects.exists() and not WebhookEvent.objects.exists()


@override_settings(ANTOAN_TELEPHONY_SECRET="", ANTOAN_MESSAGES_SECRET="")
def test_without_a_secret_the_endpoints_are_not_configured(client, cast):
    for path in (EVENTS, MESSAGES):
        response = post(client, path, ev("ringing"), secret="y" * 40)
        assert response.status_code == 404 and code_of(response) == "not_configured"


def test_a_flood_is_rate_limited(client, cast):
    from antoan.api.hotline.telephony import WebhookThrottle

    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "hotline_webhook": "3/min"}
    original = WebhookThrottle.THROTTLE_RATES
    WebhookThrottle.THROTTLE_RATES = rates
    try:
        answers = [post(client, EVENTS, ev("ringing"), signed=False).status_code for _ in range(5)]
    finally:
        WebhookThrottle.THROTTLE_RATES = original
        cache.clear()
    assert answers[:3] == [401, 401, 401] and answers[3:] == [429, 429]


# --- Messages ------------------------------------------------------------------------------


def msg(n, body="Tôi cần giúp đỡ", sender=NUMBER, channel="sms"):
    return {
        "message_id": f"m-{n}",
        "channel": channel,
        "sender": sender,
        "body": body,
        "line": "18001567",
    }


def test_messages_join_the_senders_conversation_then_a_new_one(client, cast):
    first = post(client, MESSAGES, msg(1))
    assert first.status_code == 201 and first.json()["new_contact"] is True
    second = post(client, MESSAGES, msg(2, body="Chồng tôi lại đánh tôi"))
    assert second.status_code == 200
    assert second.json() == {
        "contact": first.json()["contact"],
        "seq": 2,
        "parts": 1,
        "new_contact": False,
    }
    contact = Call.objects.get()
    contact.ended_at = timezone.now()
    contact.save(update_fields=["ended_at"])
    third = post(client, MESSAGES, msg(3))
    assert third.status_code == 201 and third.json()["contact"] != contact.pk
    assert post(client, MESSAGES, msg(3)).status_code == 409
    assert ContactMessage.objects.count() == 3


def test_bad_messages_are_refused_and_nothing_is_kept(client, cast):
    assert (
        post(client, MESSAGES, msg(1), secret=settings.ANTOAN_TELEPHONY_SECRET).status_code == 401
    )
    control = post(client, MESSAGES, msg(2, body="a\x00b"))
    assert control.status_code == 400 and "body" in control.json()["error"]["fields"]
    empty = post(client, MESSAGES, msg(3, body="   "))
    assert empty.status_code == 400
    too_long = post(client, MESSAGES, msg(4, body="a" * 40_000))
    assert too_long.status_code == 400 and "body" in too_long.json()["error"]["fields"]
    mms = post(client, MESSAGES, {**msg(5), "channel": "mms"})
    assert mms.status_code == 400
    assert not Call.objects.exists() and not WebhookEvent.objects.exists()


# --- The simulator against a live server ---------------------------------------------------


def simulate(live_server, *args):
    result = subprocess.run(  # noqa: S603 - our own script
        [
            sys.executable,
            str(ROOT / "scripts" / "pbx_simulator.py"),
            *args,
            "--url",
            live_server.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result


def test_the_pbx_simulator_plays_a_call_and_an_sms(live_server, cast, extension):
    before = timezone.now()
    played = simulate(
        live_server,
        "call",
        # "=": a random secret may begin with "-", which argparse would take for an option.
        f"--secret={settings.ANTOAN_TELEPHONY_SECRET}",
        "--caller",
        NUMBER,
        "--extension",
        "101",
        "--line",
        "18001567",
        "--ring",
        "7",
        "--talk",
        "65",
    )
    assert played.returncode == 0, played.stdout + played.stderr
    statuses = [json.loads(line)["status"] for line in played.stdout.splitlines()]
    assert statuses == [201, 200, 200]
    contact = Call.objects.get()
    assert contact.channel == "phone" and contact.operator == cast["hotline1"]
    assert contact.answered_at - contact.received_at == dt.timedelta(seconds=7)
    assert contact.ended_at - contact.answered_at == dt.timedelta(seconds=65)
    assert contact.duration_seconds == 65
    assert before - dt.timedelta(seconds=2) <= contact.ended_at <= timezone.now()
    texted = simulate(
        live_server,
        "message",
        f"--secret={settings.ANTOAN_MESSAGES_SECRET}",
        "--sender",
        NUMBER,
        "--body",
        "Tôi cần giúp đỡ",
    )
    assert texted.returncode == 0, texted.stdout + texted.stderr
    sms = Call.objects.get(channel="sms")
    assert str(sms.messages.get().body) == "Tôi cần giúp đỡ"
    refused = simulate(live_server, "call", "--secret", "z" * 40, "--extension", "101")
    assert refused.returncode == 1 and Call.objects.count() == 2


def test_the_schema_documents_the_signature_and_the_refusals():
    from tests.security.test_schemathesis import served_schema

    paths = served_schema()["paths"]
    for path in (EVENTS, MESSAGES):
        operation = paths[path]["post"]
        assert operation.get("security") in (None, [], [{}])
        header = next(p for p in operation["parameters"] if p["in"] == "header")
        assert header["name"] == HEADER and header["required"] is True
        assert {"200", "201", "400", "401", "404", "409", "413", "415", "422", "429"} <= set(
            operation["responses"]
        )
