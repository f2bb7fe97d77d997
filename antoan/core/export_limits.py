"""Per-user export volume: an alert for auditors, then a hard stop.

Every export is already an ``export`` event in the audit log, so the log is the counter: no
second table to keep in step, and an administrator cannot reset it. In a rolling hour, a user's
export past ``ANTOAN_EXPORT_ALERT_PER_HOUR`` writes one ``alert`` event (``extra.reason =
"export_volume"``) that auditors find on /audit/ under "Cảnh báo"; exports past
``ANTOAN_EXPORT_LIMIT_PER_HOUR`` are refused (429) and each refusal is an ``alert`` with
``extra.reason = "export_limit"``. See docs/security.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.core.audit import audit_record
from antoan.core.models import AuditAction, AuditEvent

WINDOW = dt.timedelta(hours=1)
REASON_VOLUME = "export_volume"
REASON_LIMIT = "export_limit"


def exports_in_window(user: Any, *, since: dt.datetime | None = None) -> int:
    """How many exports ``user`` made in the last hour (the audit log's ``export`` events)."""
    since = since or timezone.now() - WINDOW
    return AuditEvent.objects.filter(
        user=user, action=AuditAction.EXPORT, occurred_at__gte=since
    ).count()


def _alerted_since(user: Any, since: dt.datetime) -> bool:
    return AuditEvent.objects.filter(
        user=user,
        action=AuditAction.ALERT,
        occurred_at__gte=since,
        extra__reason=REASON_VOLUME,
    ).exists()


def export_volume_check(request: Any) -> HttpResponse | None:
    """Call before an export: a refusal past the hard limit, else None (alerting if due)."""
    http = getattr(request, "_request", request)
    user = http.user
    since = timezone.now() - WINDOW
    done = exports_in_window(user, since=since)
    alert_at = settings.ANTOAN_EXPORT_ALERT_PER_HOUR
    limit = settings.ANTOAN_EXPORT_LIMIT_PER_HOUR
    details = {"exports_last_hour": done, "alert_at": alert_at, "limit": limit}
    if done >= limit:
        audit_record(
            action=AuditAction.ALERT,
            request=http,
            object_type=user._meta.label_lower,
            object_id=user.pk,
            extra={"reason": REASON_LIMIT, **details},
        )
        return _refusal(http, limit)
    if done >= alert_at and not _alerted_since(user, since):
        # Once an hour per user: the auditor needs to know it is happening, not every row of it.
        audit_record(
            action=AuditAction.ALERT,
            request=http,
            object_type=user._meta.label_lower,
            object_id=user.pk,
            extra={"reason": REASON_VOLUME, **details},
        )
    return None


def _refusal(request: Any, limit: int) -> HttpResponse:
    message = _(
        "Bạn đã xuất dữ liệu %(limit)d lần trong một giờ qua, quá mức cho phép. Hãy thử lại sau; "
        "nếu công việc thật sự cần nhiều hơn, hãy liên hệ quản trị hệ thống."
    ) % {"limit": limit}
    if request.path.startswith("/api/"):
        from antoan.api.errors import error_response

        return error_response(429, "export_limit", message)
    context = {"title": _("Đã vượt giới hạn xuất dữ liệu"), "message": message, "status": 429}
    return render(request, "error.html", context, status=429)
