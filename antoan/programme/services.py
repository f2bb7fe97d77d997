"""All writes of programme data. Pages, the API, the Excel import and commands call these.

Who may write: a programme reporter writes the activities, models, influencers and budget lines
of the agencies they report for, until that year's report is submitted; the coordinator sets
task statuses, comments, keeps any agency's budget lines and returns submitted reports.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases.choices import Sex
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import grant
from antoan.places.models import Place
from antoan.programme.choices import (
    ActivityKind,
    Channel,
    ConferenceFormat,
    FundingSource,
    InfluencerGroup,
    ModelKind,
    ModelStatus,
    RecommendationStatus,
    TargetGroup,
    TaskStatus,
    TrainingTopic,
    YearReportStatus,
)
from antoan.programme.models import (
    Activity,
    ActivityComment,
    BudgetLine,
    CommunityModel,
    Influencer,
    InspectionMember,
    Plan,
    Recommendation,
    Spending,
    Task,
    TaskStatusChange,
    Trainee,
    YearReport,
)
from antoan.programme.selectors import agency_assigned, is_year_locked

FLAG_NOT_ASSIGNED = "agency_not_assigned"
MAX_PARTICIPANTS = 10_000_000  # a province-wide radio campaign reaches millions, not billions

# Fields that only mean something for one kind of activity, and their empty values.
KIND_FIELDS: dict[str, dict[str, Any]] = {
    ActivityKind.COMMUNICATION: {
        "channel": "",
        "materials_produced": None,
        "materials_distributed": None,
    },
    ActivityKind.TRAINING: {
        "topic": "",
        "training_of_trainers": False,
        "pre_test_score": None,
        "post_test_score": None,
    },
    ActivityKind.CONFERENCE: {"conference_format": ""},
    ActivityKind.STUDY_VISIT: {"destination": ""},
    ActivityKind.INSPECTION: {"units_inspected": "", "findings": ""},
    ActivityKind.COMMENDATION: {
        "recipient": "",
        "reason": "",
        "decision_number": "",
        "decision_date": None,
        "decided_by": "",
    },
    ActivityKind.MODEL_ACTIVITY: {"community_model": None},
}
# What each kind cannot do without.
KIND_REQUIRED: dict[str, list[str]] = {
    ActivityKind.COMMUNICATION: ["channel"],
    ActivityKind.TRAINING: ["topic"],
    ActivityKind.CONFERENCE: ["conference_format"],
    ActivityKind.STUDY_VISIT: ["destination"],
    ActivityKind.INSPECTION: ["units_inspected"],
    ActivityKind.COMMENDATION: ["recipient", "reason"],
    ActivityKind.MODEL_ACTIVITY: ["community_model"],
}
CHOICE_FIELDS = {
    "channel": Channel,
    "topic": TrainingTopic,
    "conference_format": ConferenceFormat,
}
AGE_FIELDS = ["age_under_16", "age_16_29", "age_30_59", "age_60_plus"]


# full_clean checks the fields' own values only: _validate covered the rules, the related rows
# are objects already loaded, and the database enforces the constraints (re-checking each costs
# a query, which an import of thousands of rows feels).
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


@dataclass
class TraineeInput:
    full_name: str
    sex: str
    position: str = ""
    agency_name: str = ""
    pre_score: Any = None
    post_score: Any = None


@dataclass
class MemberInput:
    agency: Agency
    name: str = ""
    role: str = ""


@dataclass
class RecommendationInput:
    text: str
    responsible: str = ""
    due_date: dt.date | None = None
    status: str = RecommendationStatus.OPEN
    follow_up: str = ""


@dataclass
class ActivityInput:
    """An activity as a form, the API or a spreadsheet row gives it. ``None`` in a list field
    means "leave as it is" on update; an empty list clears it."""

    kind: str
    title: str
    tasks: list[Task]
    agency: Agency
    place: Place
    start_date: dt.date
    end_date: dt.date
    participants_total: int | None
    participants_female: int = 0
    participants_male: int = 0
    participants_other: int = 0
    description: str = ""
    partners: list[Agency] = field(default_factory=list)
    partners_other: str = ""
    target_groups: list[str] = field(default_factory=list)
    ages: dict[str, int | None] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # the kind's own fields
    spending: dict[str, int] = field(default_factory=dict)  # source -> đồng
    trainees: list[TraineeInput] | None = None
    members: list[MemberInput] | None = None
    recommendations: list[RecommendationInput] | None = None


def _fmt(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def require_reporter(actor: Any, agency: Agency) -> None:
    if grant(actor, Perm.PROGRAMME_REPORT, agency_id=agency.pk) is None:
        raise PermissionDenied


def _check_open_year(plan: Plan, agency: Agency, year: int, field_name: str) -> None:
    if is_year_locked(plan.pk, agency.pk, year):
        raise ValidationError(
            {
                field_name: [
                    _(
                        "Báo cáo năm %(year)s của %(agency)s đã nộp nên không sửa được hoạt "
                        "động của năm đó. Hãy đề nghị cán bộ điều phối trả lại báo cáo."
                    )
                    % {"year": year, "agency": agency.name}
                ]
            }
        )


def _validate(plan: Plan, data: ActivityInput) -> dict[str, list[str]]:
    """Every problem of ``data`` at once, keyed by field, in plain Vietnamese."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.kind not in ActivityKind.values:
        add("kind", _("Loại hoạt động không hợp lệ."))
    if not data.title.strip():
        add("title", _("Hãy nhập tên hoạt động."))
    if not data.tasks:
        add("tasks", _("Hãy chọn ít nhất một nhiệm vụ của kế hoạch mà hoạt động thực hiện."))
    elif any(t.plan_id != plan.pk for t in data.tasks):
        add("tasks", _("Nhiệm vụ không thuộc kế hoạch %(plan)s.") % {"plan": plan.number})
    if data.end_date < data.start_date:
        add("end_date", _("Ngày kết thúc trước ngày bắt đầu."))
    for name, day in (("start_date", data.start_date), ("end_date", data.end_date)):
        if not plan.period_start <= day <= plan.period_end:
            add(
                name,
                _("Ngày %(day)s nằm ngoài thời gian thực hiện kế hoạch (%(start)s - %(end)s).")
                % {
                    "day": _fmt(day),
                    "start": _fmt(plan.period_start),
                    "end": _fmt(plan.period_end),
                },
            )
    if data.start_date > timezone.localdate():
        add("start_date", _("Hoạt động chưa diễn ra: chỉ ghi nhận hoạt động đã bắt đầu."))

    sexes = {
        "participants_female": data.participants_female,
        "participants_male": data.participants_male,
        "participants_other": data.participants_other,
    }
    numbers = {"participants_total": data.participants_total, **sexes, **data.ages}
    for name, value in numbers.items():
        if value is not None and not 0 <= value <= MAX_PARTICIPANTS:
            # Grouped the reader's way: 10.000.000 in Vietnamese, where "," is the decimal mark.
            limit = number_format(MAX_PARTICIPANTS, decimal_pos=0, force_grouping=True)
            add(name, _("Số người phải từ 0 đến %(max)s.") % {"max": limit})
    if data.participants_total is None:
        add("participants_total", _("Hãy nhập tổng số người tham gia."))
    elif "participants_total" not in errors:
        by_sex = sum(v or 0 for v in sexes.values())
        if by_sex != data.participants_total:
            add(
                "participants_total",
                _(
                    "Tổng theo giới tính (nữ %(female)s + nam %(male)s + khác %(other)s = "
                    "%(sum)s) không bằng tổng số người tham gia (%(total)s)."
                )
                % {
                    "female": data.participants_female,
                    "male": data.participants_male,
                    "other": data.participants_other,
                    "sum": by_sex,
                    "total": data.participants_total,
                },
            )
        given = [data.ages.get(f) for f in AGE_FIELDS]
        if any(v is not None for v in given):
            if any(v is None for v in given):
                add("ages", _("Hãy nhập đủ cả bốn nhóm tuổi, hoặc bỏ trống cả bốn."))
            elif sum(v or 0 for v in given) != data.participants_total:
                add(
                    "ages",
                    _(
                        "Tổng theo nhóm tuổi (%(sum)s) không bằng tổng số người tham gia "
                        "(%(total)s)."
                    )
                    % {"sum": sum(v or 0 for v in given), "total": data.participants_total},
                )

    unknown_groups = [g for g in data.target_groups if g not in TargetGroup.values]
    if unknown_groups:
        add("target_groups", _("Nhóm đối tượng không hợp lệ: %s.") % ", ".join(unknown_groups))
    for source, amount in data.spending.items():
        if source not in FundingSource.values:
            add("spending", _("Nguồn kinh phí không hợp lệ: %s.") % source)
        elif amount is None or amount < 0:
            add("spending", _("Số tiền không được âm."))

    if data.kind in KIND_FIELDS:
        for name in KIND_REQUIRED.get(data.kind, []):
            if data.details.get(name) in (None, ""):
                add(name, _("Bắt buộc với loại hoạt động này."))
        for name, choices in CHOICE_FIELDS.items():
            value = data.details.get(name)
            if name in KIND_FIELDS[data.kind] and value and value not in choices.values:
                add(name, _("Giá trị không hợp lệ."))
        for name in ("pre_test_score", "post_test_score"):
            score = data.details.get(name)
            if score is not None and not 0 <= score <= 100:
                add(name, _("Điểm tính theo phần trăm, từ 0 đến 100."))
    if data.kind == ActivityKind.TRAINING and data.trainees and "participants_total" not in errors:
        _check_trainees(data, add)
    return errors


