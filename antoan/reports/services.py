"""Writing to the reporting cycle: cycles, submissions and their state machine, attachments.

States of a submission: draft → submitted → (returned → resubmitted)* → accepted. After
acceptance a correction is a new version (``number`` + 1) with its reason; the accepted one is
kept as superseded. Submitting freezes the agency's activities of the period (the programme's
``YearReport`` lock); returning, or opening a correction, lifts it.

Every write is audited; every state change also goes into the submission's history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import grant
from antoan.core.text import nfc
from antoan.indicators.periods import period_for
from antoan.programme.choices import PlanStatus, YearReportStatus
from antoan.programme.files import check_upload, display_name, store_with
from antoan.programme.models import Plan, YearReport
from antoan.reports import prefill
from antoan.reports.choices import (
    EDITABLE,
    SubmissionAction,
    SubmissionStatus,
)
from antoan.reports.models import (
    NARRATIVE_MAX,
    Attachment,
    Cycle,
    Submission,
    SubmissionEvent,
)
from antoan.reports.selectors import may_review
from antoan.reports.template import TABLES, default_template, section_key, sections_of

ATTACHMENT_TYPES = {"pdf", "docx", "xlsx", "jpeg", "png"}
# A figure larger than this is a typing slip (ten thousand billion đồng).
FIGURE_MAX = 10**16
STALE = "stale"


def _stale() -> ValidationError:
    return ValidationError(
        _(
            "Báo cáo này vừa được người khác lưu hoặc chuyển tình trạng. Trang đã tải lại bản "
            "mới nhất; những gì bạn vừa nhập vẫn còn trong ô để bạn xem lại và lưu lại."
        ),
        code=STALE,
    )


# --- Cycles ------------------------------------------------------------------------------------


def default_period(year: int) -> tuple[dt.date, dt.date]:
    """The reporting year (1/12 of the year before to 30/11, ``ANTOAN_REPORTING_START_MONTH``)."""
    period = period_for(year, "reporting")
    return period.start, period.end


def default_due(plan: Plan, year: int) -> dt.date:
    """The plan's section V deadline in the report's year (10/12 unless the plan says)."""
    return dt.date(year, plan.report_due_month or 12, plan.report_due_day or 10)


def plan_years(plan: Plan) -> list[int]:
    return list(range(plan.period_start.year, plan.period_end.year + 1))


def required_agencies(plan: Plan, year: int, period_end: dt.date) -> list[Agency]:
    """Who must report: the agencies the plan assigns tasks to, or their heirs if dissolved by
    the end of the period, and every commune People's Committee when tasks go to them as a
    group (the communes as they are on that day)."""
    from antoan.indicators.selectors.specials import expected_reporters

    return list(Agency.objects.filter(pk__in=expected_reporters(plan, year, period_end)))


def check_year(plan: Plan, year: int) -> None:
    if year not in plan_years(plan):
        raise ValidationError(
            {
                "year": [
                    _("Năm %(year)s nằm ngoài thời gian thực hiện kế hoạch (%(start)s - %(end)s).")
                    % {"year": year, "start": plan.period_start.year, "end": plan.period_end.year}
                ]
            }
        )


@transaction.atomic
def cycle_create(plan: Plan, year: int) -> tuple[Cycle, bool]:
    """The cycle of ``plan`` for ``year`` with its defaults; nothing changes if it exists."""
    if plan.parent_id is not None or plan.status != PlanStatus.PUBLISHED:
        raise ValidationError(
            _("Chỉ kế hoạch cấp tỉnh đã ban hành mới có kỳ báo cáo."), code="invalid"
        )
    check_year(plan, year)
    existing = Cycle.objects.filter(plan=plan, year=year).first()
    if existing is not None:
        return existing, False
    start, end = default_period(year)
    cycle = Cycle.objects.create(
        plan=plan,
        year=year,
        period_start=start,
        period_end=end,
        due_date=default_due(plan, year),
        template=default_template(plan),
    )
    cycle.agencies.set(required_agencies(plan, year, end))
    audit_record(
        action=AuditAction.CREATE,
        username="system",
        object_type="reports.cycle",
        object_id=cycle.pk,
        extra={"plan": plan.pk, "year": year, "agencies": cycle.agencies.count()},
    )
    return cycle, True


def ensure_cycles(plan: Plan) -> int:
    """A cycle for every year of a published provincial plan (after ``load_plan``, on
    publishing, and hourly with the reminders), each with every agency that must report: an
    agency created since (a commune's People's Committee added to the register) is added. An
    agency is never taken off a cycle: what it submitted stays. Returns how many cycles were
    created."""
    if plan.parent_id is not None or plan.status != PlanStatus.PUBLISHED:
        return 0
    created = 0
    for year in plan_years(plan):
        cycle, new = cycle_create(plan, year)
        created += new
        if not new:
            cycle.agencies.add(*required_agencies(plan, year, cycle.period_end))
    return created


@dataclass
class CycleInput:
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    sections: list[dict[str, str]]  # [{"key": "" for a new one, "title": "…"}]
    version: int


@transaction.atomic
def cycle_update(*, actor: Any, cycle: Cycle, data: CycleInput, request: Any = None) -> Cycle:
    """The coordinator changes the period, the due date or the narrative sections. A section
    that a submission has written in cannot be removed (its text would be lost); sections may
    be added or renamed at any time. Submissions begun on the old template keep their text."""
    if not may_review(actor):
        raise PermissionDenied
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if data.version != cycle.version:
        raise _stale()
    errors: dict[str, list[str]] = {}
    if data.period_start > data.period_end:
        errors["period_end"] = [_("Ngày kết thúc kỳ số liệu phải sau ngày bắt đầu.")]
    if data.due_date < data.period_end:
        errors["due_date"] = [_("Hạn nộp phải sau ngày kết thúc kỳ số liệu.")]
    titles = [nfc(s.get("title", "")).strip() for s in data.sections]
    if not any(titles):
        errors["sections"] = [_("Mẫu báo cáo cần ít nhất một mục nội dung.")]
    if any(len(t) > 300 for t in titles):
        errors["sections"] = [_("Tên mục dài quá 300 ký tự.")]
    old = {s["key"]: s for s in sections_of(cycle.template)}
    kept = {s.get("key") for s in data.sections if s.get("key") and nfc(s.get("title", "")).strip()}
    removed = [key for key in old if key not in kept]
    if removed:
        narratives = list(
            Submission.objects.filter(cycle=cycle).values_list("narratives", flat=True)
        )
        written = [
            old[key]["title"]
            for key in removed
            if any((texts.get(key) or "").strip() for texts in narratives)
        ]
        if written:
            errors["sections"] = [
                _(
                    "Không bỏ được mục đã có cơ quan viết nội dung: %(titles)s. Hãy giữ mục "
                    "đó (có thể đổi tên)."
                )
                % {"titles": "; ".join(written)}
            ]
    if errors:
        raise ValidationError(errors)
    sections = []
    taken = set(old)
    for s, title in zip(data.sections, titles, strict=True):
        if not title:
            continue
        key = s.get("key") or ""
        if key not in old:
            key = section_key(title, taken)
            taken.add(key)
        sections.append({"key": key, "title": title, "task": old.get(key, {}).get("task", "")})
    template = {**cycle.template, "sections": sections}
    changed = [
        name
        for name, value in (
            ("period_start", data.period_start),
            ("period_end", data.period_end),
            ("due_date", data.due_date),
        )
        if getattr(cycle, name) != value
    ]
    if template != cycle.template:
        changed.append("template")
        cycle.template_version += 1
    if not changed:
        return cycle
    cycle.period_start, cycle.period_end, cycle.due_date = (
        data.period_start,
        data.period_end,
        data.due_date,
    )
    cycle.template = template
    cycle.version += 1
    cycle.save()
    if "period_end" in changed:
        # Added, never removed: what an agency already submitted stays on the cycle.
        cycle.agencies.add(*required_agencies(cycle.plan, cycle.year, cycle.period_end))
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="reports.cycle",
        object_id=cycle.pk,
        changed_fields=changed,
    )
    return cycle


@transaction.atomic
def cycle_close(*, actor: Any, cycle: Cycle, close: bool, request: Any = None) -> Cycle:
    """Close the cycle (the consolidated report is being written) or reopen it. A report
    submitted after closing is still taken, flagged late."""
    if not may_review(actor):
        raise PermissionDenied
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    cycle.closed_at = timezone.now() if close else None
    cycle.version += 1
    cycle.save(update_fields=["closed_at", "version"])
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="reports.cycle",
        object_id=cycle.pk,
        changed_fields=["closed_at"],
        extra={"closed": close},
    )
    return cycle


# --- Submissions -------------------------------------------------------------------------------


def may_submit_for(actor: Any, cycle: Cycle, agency: Agency) -> bool:
    return (
        grant(actor, Perm.REPORTS_SUBMIT, agency_id=agency.pk) is not None
        and cycle.agencies.filter(pk=agency.pk).exists()
    )


def _event(sub: Submission, action: str, actor: Any, reason: str = "", late: bool = False) -> None:
    SubmissionEvent.objects.create(
        submission=sub, action=action, actor=actor, reason=reason, late=late
    )


def _audit(sub: Submission, actor: Any, request: Any, action: str, **extra: Any) -> None:
    audit_record(
        action=action,
        request=request,
        user=actor,
        object_type="reports.submission",
        object_id=sub.pk,
        extra={"cycle": sub.cycle_id, "agency": sub.agency_id, "status": sub.status, **extra},
    )


@transaction.atomic
def submission_open(
    *, actor: Any, cycle: Cycle, agency: Agency, request: Any = None
) -> tuple[Submission, bool]:
    """The agency's live submission for the cycle, or a new draft pre-filled from its
    records."""
    if not may_submit_for(actor, cycle, agency):
        raise PermissionDenied
    Cycle.objects.select_for_update().get(pk=cycle.pk)
    live = (
        Submission.objects.filter(cycle=cycle, agency=agency)
        .exclude(status=SubmissionStatus.SUPERSEDED)
        .first()
    )
    if live is not None:
        return live, False
    recorded = prefill.recorded_figures(cycle, agency)
    sub = Submission.objects.create(
        cycle=cycle,
        agency=agency,
        figures=prefill.editable_figures(recorded),
        recorded=recorded,
        recorded_at=timezone.now(),
        template_version=cycle.template_version,
        created_by=actor,
        updated_by=actor,
    )
    _event(sub, SubmissionAction.CREATE, actor)
    _audit(sub, actor, request, AuditAction.CREATE)
    return sub, True


def _require_editor(actor: Any, sub: Submission) -> None:
    if grant(actor, Perm.REPORTS_SUBMIT, agency_id=sub.agency_id) is None:
        raise PermissionDenied


def _locked(sub: Submission) -> ValidationError:
    if sub.status == SubmissionStatus.ACCEPTED:
        return ValidationError(
            _(
                "Báo cáo đã được tiếp nhận nên không sửa trực tiếp được. Hãy mở bản đính chính "
                "và ghi lý do."
            ),
            code="invalid",
        )
    if sub.status == SubmissionStatus.SUPERSEDED:
        return ValidationError(_("Đây là bản cũ, đã có bản đính chính thay thế."), code="invalid")
    return ValidationError(
        _("Báo cáo đã nộp, đang chờ cơ quan chủ trì xem xét nên chưa sửa được."),
        code="invalid",
    )


def _editable(actor: Any, submission: Submission, version: int | None) -> Submission:
    """The submission locked for this change by one of the agency's reporters: the version
    they saw (``None``: no version to compare, e.g. an attachment) and a state that edits."""
    _require_editor(actor, submission)
    sub = (
        Submission.objects.select_for_update()
        .select_related("cycle", "agency")
        .get(pk=submission.pk)
    )
    if version is not None and version != sub.version:
        raise _stale()
    if sub.status not in EDITABLE:
        raise _locked(sub)
    return sub


def clean_narratives(sub: Submission, narratives: dict[str, Any]) -> dict[str, str]:
    keys = {s["key"] for s in sections_of(sub.cycle.template)} | set(sub.narratives)
    errors: dict[str, list[str]] = {}
    out = dict(sub.narratives)
    for key, text in narratives.items():
        if key not in keys:
            errors[f"narratives.{key}"] = [_("Mẫu báo cáo không có mục này.")]
            continue
        if not isinstance(text, str):
            errors[f"narratives.{key}"] = [_("Nội dung phải là văn bản.")]
            continue
        text = nfc(text).replace("\r\n", "\n").replace("\x00", "")
        if len(text) > NARRATIVE_MAX:
            errors[f"narratives.{key}"] = [
                _(
                    "Mục này dài %(length)s ký tự, quá giới hạn %(max)s. Hãy rút gọn hoặc gửi "
                    "phần chi tiết thành tệp đính kèm."
                )
                % {"length": f"{len(text):,}".replace(",", "."), "max": "60.000"}
            ]
            continue
        out[key] = text.strip()
    if errors:
        raise ValidationError(errors)
    return out


def clean_figures(sub: Submission, figures: dict[str, Any]) -> prefill.Figures:
    errors: dict[str, list[str]] = {}
    out: prefill.Figures = {
        t: {r: dict(c) for r, c in rows.items()} for t, rows in sub.figures.items()
    }
    for table, rows in figures.items():
        spec = TABLES.get(table)
        if spec is None or not spec["editable"] or not isinstance(rows, dict):
            errors[f"figures.{table}"] = [_("Bảng số liệu này không nhập tay được.")]
            continue
        row_keys = {r for r, _label in spec["rows"]}
        for row, cols in rows.items():
            if row not in row_keys or not isinstance(cols, dict):
                errors[f"figures.{table}.{row}"] = [_("Dòng này không có trong bảng.")]
                continue
            for col, value in cols.items():
                name = f"figures.{table}.{row}.{col}"
                if col not in spec["editable"]:
                    errors[name] = [_("Cột này không nhập tay được.")]
                elif isinstance(value, bool) or not isinstance(value, int):
                    errors[name] = [_("Hãy nhập một số nguyên.")]
                elif not 0 <= value < FIGURE_MAX:
                    errors[name] = [_("Số phải từ 0 đến 10 triệu tỷ.")]
                else:
                    out.setdefault(table, {}).setdefault(row, {})[col] = value
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def submission_save(
    *,
    actor: Any,
    submission: Submission,
    version: int,
    narratives: dict[str, Any] | None = None,
    figures: dict[str, Any] | None = None,
    request: Any = None,
) -> Submission:
    """Save the reporter's narratives and numbers (a draft or a returned report)."""
    sub = _editable(actor, submission, version)
    new_narratives = clean_narratives(sub, narratives or {})
    new_figures = clean_figures(sub, figures or {})
    changed = [
        name
        for name, old, new in (
            ("narratives", sub.narratives, new_narratives),
            ("figures", sub.figures, new_figures),
        )
        if old != new
    ]
    if not changed:
        return sub
    sub.narratives, sub.figures = new_narratives, new_figures
    sub.updated_by = actor
    sub.version += 1
    sub.save()
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="reports.submission",
        object_id=sub.pk,
        changed_fields=changed,
    )
    return sub


