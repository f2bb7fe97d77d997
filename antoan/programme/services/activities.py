"""Recording and changing activities, and the coordinator's comments on them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import grant
from antoan.programme.choices import (
    ActivityKind,
)
from antoan.programme.models import (
    Activity,
    ActivityComment,
    InspectionMember,
    Plan,
    Recommendation,
    Spending,
    Trainee,
)
from antoan.programme.selectors import agency_assigned, is_year_locked
from antoan.programme.services.checks import (
    AGE_FIELDS,
    FLAG_NOT_ASSIGNED,
    KIND_FIELDS,
    ActivityInput,
    TraineeInput,
    check_open_year,
    require_reporter,
    validate_activity,
)

# full_clean checks the fields' own values only: validate_activity covered the rules, the
# related rows are objects already loaded, and the database enforces the constraints
# (re-checking each costs a query, which an import of thousands of rows feels).
FIELD_CHECKS_ONLY = [
    "tasks",
    "partners",
    "plan",
    "agency",
    "place",
    "community_model",
    "created_by",
    "updated_by",
]


class ActivityConflict(Exception):
    """A change based on a version of the activity that is no longer current."""

    def __init__(self, *, activity: Activity, loaded_version: int):
        super().__init__(f"activity {activity.pk}: version {loaded_version} is stale")
        self.activity = activity
        self.loaded_version = loaded_version


def _apply(activity: Activity, data: ActivityInput) -> None:
    activity.kind = data.kind
    activity.title = data.title.strip()
    activity.description = data.description.strip()
    activity.agency = data.agency
    activity.place = data.place
    activity.start_date, activity.end_date = data.start_date, data.end_date
    activity.partners_other = data.partners_other.strip()
    activity.target_groups = list(dict.fromkeys(data.target_groups))
    activity.participants_total = data.participants_total or 0
    activity.participants_female = data.participants_female
    activity.participants_male = data.participants_male
    activity.participants_other = data.participants_other
    for name in AGE_FIELDS:
        setattr(activity, name, data.ages.get(name))
    for kind, fields in KIND_FIELDS.items():
        for name, empty in fields.items():
            value = data.details.get(name, empty) if kind == data.kind else empty
            setattr(activity, name, empty if value is None and empty is not None else value)


def _save_children(activity: Activity, data: ActivityInput, *, created: bool) -> None:
    partners = [p for p in data.partners if p.pk != data.agency.pk]
    if created:
        # A new activity has nothing to replace: add, in as few queries as possible (an Excel
        # import creates thousands in one request).
        activity.tasks.add(*data.tasks)
        if partners:
            activity.partners.add(*partners)
        Spending.objects.bulk_create(
            Spending(activity=activity, source=source, amount=amount)
            for source, amount in data.spending.items()
        )
    else:
        activity.tasks.set(data.tasks)
        activity.partners.set(partners)
        Spending.objects.filter(activity=activity).exclude(source__in=list(data.spending)).delete()
        for source, amount in data.spending.items():
            Spending.objects.update_or_create(
                activity=activity, source=source, defaults={"amount": amount}
            )
    if data.trainees is not None or data.kind != ActivityKind.TRAINING:
        if not created:
            activity.trainees.all().delete()
        if data.kind == ActivityKind.TRAINING:
            Trainee.objects.bulk_create(
                Trainee(
                    activity=activity,
                    full_name=t.full_name.strip(),
                    sex=t.sex,
                    position=t.position.strip(),
                    agency_name=t.agency_name.strip(),
                    pre_score=t.pre_score,
                    post_score=t.post_score,
                )
                for t in data.trainees or []
            )
    if data.members is not None or data.kind != ActivityKind.INSPECTION:
        if not created:
            activity.inspection_members.all().delete()
        if data.kind == ActivityKind.INSPECTION:
            InspectionMember.objects.bulk_create(
                InspectionMember(activity=activity, agency=m.agency, name=m.name, role=m.role)
                for m in data.members or []
            )
    if data.recommendations is not None or data.kind != ActivityKind.INSPECTION:
        if not created:
            activity.recommendations.all().delete()
        if data.kind == ActivityKind.INSPECTION:
            Recommendation.objects.bulk_create(
                Recommendation(
                    activity=activity,
                    text=r.text,
                    responsible=r.responsible,
                    due_date=r.due_date,
                    status=r.status,
                    follow_up=r.follow_up,
                )
                for r in data.recommendations or []
            )


def _flags(data: ActivityInput) -> list[str]:
    return [] if agency_assigned(data.agency, data.tasks) else [FLAG_NOT_ASSIGNED]


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    plan: Plan,
    data: ActivityInput,
    client_uuid: uuid.UUID | None = None,
    import_key: str = "",
    request: Any = None,
) -> tuple[Activity, bool]:
    """Record an activity. Returns (activity, created): a repeated ``client_uuid`` or
    ``import_key`` of the same agency returns the activity recorded the first time."""
    require_reporter(actor, data.agency)
    if client_uuid is not None:
        existing = Activity.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.agency_id != data.agency.pk:
                raise ValidationError({"client_uuid": [_("Mã client_uuid đã được dùng.")]})
            return existing, False
    if import_key:
        existing = Activity.objects.filter(agency=data.agency, import_key=import_key).first()
        if existing is not None:
            return existing, False
    errors = validate_activity(plan, data)
    if errors:
        raise ValidationError(errors)
    check_open_year(plan, data.agency, data.start_date, "start_date")
    activity = Activity(
        plan=plan,
        created_by=actor,
        updated_by=actor,
        client_uuid=client_uuid,
        import_key=import_key,
    )
    _apply(activity, data)
    activity.flags = _flags(data)
    activity.full_clean(
        exclude=FIELD_CHECKS_ONLY, validate_unique=False, validate_constraints=False
    )
    activity.save()
    _save_children(activity, data, created=True)
    audit_record(
        action=AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.activity",
        object_id=activity.pk,
        place_code=activity.place.code,
        extra={"kind": activity.kind, "flags": activity.flags},
    )
    return activity, True


TRACKED = [
    "kind",
    "title",
    "description",
    "agency_id",
    "place_id",
    "start_date",
    "end_date",
    "partners_other",
    "target_groups",
    "participants_total",
    "participants_female",
    "participants_male",
    "participants_other",
    *AGE_FIELDS,
    *{name for fields in KIND_FIELDS.values() for name in fields if name != "community_model"},
    "community_model_id",
]


@transaction.atomic
def activity_update(
    *, actor: Any, activity: Activity, version: int, data: ActivityInput, request: Any = None
) -> Activity:
    """Change an activity recorded at ``version``; a stale version raises ActivityConflict."""
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    require_reporter(actor, current.agency)
    require_reporter(actor, data.agency)
    if current.version != version:
        raise ActivityConflict(activity=current, loaded_version=version)
    checked = data
    if data.kind == ActivityKind.TRAINING and data.trainees is None:
        # The kept list must still agree with the numbers given now.
        kept = [TraineeInput(full_name=t.full_name, sex=t.sex) for t in current.trainees.all()]
        checked = replace(data, trainees=kept)
    errors = validate_activity(current.plan, checked)
    if errors:
        raise ValidationError(errors)
    check_open_year(current.plan, current.agency, current.start_date, "start_date")
    check_open_year(current.plan, data.agency, data.start_date, "start_date")
    before = {name: getattr(current, name) for name in TRACKED}
    _apply(current, data)
    current.flags = _flags(data)
    current.updated_by = actor
    current.version += 1
    current.full_clean(exclude=FIELD_CHECKS_ONLY, validate_unique=False, validate_constraints=False)
    current.save()
    _save_children(current, data, created=False)
    changed = [name for name in TRACKED if getattr(current, name) != before[name]]
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="programme.activity",
        object_id=current.pk,
        place_code=current.place.code,
        changed_fields=changed,
    )
    return current


def may_edit_activity(actor: Any, activity: Activity) -> bool:
    """What the activity page uses to show or hide the edit button."""
    return grant(actor, Perm.PROGRAMME_REPORT, agency_id=activity.agency_id) is not None and (
        not is_year_locked(activity.plan_id, activity.agency_id, activity.start_date)
    )


@transaction.atomic
def activity_comment_add(
    *, actor: Any, activity: Activity, text: str, request: Any = None
) -> ActivityComment:
    """The coordinator's comment on an activity."""
    if grant(actor, Perm.PROGRAMME_COORDINATE) is None:
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": [_("Hãy nhập nội dung nhận xét.")]})
    comment = ActivityComment.objects.create(activity=activity, author=actor, text=text.strip())
    audit_record(
        action=AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.activity_comment",
        object_id=comment.pk,
        extra={"activity": activity.pk},
    )
    return comment