def _check_trainees(data: ActivityInput, add: Any) -> None:
    trainees = data.trainees or []
    for i, t in enumerate(trainees, start=1):
        if not t.full_name.strip():
            add("trainees", _("Học viên thứ %(n)s chưa có họ tên.") % {"n": i})
        if t.sex not in Sex.values:
            add("trainees", _("Học viên thứ %(n)s: giới tính không hợp lệ.") % {"n": i})
        if any(
            score is not None and not 0 <= score <= 100 for score in (t.pre_score, t.post_score)
        ):
            add("trainees", _("Học viên thứ %(n)s: điểm phải từ 0 đến 100.") % {"n": i})
    count = Counter(t.sex for t in trainees)
    listed = (
        len(trainees),
        count[Sex.FEMALE],
        count[Sex.MALE],
        len(trainees) - count[Sex.FEMALE] - count[Sex.MALE],
    )
    declared = (
        data.participants_total,
        data.participants_female,
        data.participants_male,
        data.participants_other,
    )
    if listed != declared:
        add(
            "trainees",
            _(
                "Danh sách có %(n)s học viên (%(female)s nữ, %(male)s nam) nhưng số người tham "
                "gia ghi %(total)s (%(dfemale)s nữ, %(dmale)s nam)."
            )
            % {
                "n": listed[0],
                "female": listed[1],
                "male": listed[2],
                "total": declared[0],
                "dfemale": declared[1],
                "dmale": declared[2],
            },
        )