@transaction.atomic
def submission_refresh(*, actor: Any, submission: Submission, version: int, request: Any = None):
    """Read the records again (new activities since the draft began). The typed numbers stay;
    the differences are shown against the new figures."""
    sub = _editable(actor, submission, version)
    sub.recorded = prefill.recorded_figures(sub.cycle, sub.agency)
    sub.recorded_at = timezone.now()
    sub.version += 1
    sub.save()
    _audit(sub, actor, request, AuditAction.UPDATE, refreshed=True)
    return sub


def due_passed(cycle: Cycle, when: dt.datetime) -> bool:
    """Whether ``when`` is after the due date (the whole due day counts, in local time)."""
    return timezone.localtime(when).date() > cycle.due_date


def missing_sections(sub: Submission) -> list[str]:
    return [
        s["title"]
        for s in sections_of(sub.cycle.template)
        if not (sub.narratives.get(s["key"]) or "").strip()
    ]


def _lock_year(sub: Submission, actor: Any, *, lock: bool, reason: str = "") -> None:
    """The programme's freeze of the agency's activities of the period."""
    cycle = sub.cycle
    report = (
        YearReport.objects.select_for_update()
        .filter(plan=cycle.plan, agency=sub.agency, year=cycle.year)
        .first()
    )
    now = timezone.now()
    if lock:
        report = report or YearReport(plan=cycle.plan, agency=sub.agency, year=cycle.year)
        report.status = YearReportStatus.SUBMITTED
        # The first submission's time: the "reports on time" indicator judges lateness as the
        # board does, and a report returned for a fix was still on time.
        report.submitted_by, report.submitted_at = actor, sub.first_submitted_at or now
        report.period_start, report.period_end = cycle.period_start, cycle.period_end
        report.save()
    elif report is not None and report.status == YearReportStatus.SUBMITTED:
        report.status = YearReportStatus.RETURNED
        report.returned_by, report.returned_at, report.return_reason = actor, now, reason
        report.save()


