"""Rules of case management that need no database: classification, risk, age, consent, dates,
text, the legal deadlines of protection measures and the closure checklist.

Services and forms call these; each raises ``ValidationError({field: [message]})`` naming the
field at fault, so forms and the API show the message on that field.

The risk questions, their weights and ``RISK_THRESHOLDS`` are a configurable default, not a
validated risk-assessment instrument and not confirmed by the programme: change them here, in
one place, when it adopts one. So are the task deadlines (``ASSESSMENT_DUE_DAYS``,
``CASE_PLAN_DUE_DAYS``). The legal numbers (12 hours, 3 days, 4 months: Law 13/2022/QH15
Art. 23) come from the law itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from antoan.cases import choices as c
from antoan.core.phones import parse_phone
from antoan.core.text import nfc


def _error(field: str, message: str, code: str, /, **params: object) -> ValidationError:
    """A ValidationError on one field."""
    return ValidationError({field: [ValidationError(message, code=code, params=params or None)]})


class _Errors:
    """Errors collected over several fields, so a form shows every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str, /, **params: object) -> None:
        error = ValidationError(message, code=code, params=params or None)
        self.by_field.setdefault(field, []).append(error)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _shown(code: object) -> str:
    # Codes echo user input back: cut it short so junk cannot flood a page or a log.
    return str(code)[:40]


# --- Classification -----------------------------------------------------------------------

# The GBVIMS types an act can be, in the order of the rule; "non_gbv" is the absence of all.
ACT_CODES: tuple[str, ...] = tuple(t.value for t in c.GbvType if t != c.GbvType.NON_GBV)


def classify_gbv(acts: Iterable[str]) -> str:
    """The one GBVIMS core type of an incident: the first of the ordered types among its acts."""
    if isinstance(acts, str):
        raise TypeError("acts is a collection of codes, not one code")
    # A list, not a set: a malformed item (a list from JSON) is reported, not a TypeError.
    given = list(acts)
    unknown = sorted(_shown(code) for code in given if code not in ACT_CODES)
    if unknown:
        raise _error(
            "acts",
            gettext("Mã hành vi không hợp lệ: %(codes)s."),
            "unknown_act",
            codes=", ".join(unknown),
        )
    return next((code for code in ACT_CODES if code in given), c.GbvType.NON_GBV.value)


_REPORTED_BEFORE_OCCURRED = _("Ngày báo tin không thể trước ngày xảy ra.")

# Upper bound in days (inclusive) of each band; anything longer is ">30".
REPORTING_DELAY_BANDS: tuple[tuple[str, int], ...] = (
    ("0-3", 3),
    ("4-5", 5),
    ("6-14", 14),
    ("15-30", 30),
)
REPORTING_DELAY_OVER = ">30"


def reporting_delay_band(*, occurred_on: dt.date, reported_on: dt.date) -> str:
    """The GBVIMS band of days between the incident and its first report."""
    days = (reported_on - occurred_on).days
    if days < 0:
        raise _error(
            "first_reported_on", str(_REPORTED_BEFORE_OCCURRED), "reported_before_occurred"
        )
    for band, upto in REPORTING_DELAY_BANDS:
        if days <= upto:
            return band
    return REPORTING_DELAY_OVER


# --- Risk ---------------------------------------------------------------------------------

RISK_QUESTIONS: dict[str, tuple[int, Promise]] = {
    "threats_to_kill": (3, _("Người gây bạo lực đã đe dọa giết?")),
    "weapon": (3, _("Người gây bạo lực đã dùng hoặc đe dọa dùng hung khí, vũ khí?")),
    "strangulation": (3, _("Người gây bạo lực đã từng bóp cổ, làm nghẹt thở?")),
    "violence_escalating": (2, _("Bạo lực ngày càng thường xuyên hoặc nghiêm trọng hơn?")),
    "perpetrator_has_access": (2, _("Người gây bạo lực vẫn có thể tiếp cận người bị bạo lực?")),
    "fear_for_life": (2, _("Người bị bạo lực lo sợ cho tính mạng của mình?")),
    "children_at_risk": (1, _("Có trẻ em trong gia đình có nguy cơ bị tổn hại?")),
    "pregnant": (1, _("Người bị bạo lực đang mang thai?")),
    "suicidal_thoughts": (2, _("Người bị bạo lực có ý nghĩ tự tử?")),
    "isolation": (1, _("Người bị bạo lực bị cô lập, không có ai hỗ trợ?")),
}