def trainee_totals(trainees: list[TraineeInput]) -> dict[str, int]:
    """Participants by sex counted from a list of trainees (for forms that leave them blank)."""
    count = Counter(t.sex for t in trainees)
    female, male = count[Sex.FEMALE], count[Sex.MALE]
    return {
        "participants_total": len(trainees),
        "participants_female": female,
        "participants_male": male,
        "participants_other": len(trainees) - female - male,
    }


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
    errors = _validate(plan, data)
    if errors:
        raise ValidationError(errors)
    _check_open_year(plan, data.agency, data.start_date.year, "start_date")
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
    errors = _validate(current.plan, checked)
    if errors:
        raise ValidationError(errors)
    _check_open_year(current.plan, current.agency, current.start_date.year, "start_date")
    _check_open_year(current.plan, data.agency, data.start_date.year, "start_date")
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
        not is_year_locked(activity.plan_id, activity.agency_id, activity.start_date.year)
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


@transaction.atomic
def task_status_set(
    *, actor: Any, task: Task, status: str, comment: str, version: int, request: Any = None
) -> Task:
    """The coordinator marks a task not started, in progress, done or at risk, with a comment."""
    if grant(actor, Perm.PROGRAMME_COORDINATE) is None:
        raise PermissionDenied
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.version != version:
        raise ValidationError(
            {
                "status": [
                    _("Người khác vừa cập nhật tình trạng nhiệm vụ này. Hãy xem lại rồi lưu lại.")
                ]
            }
        )
    if status not in TaskStatus.values:
        raise ValidationError({"status": [_("Tình trạng không hợp lệ.")]})
    if status in (TaskStatus.AT_RISK, TaskStatus.DONE) and not comment.strip():
        raise ValidationError(
            {"comment": [_("Hãy ghi nhận xét khi đánh dấu hoàn thành hoặc có nguy cơ.")]}
        )
    now = timezone.now()
    current.status, current.status_comment = status, comment.strip()
    current.status_by, current.status_at = actor, now
    current.version += 1
    current.save()
    TaskStatusChange.objects.create(
        task=current, status=status, comment=current.status_comment, by=actor, at=now
    )
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="programme.task",
        object_id=current.pk,
        changed_fields=["status", "status_comment"],
        extra={"code": current.code, "status": status},
    )
    return current


# --- Budget lines and yearly reports ---------------------------------------------------------


