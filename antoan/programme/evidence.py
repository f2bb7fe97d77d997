"""Evidence files of an activity: photos, attendance lists, documents.

A file is judged by its content (``files.check_upload``): it must be what its extension says,
photos lose their metadata (GPS position, camera owner) before they are stored, and the stored
name is the content's SHA-256, never the uploader's file name. Files are served only by
``views.evidence.EvidenceDownloadView`` to users who may see the activity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.programme.choices import EvidenceKind
from antoan.programme.files import check_upload, display_name, store_with
from antoan.programme.models import Activity, Evidence
from antoan.programme.services import may_edit_activity

ALLOWED = {"jpeg", "png", "pdf", "xlsx", "docx"}


QUOTA_DAYS = 30


def _check_quota(actor: Any, *, incoming: int) -> None:
    """Refuse an upload past the user's quota of files and bytes in the last 30 days."""
    since = timezone.now() - dt.timedelta(days=QUOTA_DAYS)
    used = Evidence.objects.filter(uploaded_by=actor, uploaded_at__gte=since).aggregate(
        files=Count("pk"), size=Sum("size")
    )
    files, size = used["files"], used["size"] or 0
    if (
        files >= settings.ANTOAN_UPLOAD_QUOTA_FILES
        or size + incoming > settings.ANTOAN_UPLOAD_QUOTA_BYTES
    ):
        raise ValidationError(
            {
                "file": [
                    _(
                        "Bạn đã tải lên %(files)d tệp (%(size)s MB) trong %(days)d ngày qua, "
                        "chạm hạn mức của mỗi người (%(max_files)d tệp, %(max_size)s MB). Hãy "
                        "liên hệ quản trị hệ thống nếu cần tải thêm."
                    )
                    % {
                        "files": files,
                        "size": size // (1024 * 1024),
                        "days": QUOTA_DAYS,
                        "max_files": settings.ANTOAN_UPLOAD_QUOTA_FILES,
                        "max_size": settings.ANTOAN_UPLOAD_QUOTA_BYTES // (1024 * 1024),
                    }
                ]
            }
        )


@transaction.atomic
def evidence_add(
    *, actor: Any, activity: Activity, kind: str, upload: Any, request: Any = None
) -> Evidence:
    """Attach a checked file to an activity (whoever may edit the activity)."""
    if not may_edit_activity(actor, activity):
        raise PermissionDenied
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": [_("Loại minh chứng không hợp lệ.")]})
    _check_quota(actor, incoming=int(getattr(upload, "size", 0) or 0))
    try:
        checked = check_upload(
            upload, allowed=ALLOWED, max_bytes=settings.ANTOAN_EVIDENCE_MAX_BYTES
        )
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    digest = hashlib.sha256(checked.data).hexdigest()
    if activity.evidence.filter(sha256=digest).exists():
        raise ValidationError({"file": [_("Tệp này đã được tải lên cho hoạt động này rồi.")]})
    evidence = Evidence(
        activity=activity,
        kind=kind,
        original_name=display_name(getattr(upload, "name", ""), checked.extension),
        extension=checked.extension,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=digest,
        uploaded_by=actor,
    )

    def save() -> None:
        evidence.full_clean(exclude=["file"])
        evidence.save()
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            user=actor,
            object_type="programme.evidence",
            object_id=evidence.pk,
            place_code=activity.place.code,
            extra={"activity": activity.pk, "kind": kind, "size": evidence.size},
        )

    # evidence_path names the file <sha256><extension> under the activity's folder.
    store_with(evidence, checked, digest, save)
    return evidence


def evidence_download_record(*, actor: Any, evidence: Evidence, request: Any = None) -> None:
    """Audit that a file left the system (the caller has checked who may see the activity)."""
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        user=actor,
        object_type="programme.evidence",
        object_id=evidence.pk,
        extra={"activity": evidence.activity_id, "download": True},
    )