@transaction.atomic
def submission_submit(
    *, actor: Any, submission: Submission, version: int, request: Any = None
) -> Submission:
    """Send the report to the lead department. After the due date, or after the cycle was
    closed, it is still taken and flagged late."""
    sub = _editable(actor, submission, version)
    empty = missing_sections(sub)
    if empty:
        raise ValidationError(
            {
                "narratives": [
                    _(
                        "Hãy viết các mục còn trống trước khi nộp (ghi “Không có” nếu không "
                        "có gì để báo cáo): %(titles)s."
                    )
                    % {"titles": "; ".join(empty)}
                ]
            }
        )
    now = timezone.now()
    resubmit = sub.status == SubmissionStatus.RETURNED
    # The numbers are checked against the records as they are at submission.
    sub.recorded = prefill.recorded_figures(sub.cycle, sub.agency)
    sub.recorded_at = now
    sub.status = SubmissionStatus.RESUBMITTED if resubmit else SubmissionStatus.SUBMITTED
    sub.submitted_by, sub.submitted_at = actor, now
    sub.first_submitted_at = sub.first_submitted_at or now
    # Lateness is judged on the first submission: a report returned for a correction and sent
    # back after the due date was still on time.
    sub.late = due_passed(sub.cycle, sub.first_submitted_at) or (
        sub.cycle.closed_at is not None and sub.first_submitted_at >= sub.cycle.closed_at
    )
    sub.updated_by = actor
    sub.version += 1
    sub.save()
    _lock_year(sub, actor, lock=True)
    _event(
        sub,
        SubmissionAction.RESUBMIT if resubmit else SubmissionAction.SUBMIT,
        actor,
        late=sub.late,
    )
    _audit(sub, actor, request, AuditAction.UPDATE, late=sub.late)
    return sub