@transaction.atomic
def budget_line_save(
    *,
    actor: Any,
    plan: Plan,
    agency: Agency,
    year: int,
    source: str,
    planned: int,
    allocated: int,
    note: str = "",
    version: int | None = None,
    request: Any = None,
) -> BudgetLine:
    """Record what an agency planned and was allocated in a year from one source. An existing
    line changes only when ``version`` is the one the user saw: neither a stale edit nor a
    second "new" line for the same agency, year and source overwrites someone's figures."""
    coordinator = grant(actor, Perm.PROGRAMME_COORDINATE) is not None
    if not coordinator:
        require_reporter(actor, agency)
    errors: dict[str, list[str]] = {}
    if source not in FundingSource.values:
        errors["source"] = [_("Nguồn kinh phí không hợp lệ.")]
    if not plan.period_start.year <= year <= plan.period_end.year:
        errors["year"] = [
            _("Năm phải trong thời gian thực hiện kế hoạch (%(start)s - %(end)s).")
            % {"start": plan.period_start.year, "end": plan.period_end.year}
        ]
    for name, value in (("planned", planned), ("allocated", allocated)):
        if value is None or value < 0:
            errors[name] = [_("Số tiền không được âm.")]
    if errors:
        raise ValidationError(errors)
    # A reporter keeps the lines of a year until its report is submitted; the coordinator, who
    # returns reports, may still correct them.
    if not coordinator and is_year_locked(plan.pk, agency.pk, year):
        raise ValidationError(
            {
                "year": [
                    _(
                        "Báo cáo năm %(year)s của %(agency)s đã nộp nên không sửa được kinh phí "
                        "của năm đó. Hãy đề nghị cán bộ điều phối trả lại báo cáo."
                    )
                    % {"year": year, "agency": agency.name}
                ]
            }
        )
    line, created = BudgetLine.objects.select_for_update().get_or_create(
        plan=plan, agency=agency, year=year, source=source
    )
    if not created and version != line.version:
        raise ValidationError(
            _(
                "Dòng kinh phí này vừa có người khác lưu (dự toán %(planned)s đ, được giao "
                "%(allocated)s đ). Hãy xem lại số liệu hiện tại rồi sửa lại."
            )
            % {
                "planned": number_format(line.planned, force_grouping=True),
                "allocated": number_format(line.allocated, force_grouping=True),
            }
        )
    changed = [
        name
        for name, value in (("planned", planned), ("allocated", allocated), ("note", note))
        if getattr(line, name) != value
    ]
    line.planned, line.allocated, line.note = planned, allocated, note.strip()
    if changed and not created:
        line.version += 1
    line.save()
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="programme.budget_line",
        object_id=line.pk,
        changed_fields=changed,
    )
    return line


@transaction.atomic
def year_report_submit(
    *, actor: Any, plan: Plan, agency: Agency, year: int, request: Any = None
) -> YearReport:
    """Submit an agency's yearly report: its activities of that year are frozen from now."""
    if grant(actor, Perm.REPORTS_SUBMIT, agency_id=agency.pk) is None:
        raise PermissionDenied
    report = YearReport.objects.select_for_update().filter(plan=plan, agency=agency, year=year)
    existing = report.first()
    if existing is not None and existing.status == YearReportStatus.SUBMITTED:
        raise ValidationError(_("Báo cáo năm %(year)s đã nộp.") % {"year": year})
    now = timezone.now()
    existing = existing or YearReport(plan=plan, agency=agency, year=year)
    existing.status = YearReportStatus.SUBMITTED
    existing.submitted_by, existing.submitted_at = actor, now
    existing.save()
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="programme.year_report",
        object_id=existing.pk,
        extra={"year": year, "status": existing.status},
    )
    return existing


@transaction.atomic
def year_report_return(
    *, actor: Any, report: YearReport, reason: str, request: Any = None
) -> YearReport:
    """The coordinator sends a submitted report back; the agency may edit that year again."""
    if grant(actor, Perm.PROGRAMME_COORDINATE) is None:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": [_("Hãy ghi lý do trả lại.")]})
    report = YearReport.objects.select_for_update().get(pk=report.pk)
    if report.status != YearReportStatus.SUBMITTED:
        raise ValidationError(_("Báo cáo này chưa nộp."))
    report.status = YearReportStatus.RETURNED
    report.returned_by, report.returned_at = actor, timezone.now()
    report.return_reason = reason.strip()
    report.save()
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="programme.year_report",
        object_id=report.pk,
        extra={"year": report.year, "status": report.status},
    )
    return report


# --- Models registry and influencers ---------------------------------------------------------


@dataclass
class ModelInput:
    kind: str
    name: str
    place: Place
    agency: Agency
    founded_on: dt.date | None = None
    status: str = ModelStatus.ACTIVE
    members_total: int = 0
    members_female: int = 0
    note: str = ""