# The lowest score of each level above "low" (a configurable default, see the module docstring).
RISK_THRESHOLDS: dict[str, int] = {
    c.RiskLevel.MEDIUM.value: 2,
    c.RiskLevel.HIGH.value: 5,
    c.RiskLevel.IMMEDIATE.value: 8,
}


def compute_risk(*, answers: Mapping[str, bool], immediate_danger: bool) -> str:
    """The risk level from the checklist; a question not answered counts as "no"."""
    if not isinstance(answers, Mapping):
        raise _error("answers", gettext("Câu trả lời đánh giá nguy cơ không hợp lệ."), "invalid")
    unknown = sorted(_shown(code) for code in answers if code not in RISK_QUESTIONS)
    if unknown:
        raise _error(
            "answers",
            gettext("Câu hỏi đánh giá nguy cơ không xác định: %(codes)s."),
            "unknown_question",
            codes=", ".join(unknown),
        )
    # 1 and "true" are not answers: a form or client sending them has a bug worth seeing.
    not_bool = sorted(code for code, value in answers.items() if not isinstance(value, bool))
    if not_bool:
        raise _error(
            "answers",
            gettext("Câu trả lời phải là có hoặc không: %(codes)s."),
            "not_boolean",
            codes=", ".join(not_bool),
        )
    # Validated first even in danger: what is stored must be valid whatever the outcome.
    if immediate_danger:
        return c.RiskLevel.IMMEDIATE.value
    score = sum(RISK_QUESTIONS[code][0] for code, value in answers.items() if value)
    for level in (c.RiskLevel.IMMEDIATE, c.RiskLevel.HIGH, c.RiskLevel.MEDIUM):
        if score >= RISK_THRESHOLDS[level]:
            return level.value
    return c.RiskLevel.LOW.value


def max_risk(*levels: str) -> str:
    """The highest of risk levels; "low" when there are none."""
    order = [level.value for level in c.RISK_ORDER]
    unknown = [level for level in levels if level not in order]
    if unknown:
        raise ValueError(f"unknown risk levels: {unknown!r}")
    return max(levels, key=order.index, default=c.RiskLevel.LOW.value)


# --- Age, children and consent ------------------------------------------------------------

CHILD_UNDER_AGE = 18
CHILD_OWN_CONSENT_AGE = 7  # Law 91/2025: from full 7 years the child consents too


def _years_before(day: dt.date, years: int) -> dt.date:
    # 29/02 has no counterpart in most years: 28/02 is the later of the two candidates.
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _exact_age(*, born: dt.date, on: dt.date) -> int:
    not_yet = (on.month, on.day) < (born.month, born.day)
    return max(0, on.year - born.year - not_yet)


def age_on(
    *,
    on: dt.date,
    date_of_birth: dt.date | None = None,
    birth_year: int | None = None,
    age_at_intake: int | None = None,
    intake_on: dt.date | None = None,
) -> int | None:
    """Age in whole years on a day, from the best thing known; None when nothing is."""
    # When only the year or an age is known, the LOWEST possible age is returned, as if the
    # birthday had not come yet: treating an 18-year-old as a child (asking a guardian) is the
    # safe mistake; treating a 17-year-old as an adult is not. Ages before birth are 0.
    if date_of_birth is not None:
        return _exact_age(born=date_of_birth, on=on)
    if birth_year is not None:
        return _exact_age(born=dt.date(birth_year, 12, 31), on=on)
    if age_at_intake is not None:
        if intake_on is None:
            raise ValueError("age_at_intake needs intake_on")
        return _exact_age(born=_years_before(intake_on, age_at_intake), on=on)
    return None


def is_child(age: int | None) -> bool:
    """Under 18; an unknown age is not assumed to be a child's."""
    return age is not None and age < CHILD_UNDER_AGE


