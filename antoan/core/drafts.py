"""Server-side drafts of long forms: save, restore, discard, purge (docs/forms.md).

A form key names a form and, for a form about one record, the record: ``cases:intake``,
``cases:assessment:<case id>``. Each app registers its forms with :func:`register_draft_form`
(from its ``AppConfig.ready``), with a check that the user may fill that form in now; core
never imports the apps. A draft is only ever read or written by its owner, and only while the
check passes: a case worker moved to another agency cannot read back the draft of a case that
is no longer theirs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from antoan.core.audit import audit_record
from antoan.core.models import AuditAction, FormDraft


@dataclass(frozen=True)
class DraftSubject:
    """What a draft is about, for the audit log: ``None`` for a form that is not case data."""

    audited: bool = False
    case_id: int | None = None


# check(request, argument) -> DraftSubject; raises Http404 (or PermissionDenied) to refuse.
DraftCheck = Callable[[Any, str], DraftSubject]


@dataclass(frozen=True)
class _Form:
    check: DraftCheck
    # A pattern the part after the form name must match ('' for a form with none).
    argument: str


_FORMS: dict[str, _Form] = {}
_KEY = re.compile(r"(?P<name>[a-z_]+:[a-z_]+)(?::(?P<arg>[A-Za-z0-9_]+))?")

# What the browser may send: enough for the longest form, not a storage service.
MAX_FIELDS = 400
MAX_BYTES = 200_000
# Never kept: the CSRF token, the version a save is checked against, formset bookkeeping.
_SKIPPED = re.compile(
    r"^(csrfmiddlewaretoken|version|client_uuid)$|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$"
)


def register_draft_form(name: str, check: DraftCheck, *, argument: str = "") -> None:
    """Let ``name`` (``app:form``) keep drafts; ``argument`` is a regex for its record id."""
    _FORMS[name] = _Form(check=check, argument=argument)


def draft_key(name: str, argument: Any = "") -> str:
    return f"{name}:{argument}" if argument != "" else name


def draft_check(request: Any, key: str) -> DraftSubject:
    """Raise Http404 unless ``key`` is a registered form the user may fill in now."""
    match = _KEY.fullmatch(key or "")
    form = _FORMS.get(match["name"]) if match else None
    if match is None or form is None:
        raise Http404
    argument = match["arg"] or ""
    if not re.fullmatch(form.argument, argument):
        raise Http404
    return form.check(request, argument)


def _cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.ANTOAN_DRAFT_RETENTION_DAYS)


def _audit(request: Any, subject: DraftSubject, draft: FormDraft, step: str, action: str) -> None:
    if not subject.audited:
        return
    # The form's name and the case's id, never what was typed.
    extra: dict[str, Any] = {"form": draft.form_key.rsplit(":", 1)[0], "step": step}
    if subject.case_id is not None:
        extra["case"] = subject.case_id
    audit_record(
        action=action, request=request, object_type="form_draft", object_id=draft.pk, extra=extra
    )


def clean_fields(fields: Any) -> list[tuple[str, str]]:
    """The submitted pairs, checked; ``ValidationError`` when they are not name/value strings."""
    if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
        raise ValidationError(f"fields: a list of at most {MAX_FIELDS} pairs")
    pairs = []
    for pair in fields:
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
            and 0 < len(pair[0]) <= 100
        ):
            raise ValidationError("fields: each item is [name, value]")
        if not _SKIPPED.search(pair[0]):
            pairs.append((pair[0], pair[1]))
    return pairs


@transaction.atomic
def form_draft_save(*, request: Any, key: str, fields: Any) -> FormDraft:
    """Keep what the user typed into the form ``key`` (one draft per user and form)."""
    subject = draft_check(request, key)
    text = json.dumps(clean_fields(fields), ensure_ascii=False)
    if len(text.encode()) > MAX_BYTES:
        raise ValidationError("draft too large")
    draft, created = FormDraft.objects.select_for_update().update_or_create(
        owner=request.user, form_key=key, defaults={"data": text, "updated_at": timezone.now()}
    )
    if created:
        # One event when a draft starts; each autosave after it continues the same draft.
        _audit(request, subject, draft, "saved", AuditAction.CREATE)
    return draft


def form_draft_get(*, request: Any, key: str) -> tuple[FormDraft, list[tuple[str, str]]] | None:
    """The user's own draft of the form ``key`` and its fields, if one is recent enough."""
    subject = draft_check(request, key)
    draft = FormDraft.objects.filter(
        owner=request.user, form_key=key, updated_at__gte=_cutoff()
    ).first()
    if draft is None:
        return None
    try:
        fields = [(str(name), str(value)) for name, value in json.loads(draft.data or "[]")]
    except (ValueError, TypeError):
        return None
    _audit(request, subject, draft, "restored", AuditAction.VIEW)
    return draft, fields


@transaction.atomic
def form_draft_discard(*, request: Any, key: str) -> bool:
    """Delete the user's draft of ``key``, at their request."""
    subject = draft_check(request, key)
    draft = FormDraft.objects.filter(owner=request.user, form_key=key).first()
    if draft is None:
        return False
    _audit(request, subject, draft, "discarded", AuditAction.DELETE)
    draft.delete()
    return True


def form_draft_submitted(request: Any, key: str) -> None:
    """The form went through: its draft has done its job. (No check: the view just did it.)"""
    FormDraft.objects.filter(owner=request.user, form_key=key).delete()


def form_drafts_purge(*, now: dt.datetime | None = None) -> int:
    """Delete drafts not saved for ``ANTOAN_DRAFT_RETENTION_DAYS``; how many went."""
    moment = now or timezone.now()
    cutoff = moment - dt.timedelta(days=settings.ANTOAN_DRAFT_RETENTION_DAYS)
    deleted, _by_model = FormDraft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def saved_at_text(draft: FormDraft) -> str:
    """HH:MM dd/mm/yyyy in Vietnam's time."""
    return timezone.localtime(draft.updated_at).strftime("%H:%M %d/%m/%Y")