def _reviewed(submission: Submission, actor: Any, version: int) -> Submission:
    if not may_review(actor):
        raise PermissionDenied
    sub = (
        Submission.objects.select_for_update()
        .select_related("cycle", "agency")
        .get(pk=submission.pk)
    )
    if version != sub.version:
        raise _stale()
    if sub.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED):
        if sub.status in EDITABLE:
            raise ValidationError(
                _("Cơ quan chưa nộp báo cáo này nên chưa tiếp nhận hay trả lại được."),
                code="invalid",
            )
        raise ValidationError(_("Báo cáo này đã được xử lý rồi."), code="invalid")
    return sub


@transaction.atomic
def submission_return(
    *, actor: Any, submission: Submission, version: int, reason: str, request: Any = None
) -> Submission:
    """The lead department sends the report back with a reason; the agency edits and
    resubmits, and its activities of the period open again meanwhile."""
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Hãy ghi lý do trả lại để cơ quan biết cần sửa gì.")]})
    if len(reason) > 5000:
        raise ValidationError({"reason": [_("Lý do trả lại dài quá 5.000 ký tự.")]})
    sub = _reviewed(submission, actor, version)
    sub.status = SubmissionStatus.RETURNED
    sub.returned_by, sub.returned_at, sub.return_reason = actor, timezone.now(), reason
    sub.version += 1
    sub.save()
    _lock_year(sub, actor, lock=False, reason=reason)
    _event(sub, SubmissionAction.RETURN, actor, reason=reason)
    _audit(sub, actor, request, AuditAction.UPDATE)
    return sub