def check_consent_giver(
    *, age: int | None, given_by: str, child_agreed: bool | None, granted: bool
) -> None:
    """Who may consent: a guardian for a child, with the child's agreement from age 7."""
    if given_by not in c.ConsentGivenBy.values:
        raise _error("given_by", gettext("Người cho ý kiến không hợp lệ."), "invalid_choice")
    # Unknown age: either may consent; the worker knows the person, the record does not.
    if age is None:
        return
    if not is_child(age):
        # Only the survivor: a guardian consenting for an adult (one lacking legal capacity)
        # needs a recorded legal basis this system does not hold, and in GBV cases the
        # "family representative" may be the perpetrator.
        if given_by != c.ConsentGivenBy.SURVIVOR:
            raise _error(
                "given_by",
                gettext("Người từ đủ 18 tuổi phải tự cho ý kiến đồng ý."),
                "adult_consents_for_self",
            )
        return
    if given_by != c.ConsentGivenBy.GUARDIAN:
        raise _error(
            "given_by",
            gettext("Với trẻ em dưới 18 tuổi, người giám hộ phải cho ý kiến đồng ý."),
            "guardian_required",
        )
    if granted and age >= CHILD_OWN_CONSENT_AGE and child_agreed is not True:
        raise _error(
            "child_agreed",
            gettext("Trẻ em từ đủ 7 tuổi phải đồng ý; hãy hỏi và ghi nhận ý kiến của trẻ."),
            "child_agreement_required",
        )


# --- Dates --------------------------------------------------------------------------------

MIN_BIRTH_YEAR = 1900


def check_person_dates(
    *, date_of_birth: dt.date | None, birth_year: int | None, today: dt.date
) -> None:
    """A birth date or year that can be true, and that agree when both are given."""
    errors = _Errors()
    if date_of_birth is not None:
        if date_of_birth > today:
            errors.add("date_of_birth", gettext("Ngày sinh không thể ở tương lai."), "future")
        elif date_of_birth.year < MIN_BIRTH_YEAR:
            errors.add(
                "date_of_birth",
                gettext("Ngày sinh không hợp lệ: phải từ năm %(min)s."),
                "too_early",
                min=MIN_BIRTH_YEAR,
            )
    if birth_year is not None:
        if birth_year > today.year:
            errors.add("birth_year", gettext("Năm sinh không thể ở tương lai."), "future")
        elif birth_year < MIN_BIRTH_YEAR:
            errors.add(
                "birth_year",
                gettext("Năm sinh không hợp lệ: phải từ năm %(min)s."),
                "too_early",
                min=MIN_BIRTH_YEAR,
            )
        # The year is the doubtful one: a full date is rarely typed by guesswork.
        elif date_of_birth is not None and date_of_birth.year != birth_year:
            errors.add("birth_year", gettext("Năm sinh không khớp với ngày sinh."), "mismatch")
    errors.raise_any()


def check_incident_dates(
    *,
    occurred_on: dt.date,
    first_reported_on: dt.date,
    today: dt.date,
    date_of_birth: dt.date | None = None,
    birth_year: int | None = None,
) -> None:
    """Incident dates in order: birth ≤ occurred ≤ first reported ≤ today."""
    errors = _Errors()
    if occurred_on > today:
        errors.add("occurred_on", gettext("Ngày xảy ra không thể ở tương lai."), "future")
    if first_reported_on > today:
        errors.add("first_reported_on", gettext("Ngày báo tin không thể ở tương lai."), "future")
    if first_reported_on < occurred_on:
        errors.add("first_reported_on", str(_REPORTED_BEFORE_OCCURRED), "reported_before_occurred")
    if (date_of_birth is not None and occurred_on < date_of_birth) or (
        date_of_birth is None and birth_year is not None and occurred_on.year < birth_year
    ):
        errors.add(
            "occurred_on",
            gettext("Ngày xảy ra không thể trước ngày sinh của người bị bạo lực."),
            "before_birth",
        )
    errors.raise_any()


# --- Text ---------------------------------------------------------------------------------

# Cc: NUL, bell, escape... Cs: lone surrogates, which cannot even be encoded to store them.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})


