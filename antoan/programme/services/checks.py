"""What an activity must satisfy before it is saved, and the inputs the services take.

Every problem is reported at once, keyed by field, in plain Vietnamese; nothing is saved
while any remains.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases.choices import Sex
from antoan.core.permissions import grant
from antoan.places.models import Place
from antoan.programme import clock
from antoan.programme.choices import (
    ActivityKind,
    Channel,
    ConferenceFormat,
    FundingSource,
    PlanStatus,
    RecommendationStatus,
    TargetGroup,
    TrainingTopic,
)
from antoan.programme.models import (
    Activity,
    InspectionMember,
    Plan,
    Recommendation,
    Task,
    Trainee,
    text_limit,
)
from antoan.programme.selectors import locked_report_year

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


def fmt_date(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def require_reporter(actor: Any, agency: Agency) -> None:
    if grant(actor, Perm.PROGRAMME_REPORT, agency_id=agency.pk) is None:
        raise PermissionDenied


def check_open_year(plan: Plan, agency: Agency, day: dt.date, field_name: str) -> None:
    year = locked_report_year(plan.pk, agency.pk, day)
    if year is not None:
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


def after_plan_message(plan: Plan, day: dt.date) -> str:
    """A day after a provincial plan ended: which plan to use instead, or that none exists yet
    (after 31/12/2025, until the 2026-2030 plan is published)."""
    following = (
        Plan.objects.filter(
            parent__isnull=True,
            status=PlanStatus.PUBLISHED,
            period_start__lte=day,
            period_end__gte=day,
        )
        .exclude(pk=plan.pk)
        .first()
    )
    values = {
        "day": fmt_date(day),
        "plan": plan.number,
        "end": fmt_date(plan.period_end),
        "year": day.year,
    }
    if following is not None:
        return _(
            "Kế hoạch %(plan)s đã kết thúc ngày %(end)s. Hoạt động ngày %(day)s thuộc kế hoạch "
            "%(next)s: hãy chọn kế hoạch đó."
        ) % {**values, "next": following.number}
    return (
        _(
            "Kế hoạch %(plan)s đã kết thúc ngày %(end)s; chưa có kế hoạch cho năm %(year)s, nên "
            "chưa ghi nhận được hoạt động ngày %(day)s. Hãy báo cán bộ điều phối nạp kế hoạch mới."
        )
        % values
    )


def validate_activity(plan: Plan, data: ActivityInput) -> dict[str, list[str]]:
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
    if not plan.is_published:
        add(
            "tasks",
            _("Kế hoạch %(plan)s chưa được ban hành (phê duyệt): chưa ghi nhận hoạt động được.")
            % {"plan": plan.number},
        )
    if plan.is_local and data.agency.pk != plan.issuing_agency_id:
        add(
            "agency",
            _("Hoạt động theo kế hoạch %(plan)s do %(agency)s ghi nhận.")
            % {"plan": plan.number, "agency": plan.issuing_agency},
        )
    if data.end_date < data.start_date:
        add("end_date", _("Ngày kết thúc trước ngày bắt đầu."))
    for name, day in (("start_date", data.start_date), ("end_date", data.end_date)):
        if day > plan.period_end and not plan.is_local:
            if name == "end_date" and data.start_date > plan.period_end:
                continue  # said once, on the start date
            add(name, after_plan_message(plan, day))
        elif not plan.period_start <= day <= plan.period_end:
            add(
                name,
                _("Ngày %(day)s nằm ngoài thời gian thực hiện kế hoạch (%(start)s - %(end)s).")
                % {
                    "day": fmt_date(day),
                    "start": fmt_date(plan.period_start),
                    "end": fmt_date(plan.period_end),
                },
            )
    if data.start_date > clock.today():
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
    _check_lengths(data, add)
    return errors


def too_long(text: str, limit: int) -> str | None:
    """The message for a text over its limit, or None."""
    if len(text) <= limit:
        return None
    return _("Nội dung dài quá %(max)s ký tự (hiện có %(length)s).") % {
        "max": number_format(limit, decimal_pos=0, force_grouping=True),
        "length": number_format(len(text), decimal_pos=0, force_grouping=True),
    }


def _check_lengths(data: ActivityInput, add: Any) -> None:
    """Every text within its model field's length, whichever way it came in (a form, the API,
    a spreadsheet), so that no path stores more than the others accept."""
    texts = {
        "title": data.title,
        "description": data.description,
        "partners_other": data.partners_other,
        **{k: v for k, v in data.details.items() if isinstance(v, str)},
    }
    for name, text in texts.items():
        if message := too_long(text, text_limit(Activity, name)):
            add(name, message)
    items: list[tuple[str, Any, Any, Any]] = [
        ("trainees", Trainee, data.trainees, _("Học viên thứ %(n)s")),
        ("members", InspectionMember, data.members, _("Thành viên đoàn thứ %(n)s")),
        ("recommendations", Recommendation, data.recommendations, _("Kiến nghị thứ %(n)s")),
    ]
    for field_name, model, rows, label in items:
        for n, row in enumerate(rows or [], start=1):
            for name, text in vars(row).items():
                if not isinstance(text, str) or name in ("sex", "status"):
                    continue
                if message := too_long(text, text_limit(model, name)):
                    add(field_name, f"{label % {'n': n}}: {message}")


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
