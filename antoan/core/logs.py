"""Structured logs: one JSON object a line, with the request id and the user id.

What a line may hold: the time (ISO 8601, with the offset), level, logger, message, the request
id, the signed-in user's numeric id, the HTTP method and path (never the query string), and a
traceback. Never a name, phone, address or free text from a case: the application logs ids and
codes only, and a test (``conftest.py``, the log scan) fails the suite when a demo survivor's
name or phone appears in any log line written while the whole suite ran.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
request_line: contextvars.ContextVar[str] = contextvars.ContextVar("request_line", default="")


class RequestContextFilter(logging.Filter):
    """Stamp every record with the request being served (empty outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user_id = user_id.get()
        record.http = request_line.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
            "user_id": getattr(record, "user_id", None),
            "request": getattr(record, "http", "") or None,
        }
        # Django's request logger passes the request and the status code: keep the code only.
        status = getattr(record, "status_code", None)
        if status is not None:
            line["status"] = status
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps({k: v for k, v in line.items() if v is not None}, ensure_ascii=False)


class LogContextMiddleware:
    """After authentication: the request id, the user's id and ``METHOD /path`` for the logs.

    Kept until the response is finished (Django logs a 4xx/5xx after every middleware has
    returned), and cleared when the next request starts or this one finishes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        request_id.set(getattr(request, "request_id", ""))
        user_id.set(user.pk if user is not None and user.is_authenticated else None)
        request_line.set(f"{request.method} {request.path}")
        return self.get_response(request)


def clear_context(**kwargs) -> None:
    request_id.set("")
    user_id.set(None)
    request_line.set("")


def personal_data_in(lines, needles: list[str]) -> list[str]:
    """The log lines that contain any of ``needles`` (case-insensitive, JSON escapes undone)."""
    lowered = [needle.lower() for needle in needles]
    found = []
    for line in lines:
        try:
            text = json.dumps(json.loads(line), ensure_ascii=False).lower()
        except ValueError:
            text = line.lower()
        if any(needle in text for needle in lowered):
            found.append(line.rstrip("\n"))
    return found
