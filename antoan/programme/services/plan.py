"""The coordinator's task statuses and budget lines (the yearly reports are antoan.reports')."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import grant
from antoan.programme.choices import (
    FundingSource,
    TaskStatus,
)
from antoan.programme.models import (
    BudgetLine,
    Plan,
    Task,
    TaskStatusChange,
)
from antoan.programme.selectors import is_year_locked
from antoan.programme.services.checks import require_reporter


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
