"""What every case service shares: access checks, versioning, the timeline and the audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Membership
from antoan.accounts.roles import Perm
from antoan.cases import facts, search_index
from antoan.cases.models import Case, CaseEvent, CaseStageChange, Incident
from antoan.core.audit import audit_record
from antoan.core.permissions import grant


def now() -> dt.datetime:
    """The services' clock (tests move it)."""
    return timezone.now()


def lock(case: Case) -> None:
    """Take the case's row lock and reload it, so a write builds on the stored state.

    A caller may hold a copy loaded long ago; computing a new stage or needs from it would
    undo someone else's work even when no version is checked.
    """
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db()


def writable(case: Case) -> None:
    if case.status == "closed":
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError(_("Hồ sơ đã đóng; hãy mở lại trước khi cập nhật."))


class CaseConflict(Exception):
    """A write based on a version of the case that is no longer current."""

    def __init__(self, *, case: Case, loaded_version: int, events: list[CaseEvent]):
        super().__init__(f"case {case.pk}: version {loaded_version} is stale")
        self.case = case
        self.loaded_version = loaded_version
        self.events = events


def can_edit(actor: Any, case: Case) -> Membership | None:
    """Edit rights: the assigned worker, or anyone holding agency-wide view and edit rights."""
    membership = grant(actor, Perm.CASE_EDIT, agency_id=case.agency_id)
    if membership is None:
        return None
    if case.assigned_to_id == actor.pk or grant(actor, Perm.CASE_VIEW_AGENCY, case.agency_id):
        return membership
    return None


def refuse_anonymised(case: Case) -> None:
    """An anonymised case takes no more records: they would bring identifying data back."""
    if case.anonymised_at is not None:
        raise ValidationError(_("Hồ sơ đã được ẩn danh theo thời hạn lưu trữ; không thể cập nhật."))


def require_edit(actor: Any, case: Case) -> Membership:
    lock(case)
    membership = can_edit(actor, case)
    if membership is None:
        raise PermissionDenied
    refuse_anonymised(case)
    return membership


def require_approve(actor: Any, case: Case) -> Membership:
    lock(case)
    membership = grant(actor, Perm.CASE_APPROVE, agency_id=case.agency_id)
    if membership is None:
        raise PermissionDenied
    refuse_anonymised(case)
    return membership


def advance(
    case: Case,
    *,
    actor: Any,
    version: int | None,
    kind: str,
    data: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    membership: Membership | None = None,
    request: Any = None,
    changed_fields: Iterable[str] = (),
    audit_action: str = "update",
    audit_extra: dict[str, Any] | None = None,
) -> Case:
    """Apply ``fields`` to the case and raise its version, refusing a stale ``version``.

    ``version`` None means an append that cannot overwrite anything (a note, a follow-up):
    it is accepted whatever the current version. Writes the timeline event and the audit
    event in the caller's transaction.
    """
    fields = dict(fields or {})
    moment = now()
    rows = Case.objects.filter(pk=case.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if "stage" in fields and fields["stage"] != case.stage:
        CaseStageChange.objects.create(
            case=case,
            from_stage=case.stage,
            to_stage=fields["stage"],
            changed_at=moment,
            changed_by=actor,
            reason=str((data or {}).get("reason", ""))[:300],
        )
    updated = rows.update(version=F("version") + 1, updated_at=moment, **fields)
    if not updated:
        raise CaseConflict(
            case=case,
            loaded_version=version or 0,
            events=list(
                CaseEvent.objects.filter(case=case, version__gt=version or 0).select_related(
                    "actor"
                )
            ),
        )
    case.refresh_from_db()
    if search_index.CASE_FIELDS.intersection(fields):
        search_index.refresh(case_ids=[case.pk])
    if "needs" in fields:  # an update() sends no signal
        facts.refresh([case.pk])
    CaseEvent.objects.create(
        case=case, at=moment, actor=actor, kind=kind, version=case.version, data=data or {}
    )
    audit_record(
        action=audit_action,
        request=request,
        user=actor,
        membership=membership,
        object_type="case",
        object_id=case.pk,
        place_code=case_place_code(case),
        changed_fields=[*changed_fields, *fields.keys()],
        extra={"event": kind, **(audit_extra or {})},
    )
    return case


def commune_on(code: str, *, on: dt.date, field: str) -> Any:
    """The commune with ``code`` on a date, or a ValidationError on ``field``."""
    import re

    from django.core.exceptions import ValidationError

    from antoan.places.exceptions import PlaceNotFound
    from antoan.places.selectors import place_get

    if not re.fullmatch(r"\d{5}", code or ""):
        from django.utils.translation import gettext as _

        raise ValidationError({field: [_("Mã xã, phường phải gồm 5 chữ số.")]})
    try:
        return place_get(code=code, level="commune", on=on)
    except PlaceNotFound as exc:
        raise ValidationError({field: exc.messages}) from exc


def choices_of(values: Sequence[str], choices: type[models.TextChoices], name: str) -> list[str]:
    """``values`` without repeats, or a ValidationError on ``name`` naming the unknown codes."""
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise ValidationError(
            {name: [_("Giá trị không hợp lệ: %(value)s.") % {"value": ", ".join(unknown)}]}
        )
    return list(dict.fromkeys(values))


def choice(value: str, choices: type[models.TextChoices], name: str, *, blank: bool = False) -> str:
    """``value`` if it is one of ``choices`` (or empty, when ``blank``), else a ValidationError."""
    if blank and value == "":
        return value
    return choices_of([value], choices, name)[0]


def counted_place_refresh(incidents: QuerySet[Incident]) -> int:
    """Work out again where the statistics count ``incidents``: the incident's commune, else
    its survivor's commune, else its case agency's place (``Incident.counted_place``). Called
    by every write that changes one of the three; one UPDATE, whatever the number of rows."""
    case = Case.objects.filter(pk=OuterRef("case_id"))
    return incidents.order_by().update(
        counted_place=Coalesce(
            F("commune"),
            Subquery(case.values("survivor__commune")[:1]),
            Subquery(case.values("agency__place")[:1]),
        )
    )


def case_place_code(case: Case) -> str:
    commune = case.survivor.commune if case.survivor_id else None
    return commune.code if commune is not None else ""