@transaction.atomic
def community_model_save(
    *,
    actor: Any,
    data: ModelInput,
    instance: CommunityModel | None = None,
    version: int | None = None,
    request: Any = None,
) -> CommunityModel:
    """Register a model or change its entry (host agency's reporters, or the coordinator)."""
    coordinator = grant(actor, Perm.PROGRAMME_COORDINATE) is not None
    if not coordinator:
        require_reporter(actor, data.agency)
        if instance is not None:
            require_reporter(actor, instance.agency)
    errors: dict[str, list[str]] = {}
    if data.kind not in ModelKind.values:
        errors["kind"] = [_("Loại mô hình không hợp lệ.")]
    if data.status not in ModelStatus.values:
        errors["status"] = [_("Tình trạng không hợp lệ.")]
    if not data.name.strip():
        errors["name"] = [_("Hãy nhập tên mô hình.")]
    if data.members_total < 0 or data.members_female < 0:
        errors["members_total"] = [_("Số thành viên không được âm.")]
    elif data.members_female > data.members_total:
        errors["members_female"] = [_("Số thành viên nữ lớn hơn tổng số thành viên.")]
    if data.founded_on and data.founded_on > timezone.localdate():
        errors["founded_on"] = [_("Ngày thành lập ở tương lai.")]
    if errors:
        raise ValidationError(errors)
    if instance is not None:
        instance = CommunityModel.objects.select_for_update().get(pk=instance.pk)
        if version is not None and instance.version != version:
            raise ValidationError(
                _("Người khác vừa sửa mô hình này. Hãy tải lại trang rồi sửa lại.")
            )
        instance.version += 1
    model = instance or CommunityModel()
    for name, value in vars(data).items():
        setattr(model, name, value.strip() if isinstance(value, str) else value)
    model.full_clean()
    model.save()
    audit_record(
        action=AuditAction.UPDATE if instance else AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.model",
        object_id=model.pk,
        place_code=model.place.code,
    )
    return model


@transaction.atomic
def influencer_save(
    *,
    actor: Any,
    name: str,
    group: str,
    place: Place,
    agency: Agency,
    title: str = "",
    sex: str = Sex.UNKNOWN,
    active: bool = True,
    note: str = "",
    instance: Influencer | None = None,
    version: int | None = None,
    request: Any = None,
) -> Influencer:
    """Add a person of standing to the network, or change their entry (at ``version``)."""
    if grant(actor, Perm.PROGRAMME_COORDINATE) is None:
        require_reporter(actor, agency)
        if instance is not None:
            require_reporter(actor, instance.agency)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Hãy nhập họ tên.")]
    if group not in InfluencerGroup.values:
        errors["group"] = [_("Nhóm không hợp lệ.")]
    if sex not in Sex.values:
        errors["sex"] = [_("Giới tính không hợp lệ.")]
    if place.level != "commune":
        errors["place"] = [_("Hãy chọn xã, phường.")]
    if errors:
        raise ValidationError(errors)
    if instance is not None:
        instance = Influencer.objects.select_for_update().get(pk=instance.pk)
        if version is not None and instance.version != version:
            raise ValidationError(
                _("Người khác vừa sửa thông tin này. Hãy tải lại trang rồi sửa lại.")
            )
        instance.version += 1
    person = instance or Influencer()
    person.name, person.group, person.title = name.strip(), group, title.strip()
    person.sex, person.place, person.agency = sex, place, agency
    person.active, person.note = active, note.strip()
    person.full_clean()
    person.save()
    audit_record(
        action=AuditAction.UPDATE if instance else AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.influencer",
        object_id=person.pk,
        place_code=place.code,
    )
    return person


# --- Inspection follow-up --------------------------------------------------------------------


@transaction.atomic
def recommendation_update(
    *,
    actor: Any,
    recommendation: Recommendation,
    status: str,
    follow_up: str,
    request: Any = None,
) -> Recommendation:
    """The organising agency records how an inspection's recommendation was followed up.

    Allowed after the year's report is submitted: follow-up goes on long after the inspection,
    and it changes no figure of the report (participants, spending)."""
    require_reporter(actor, recommendation.activity.agency)
    if status not in RecommendationStatus.values:
        raise ValidationError({"status": [_("Tình trạng không hợp lệ.")]})
    current = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    changed = [
        name
        for name, value in (("status", status), ("follow_up", follow_up.strip()))
        if getattr(current, name) != value
    ]
    current.status, current.follow_up = status, follow_up.strip()
    current.full_clean()
    current.save()
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="programme.recommendation",
        object_id=current.pk,
        changed_fields=changed,
        extra={"activity": current.activity_id},
    )
    return current
