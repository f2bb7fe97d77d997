#!/usr/bin/env python3
"""Play a PBX (and an SMS gateway) against An Toàn's hotline webhooks.

A call: signed ``ringing`` → ``answered`` → ``ended`` events for one call id, with times in
the past so nothing waits (rang ``--ring`` seconds, talked ``--talk`` seconds, ending now)::

    python scripts/pbx_simulator.py call --url http://127.0.0.1:8000 \\
        --secret="$ANTOAN_TELEPHONY_SECRET" --caller 0912345678 --extension 101 --line 18001567

An SMS (or ``--channel zalo``) from a sender::

    python scripts/pbx_simulator.py message --url http://127.0.0.1:8000 \\
        --secret="$ANTOAN_MESSAGES_SECRET" --sender 0912345678 --body "Tôi cần giúp đỡ"

``--stop-after ringing`` leaves the call ringing (the operator's queue page opens it). Only the
standard library: it runs wherever Python 3 does, like a PBX script would. Prints one line of
JSON per request (status and answer); exits 1 if one was refused. See
docs/hotline-telephony.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

EVENTS_PATH = "/api/v1/hotline/telephony/events"
MESSAGES_PATH = "/api/v1/hotline/messages/inbound"
HEADER = "X-AnToan-Signature"


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: what the server verifies."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def post(url: str, secret: str, payload: dict) -> tuple[int, dict]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    if not url.startswith(("https://", "http://")):
        raise SystemExit("--url must be an http(s):// address")
    request = urllib.request.Request(  # noqa: S310 - http(s) only (checked above)
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", HEADER: sign(body, secret)},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read() or b"{}")
        except ValueError:
            answer = {}
        return exc.code, answer


def play_call(args: argparse.Namespace) -> int:
    url = args.url.rstrip("/") + EVENTS_PATH
    call_id = args.call_id or f"sim-{uuid.uuid4().hex[:12]}"
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rang = end - dt.timedelta(seconds=args.ring + args.talk)
    answered = rang + dt.timedelta(seconds=args.ring)
    steps = [
        ("ringing", rang, {"caller": args.caller, "extension": args.extension}),
        ("answered", answered, {"extension": args.extension}),
        ("ended", end, {}),
    ]
    failed = False
    for name, moment, extra in steps:
        payload = {
            "event_id": f"{call_id}-{name}",
            "event": name,
            "call_id": call_id,
            "at": moment.isoformat(),
            "line": args.line,
            **{key: value for key, value in extra.items() if value},
        }
        status, answer = post(url, args.secret, payload)
        print(json.dumps({"event": name, "status": status, "answer": answer}, ensure_ascii=False))
        failed = failed or status >= 400
        if name == args.stop_after:
            break
    return 1 if failed else 0


def play_message(args: argparse.Namespace) -> int:
    url = args.url.rstrip("/") + MESSAGES_PATH
    payload = {
        "message_id": args.message_id or f"sim-{uuid.uuid4().hex[:12]}",
        "channel": args.channel,
        "sender": args.sender,
        "body": args.body,
        "line": args.line,
    }
    status, answer = post(url, args.secret, payload)
    print(json.dumps({"message": args.channel, "status": status, "answer": answer}))
    return 1 if status >= 400 else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    call = commands.add_parser("call", help="ringing → answered → ended")
    call.add_argument("--url", default="http://127.0.0.1:8000", help="the server's base URL")
    call.add_argument("--secret", default=os.environ.get("ANTOAN_TELEPHONY_SECRET", ""))
    call.add_argument("--caller", default="0912345678", help="the caller's number")
    call.add_argument("--extension", default="", help="the operator's extension")
    call.add_argument("--line", default="18001567", help="the hotline number dialled")
    call.add_argument("--call-id", default="", help="the PBX's call id (default: random)")
    call.add_argument("--ring", type=int, default=8, help="seconds ringing")
    call.add_argument("--talk", type=int, default=95, help="seconds talking")
    call.add_argument("--stop-after", choices=["ringing", "answered", "ended"], default="ended")
    call.set_defaults(play=play_call)

    message = commands.add_parser("message", help="an SMS or Zalo message")
    message.add_argument("--url", default="http://127.0.0.1:8000")
    message.add_argument("--secret", default=os.environ.get("ANTOAN_MESSAGES_SECRET", ""))
    message.add_argument("--channel", choices=["sms", "zalo"], default="sms")
    message.add_argument("--sender", default="0912345678")
    message.add_argument("--body", default="Tôi cần giúp đỡ")
    message.add_argument("--line", default="18001567")
    message.add_argument("--message-id", default="")
    message.set_defaults(play=play_message)

    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("--secret (or ANTOAN_TELEPHONY_SECRET / ANTOAN_MESSAGES_SECRET) is needed")
    return args.play(args)


if __name__ == "__main__":
    sys.exit(main())