def clean_text(
    value: str, *, field: str, max_length: int, multiline: bool = False, required: bool = False
) -> str:
    """Text as stored: NFC, stripped, free of control characters, within its length."""
    # Markup is kept as typed: it is text, escaped when shown, and removing it would alter
    # what a survivor said.
    text = nfc(value)
    if multiline:
        # Browsers send textarea line breaks as CRLF: store one kind of line break.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    allowed = "\n\t" if multiline else ""
    if any(ch not in allowed and unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in text):
        raise _error(
            field, gettext("Nội dung chứa ký tự điều khiển không hợp lệ."), "control_character"
        )
    if len(text) > max_length:
        raise _error(
            field,
            gettext("Nội dung dài quá %(max)d ký tự (hiện có %(length)d)."),
            "max_length",
            max=max_length,
            length=len(text),
        )
    if required and not text:
        raise _error(field, gettext("Trường này là bắt buộc."), "required")
    return text


def clean_phone(value: str, *, field: str) -> str:
    """A phone number as stored (digits, 0 for +84), or '' when none is given."""
    try:
        return parse_phone(value)
    except ValidationError as error:
        raise ValidationError({field: [error]}) from None


# --- Protection measures (Law 13/2022/QH15 Art. 23) ---------------------------------------

COMMUNE_NO_CONTACT_DECISION_HOURS = 12
COMMUNE_NO_CONTACT_MAX_DAYS = 3
COURT_NO_CONTACT_MAX_MONTHS = 4
# Clocks of phones and servers differ: a decision "a minute from now" is not in the future.
CLOCK_SKEW = dt.timedelta(minutes=5)

_NO_CONTACT = frozenset({c.MeasureType.NO_CONTACT_COMMUNE, c.MeasureType.NO_CONTACT_COURT})
_REQUIRED_BODY: dict[str, tuple[str, Promise]] = {
    c.MeasureType.NO_CONTACT_COMMUNE: (
        c.DecidingBody.COMMUNE_CHAIR,
        _("Biện pháp này do Chủ tịch UBND xã quyết định."),
    ),
    c.MeasureType.NO_CONTACT_COURT: (
        c.DecidingBody.COURT,
        _("Biện pháp này do Tòa án quyết định."),
    ),
}


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same time of day ``months`` calendar months later, on the month's last day if short."""
    # Calendar months are Vietnamese ones: a moment stored in UTC may be on another date here.
    local = timezone.localtime(moment, timezone.get_default_timezone())
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def decision_deadline(*, measure_type: str, requested_at: dt.datetime) -> dt.datetime | None:
    """When the law requires a decision on a request; None when it sets no deadline."""
    if measure_type == c.MeasureType.NO_CONTACT_COMMUNE:
        return requested_at + dt.timedelta(hours=COMMUNE_NO_CONTACT_DECISION_HOURS)
    return None


def max_end(*, measure_type: str, starts_at: dt.datetime) -> dt.datetime | None:
    """The latest end the law allows for a measure starting then; None when it sets none."""
    if measure_type == c.MeasureType.NO_CONTACT_COMMUNE:
        return starts_at + dt.timedelta(days=COMMUNE_NO_CONTACT_MAX_DAYS)
    if measure_type == c.MeasureType.NO_CONTACT_COURT:
        return add_months(starts_at, COURT_NO_CONTACT_MAX_MONTHS)
    return None