@transaction.atomic
def submission_accept(
    *, actor: Any, submission: Submission, version: int, request: Any = None
) -> Submission:
    sub = _reviewed(submission, actor, version)
    sub.status = SubmissionStatus.ACCEPTED
    sub.accepted_by, sub.accepted_at = actor, timezone.now()
    sub.version += 1
    sub.save()
    _event(sub, SubmissionAction.ACCEPT, actor)
    _audit(sub, actor, request, AuditAction.UPDATE)
    return sub


@transaction.atomic
def submission_correct(
    *, actor: Any, submission: Submission, version: int, reason: str, request: Any = None
) -> Submission:
    """Open a correction of an accepted report: a new version, a copy to edit, with its
    reason. The accepted version stays, superseded, in the history."""
    _require_editor(actor, submission)
    reason = nfc(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Hãy ghi lý do đính chính.")]})
    if len(reason) > 5000:
        raise ValidationError({"reason": [_("Lý do đính chính dài quá 5.000 ký tự.")]})
    old = (
        Submission.objects.select_for_update()
        .select_related("cycle", "agency")
        .get(pk=submission.pk)
    )
    if version != old.version:
        raise _stale()
    if old.status != SubmissionStatus.ACCEPTED:
        raise ValidationError(
            _("Chỉ báo cáo đã được tiếp nhận mới mở bản đính chính; bản này còn sửa được."),
            code="invalid",
        )
    old.status = SubmissionStatus.SUPERSEDED
    old.version += 1
    old.save()
    new = Submission.objects.create(
        cycle=old.cycle,
        agency=old.agency,
        number=old.number + 1,
        previous=old,
        narratives=dict(old.narratives),
        figures={t: {r: dict(c) for r, c in rows.items()} for t, rows in old.figures.items()},
        recorded=prefill.recorded_figures(old.cycle, old.agency),
        recorded_at=timezone.now(),
        template_version=old.cycle.template_version,
        correction_reason=reason,
        first_submitted_at=old.first_submitted_at,
        late=old.late,
        created_by=actor,
        updated_by=actor,
    )
    for attachment in old.attachments.all():
        Attachment.objects.create(
            submission=new,
            file=attachment.file.name,
            original_name=attachment.original_name,
            extension=attachment.extension,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
            uploaded_by=attachment.uploaded_by,
        )
    _lock_year(new, actor, lock=False, reason=reason)
    _event(new, SubmissionAction.CORRECT, actor, reason=reason)
    _audit(new, actor, request, AuditAction.CREATE, previous=old.pk)
    return new


# --- Attachments -------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, actor: Any, submission: Submission, upload: Any, request: Any = None
) -> Attachment:
    """A file with the report, judged by its content: it must be what its extension says."""
    sub = _editable(actor, submission, None)
    if sub.attachments.count() >= 20:
        raise ValidationError({"file": [_("Mỗi báo cáo đính kèm tối đa 20 tệp.")]})
    try:
        checked = check_upload(
            upload, allowed=ATTACHMENT_TYPES, max_bytes=settings.ANTOAN_EVIDENCE_MAX_BYTES
        )
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    digest = hashlib.sha256(checked.data).hexdigest()
    if sub.attachments.filter(sha256=digest).exists():
        raise ValidationError({"file": [_("Tệp này đã đính kèm báo cáo rồi.")]})
    attachment = Attachment(
        submission=sub,
        original_name=display_name(getattr(upload, "name", ""), checked.extension),
        extension=checked.extension,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=digest,
        uploaded_by=actor,
    )

    def save() -> None:
        attachment.save()
        _event(sub, SubmissionAction.ATTACH, actor, reason=attachment.original_name)
        _audit(sub, actor, request, AuditAction.UPDATE, attachment=attachment.pk)

    store_with(attachment, checked, digest, save)
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: Attachment, request: Any = None) -> None:
    sub = _editable(actor, attachment.submission, None)
    name = attachment.original_name
    # The stored file may be shared with an earlier version: only the row goes.
    attachment.delete()
    _event(sub, SubmissionAction.DETACH, actor, reason=name)
    _audit(sub, actor, request, AuditAction.DELETE, attachment=name)