def check_measure_decision(
    *,
    measure_type: str,
    deciding_body: str,
    requested_at: dt.datetime,
    decided_at: dt.datetime | None,
    decision: str,
    refusal_reason: str,
    late_reason: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """A measure's decision as the law requires it: who, when, why, and for how long."""
    errors = _Errors()
    if measure_type not in c.MeasureType.values:
        errors.add("type", gettext("Biện pháp không hợp lệ."), "invalid_choice")
    if deciding_body not in c.DecidingBody.values:
        errors.add("deciding_body", gettext("Cơ quan quyết định không hợp lệ."), "invalid_choice")
    elif measure_type in _REQUIRED_BODY and deciding_body != _REQUIRED_BODY[measure_type][0]:
        errors.add("deciding_body", str(_REQUIRED_BODY[measure_type][1]), "wrong_body")
    if requested_at > now + CLOCK_SKEW:
        errors.add("requested_at", gettext("Thời điểm đề nghị không thể ở tương lai."), "future")
    if decision not in c.MeasureDecision.values:
        errors.add("decision", gettext("Quyết định không hợp lệ."), "invalid_choice")
    elif decision == c.MeasureDecision.PENDING:
        # A decision time or a period without a decision would show an order nobody made.
        if decided_at is not None:
            errors.add(
                "decided_at",
                gettext("Chưa có quyết định thì không ghi thời điểm quyết định."),
                "pending",
            )
        if starts_at is not None or ends_at is not None:
            errors.add(
                "starts_at", gettext("Chưa có quyết định thì chưa có thời hạn áp dụng."), "pending"
            )
    else:
        _check_decided(
            errors,
            measure_type=measure_type,
            requested_at=requested_at,
            decided_at=decided_at,
            decision=decision,
            refusal_reason=refusal_reason,
            late_reason=late_reason,
            starts_at=starts_at,
            ends_at=ends_at,
            now=now,
        )
    errors.raise_any()


def _check_decided(
    errors: _Errors,
    *,
    measure_type: str,
    requested_at: dt.datetime,
    decided_at: dt.datetime | None,
    decision: str,
    refusal_reason: str,
    late_reason: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    if decided_at is None:
        errors.add("decided_at", gettext("Ghi thời điểm quyết định."), "required")
    elif decided_at < requested_at:
        errors.add(
            "decided_at",
            gettext("Thời điểm quyết định không thể trước thời điểm đề nghị."),
            "before_request",
        )
    elif decided_at > now + CLOCK_SKEW:
        errors.add("decided_at", gettext("Thời điểm quyết định không thể ở tương lai."), "future")
    else:
        deadline = decision_deadline(measure_type=measure_type, requested_at=requested_at)
        # The law's 12 hours bind a refusal as much as a grant.
        if deadline is not None and decided_at > deadline and not late_reason.strip():
            errors.add(
                "late_reason",
                gettext(
                    "Quyết định cấm tiếp xúc phải được ban hành trong 12 giờ kể từ khi có đề "
                    "nghị; ghi rõ lý do quyết định muộn."
                ),
                "late",
            )
    if decision == c.MeasureDecision.REFUSED:
        if not refusal_reason.strip():
            errors.add(
                "refusal_reason",
                gettext("Từ chối phải có văn bản nêu rõ lý do; ghi lý do từ chối."),
                "required",
            )
        if starts_at is not None or ends_at is not None:
            errors.add(
                "starts_at", gettext("Quyết định từ chối không có thời hạn áp dụng."), "refused"
            )
        return
    if measure_type in _NO_CONTACT:
        if starts_at is None:
            errors.add("starts_at", gettext("Ghi thời điểm bắt đầu cấm tiếp xúc."), "required")
        if ends_at is None:
            errors.add("ends_at", gettext("Ghi thời điểm kết thúc cấm tiếp xúc."), "required")
    # Forms give minutes: a start typed as 14:05 for a decision recorded at 14:05:37 is not early.
    if (
        starts_at is not None
        and decided_at is not None
        and starts_at < decided_at.replace(second=0, microsecond=0)
    ):
        errors.add(
            "starts_at",
            gettext("Biện pháp không thể bắt đầu trước thời điểm quyết định."),
            "before_decision",
        )
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        errors.add(
            "ends_at", gettext("Thời điểm kết thúc phải sau thời điểm bắt đầu."), "before_start"
        )
        return
    latest = max_end(measure_type=measure_type, starts_at=starts_at)
    if latest is not None and ends_at > latest:
        if measure_type == c.MeasureType.NO_CONTACT_COMMUNE:
            message = gettext("Cấm tiếp xúc do Chủ tịch UBND xã quyết định tối đa 3 ngày mỗi lần.")
        else:
            message = gettext("Cấm tiếp xúc do Tòa án quyết định tối đa 4 tháng.")
        errors.add("ends_at", message, "too_long")


@dataclass(frozen=True)
class Countdown:
    """Time left before a deadline, or past it."""

    seconds_left: int  # negative when overdue
    overdue: bool

    def label(self) -> str:
        """Short Vietnamese text: "còn 3 giờ 20 phút", "quá hạn 2 ngày 4 giờ"."""
        # Whole minutes, rounded down: never promise more time than is left.
        minutes = abs(self.seconds_left) // 60
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        parts = {"days": days, "hours": hours, "minutes": minutes}
        if days and hours:
            duration = gettext("%(days)s ngày %(hours)s giờ") % parts
        elif days:
            duration = gettext("%(days)s ngày") % parts
        elif hours and minutes:
            duration = gettext("%(hours)s giờ %(minutes)s phút") % parts
        elif hours:
            duration = gettext("%(hours)s giờ") % parts
        elif minutes:
            duration = gettext("%(minutes)s phút") % parts
        else:
            duration = gettext("dưới 1 phút")
        if self.overdue:
            return gettext("quá hạn %(duration)s") % {"duration": duration}
        return gettext("còn %(duration)s") % {"duration": duration}


def countdown(*, deadline: dt.datetime, now: dt.datetime) -> Countdown:
    """How long until ``deadline``; exactly at it is still on time."""
    # floor, not int(): half a second late is late, and int() would round it to 0.
    seconds = math.floor((deadline - now).total_seconds())
    return Countdown(seconds_left=seconds, overdue=now > deadline)


# --- Tasks --------------------------------------------------------------------------------

# Days from opening a case to its first assessment and to its case plan (programme defaults).
ASSESSMENT_DUE_DAYS = 3
CASE_PLAN_DUE_DAYS = 7


# --- Closure ------------------------------------------------------------------------------

CLOSURE_CHECKLIST: dict[str, Promise] = {
    "goals_reviewed": _("Đã rà soát mục tiêu kế hoạch hỗ trợ"),
    "safety_reviewed": _("Đã đánh giá lại nguy cơ và an toàn"),
    "survivor_informed": _("Người bị bạo lực đã được thông báo và đồng ý đóng ca"),
    "referrals_closed": _("Các dịch vụ chuyển gửi đã hoàn thành hoặc được đóng"),
    "records_complete": _("Hồ sơ đã được cập nhật đầy đủ"),
}


def check_closure_checklist(checklist: Mapping[str, bool]) -> None:
    """Every item of the closure checklist ticked; the error lists each one that is not."""
    if not isinstance(checklist, Mapping):
        raise _error("checklist", gettext("Danh mục kiểm tra không hợp lệ."), "invalid")
    errors = _Errors()
    for code in sorted(_shown(code) for code in checklist if code not in CLOSURE_CHECKLIST):
        errors.add(
            "checklist", gettext("Mục kiểm tra không xác định: %(code)s."), "unknown", code=code
        )
    for code, label in CLOSURE_CHECKLIST.items():
        # Only True ticks an item: "yes" or 1 from a careless client does not.
        if checklist.get(code) is not True:
            errors.add(
                "checklist", gettext("Chưa hoàn thành: %(item)s."), "incomplete", item=str(label)
            )
    errors.raise_any()


# What a case should have before it is closed. Missing any of these does not forbid closure
# (a survivor may move away, or refuse a service), but closing anyway needs a written reason,
# shown to the supervisor who approves (docs/cases.md, "Closure without the work").
CLOSURE_GAPS: dict[str, Promise] = {
    "no_assessment": _("Chưa có đánh giá nguy cơ và nhu cầu"),
    "no_case_plan": _("Chưa có kế hoạch hỗ trợ"),
    "open_referrals": _("Còn chuyển gửi chưa xong"),
    "unmet_needs": _("Nhu cầu đã đánh giá chưa được đáp ứng"),
    "measures_pending": _("Biện pháp bảo vệ đang chờ quyết định"),
    "measures_in_force": _("Biện pháp bảo vệ còn hiệu lực"),
}


def check_missing_reason(missing: Sequence[str], reason: str, *, field: str) -> None:
    """A closure with anything missing names why; the error lists what is missing."""
    if missing and not reason:
        items = "; ".join(str(CLOSURE_GAPS.get(code, code)).lower() for code in missing)
        raise _error(
            field,
            gettext(
                "Hồ sơ còn thiếu: %(items)s. Hãy ghi lý do vẫn đóng ca, hoặc hoàn thành "
                "các việc này trước."
            ),
            "missing_reason",
            items=items,
        )
