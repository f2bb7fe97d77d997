"""Building plans in the app: the next provincial plan from a copy of the previous one, and
the communes' local plans (plan 64/KH-UBND IV.12) under a provincial plan.

A plan built here starts as a draft that only its builders see. The coordinator publishes a
provincial plan; a commune's reporter submits its local plan and the commune's leader approves
(publishes) or returns it. Only a draft changes: a published plan is what was signed, and an
official amendment comes as a plan file (``load_plan``). Activities are recorded against
published plans only.

A local plan's tasks each carry out one task of the provincial plan: either the provincial
task itself, adopted (same code), or a local task added under an adopted one. An activity
logged against a local task counts for the local plan and, once, for the provincial task it
carries (``selectors.plan_task_rows``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.dates import check_date_range
from antoan.core.models import AuditAction
from antoan.core.permissions import agency_ids_with, grant
from antoan.places.models import Place
from antoan.programme.choices import AssignmentRole, FundingSource, PlanStatus
from antoan.programme.models import (
    Activity,
    Assignment,
    BudgetLine,
    DutyTransfer,
    Objective,
    Plan,
    Task,
    text_limit,
)
from antoan.programme.selectors import task_subtree_ids
from antoan.programme.services.checks import fmt_date

STALE = "stale"  # the code of the refusal of a change made on an old version


def _stale() -> ValidationError:
    return ValidationError(
        _("Người khác vừa thay đổi kế hoạch này. Hãy tải lại trang, xem lại rồi làm lại."),
        code=STALE,
    )


def _money(value: int) -> str:
    return number_format(value, decimal_pos=0, force_grouping=True)


# --- Who may do what ---------------------------------------------------------------------------


def is_coordinator(actor: Any) -> bool:
    return grant(actor, Perm.PROGRAMME_COORDINATE) is not None


def may_build(actor: Any, plan: Plan) -> bool:
    """May ``actor`` change this plan's draft? The coordinator builds provincial plans (and may
    help a commune with its local plan); a commune's reporters build their commune's."""
    if is_coordinator(actor):
        return True
    if plan.is_local and plan.issuing_agency_id:
        return grant(actor, Perm.PROGRAMME_REPORT, agency_id=plan.issuing_agency_id) is not None
    return False


def may_approve(actor: Any, plan: Plan) -> bool:
    """A local plan is approved by its commune's leader; a provincial one is published by the
    coordinator."""
    if plan.is_local:
        return (
            plan.issuing_agency_id is not None
            and grant(actor, Perm.LOCAL_PLAN_APPROVE, agency_id=plan.issuing_agency_id) is not None
        )
    return is_coordinator(actor)


def _require_draft_builder(actor: Any, plan: Plan) -> None:
    if not may_build(actor, plan):
        raise PermissionDenied
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _(
                "Kế hoạch %(number)s không còn là dự thảo nên không sửa được. Kế hoạch đã ban "
                "hành chỉ được sửa đổi bằng một văn bản mới."
            )
            % {"number": plan.number}
        )


def _locked(plan: Plan, version: int | None) -> Plan:
    """The plan row locked for the change; a stale ``version`` is refused."""
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    if version is not None and current.version != version:
        raise _stale()
    return current


def _bump(plan: Plan, *fields: str) -> None:
    plan.version += 1
    plan.save(update_fields=[*fields, "version"])


def _audit(actor: Any, request: Any, action: str, object_type: str, pk: int, **extra: Any) -> None:
    audit_record(
        action=action,
        request=request,
        user=actor,
        object_type=object_type,
        object_id=pk,
        extra=extra or None,
    )


# --- Creating a plan ---------------------------------------------------------------------------


def heirs(agency: Agency, on: dt.date) -> list[Agency]:
    """Who carries a dissolved agency's duties on ``on`` (itself while it exists): its
    successor, the heir of its main duties (Sở LĐTBXH's gender-equality and GBV duties went to
    Sở Nội vụ), else every agency that took over a part of them. The coordinator reviews the
    draft's assignments before publishing."""
    if agency.is_valid_on(on):
        return [agency]
    successor = agency.successor
    if successor is not None and successor.is_valid_on(on):
        return [successor]
    return [
        t.to_agency
        for t in DutyTransfer.objects.filter(from_agency=agency).select_related("to_agency")
        if t.to_agency.is_valid_on(on)
    ]


def _unique_code(base: str) -> str:
    base = slugify(base)[:50] or "ke-hoach"
    code, n = base, 1
    while Plan.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _check_header(
    number: str, title: str, period_start: Any, period_end: Any, issued_on: Any
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = defaultdict(list)
    if not (number or "").strip():
        errors["number"].append(_("Hãy nhập số, ký hiệu của kế hoạch."))
    elif len(number.strip()) > text_limit(Plan, "number"):
        errors["number"].append(_("Số, ký hiệu dài quá %(max)s ký tự.") % {"max": 60})
    if not (title or "").strip():
        errors["title"].append(_("Hãy nhập trích yếu (tên) của kế hoạch."))
    elif len(title.strip()) > text_limit(Plan, "title"):
        errors["title"].append(_("Trích yếu dài quá %(max)s ký tự.") % {"max": 400})
    for name, day in (
        ("period_start", period_start),
        ("period_end", period_end),
        ("issued_on", issued_on),
    ):
        if not isinstance(day, dt.date):
            errors[name].append(_("Hãy nhập ngày theo dạng dd/mm/yyyy."))
            continue
        try:
            check_date_range(day)
        except ValidationError as exc:
            errors[name].extend(exc.messages)
    if (
        isinstance(period_start, dt.date)
        and isinstance(period_end, dt.date)
        and period_end < period_start
    ):
        errors["period_end"].append(_("Ngày kết thúc trước ngày bắt đầu."))
    return dict(errors)


def _outside_parent(parent: Plan) -> str:
    return _(
        "Thời gian thực hiện phải nằm trong thời gian của kế hoạch %(number)s "
        "(%(start)s - %(end)s)."
    ) % {
        "number": parent.number,
        "start": fmt_date(parent.period_start),
        "end": fmt_date(parent.period_end),
    }


def local_agency_for(actor: Any, agency: Agency | None) -> Agency:
    """The commune whose local plan ``actor`` builds: the one named, or the only commune
    committee they report for."""
    if agency is None:
        ids = agency_ids_with(actor, Perm.PROGRAMME_REPORT)
        communes = list(
            Agency.objects.filter(pk__in=ids, kind=Agency.Kind.COMMUNE_COMMITTEE).order_by("name")
        )
        if len(communes) != 1:
            raise ValidationError(
                {"agency": [_("Hãy chọn Ủy ban nhân dân xã, phường lập kế hoạch.")]}
            )
        agency = communes[0]
    if agency.kind != Agency.Kind.COMMUNE_COMMITTEE:
        raise ValidationError(
            {
                "agency": [
                    _(
                        "Kế hoạch địa phương do Ủy ban nhân dân xã, phường lập; %(agency)s "
                        "không phải là Ủy ban nhân dân xã, phường."
                    )
                    % {"agency": agency.name}
                ]
            }
        )
    if (
        not is_coordinator(actor)
        and grant(actor, Perm.PROGRAMME_REPORT, agency_id=agency.pk) is None
    ):
        raise PermissionDenied
    return agency


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    number: str,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    copy_from: Plan | None = None,
    parent: Plan | None = None,
    agency: Agency | None = None,
    issued_on: dt.date | None = None,
    request: Any = None,
) -> Plan:
    """A draft plan: a provincial plan copied from another (tasks, assignments, targets), or,
    with ``parent``, a commune's local plan (empty, or copied from an earlier local plan of the
    same commune)."""
    issued_on = issued_on or timezone.localdate()
    if parent is None:
        if not is_coordinator(actor):
            raise PermissionDenied
        if copy_from is None:
            raise ValidationError({"copy_from": [_("Hãy chọn kế hoạch làm bản gốc để sao chép.")]})
        if copy_from.is_local:
            raise ValidationError(
                {"copy_from": [_("Kế hoạch của tỉnh phải sao chép từ một kế hoạch của tỉnh.")]}
            )
    else:
        agency = local_agency_for(actor, agency)
    errors = _check_header(number, title, period_start, period_end, issued_on)
    if parent is not None:
        if parent.is_local or not parent.is_published:
            errors.setdefault("parent", []).append(
                _("Kế hoạch địa phương thực hiện một kế hoạch của tỉnh đã ban hành.")
            )
        elif (
            isinstance(period_start, dt.date)
            and isinstance(period_end, dt.date)
            and (period_start < parent.period_start or period_end > parent.period_end)
        ):
            errors.setdefault("period_end", []).append(_outside_parent(parent))
        if copy_from is not None and (
            not copy_from.is_local or copy_from.issuing_agency_id != (agency.pk if agency else None)
        ):
            errors.setdefault("copy_from", []).append(
                _("Chỉ sao chép được từ một kế hoạch trước đây của chính xã, phường này.")
            )
    if errors:
        raise ValidationError(errors)

    if copy_from is not None and parent is None:
        plan = Plan(
            code=_unique_code(f"{number}-{period_start.year}-{period_end.year}"),
            issuing_agency=_first_heir(copy_from.issuing_agency, issued_on),
            place=_province_on(copy_from.place, period_start),
            implements=copy_from.implements,
            budget_text=copy_from.budget_text,
            report_to=_first_heir(copy_from.report_to, issued_on),
            report_due_month=copy_from.report_due_month,
            report_due_day=copy_from.report_due_day,
            report_text=copy_from.report_text,
        )
    elif agency is not None and parent is not None:
        plan = Plan(
            code=_unique_code(f"{agency.code}-{period_start.year}-{period_end.year}"),
            issuing_agency=agency,
            place=agency.place,
            report_to=parent.report_to,
            report_due_month=parent.report_due_month,
            report_due_day=parent.report_due_day,
            parent=parent,
        )
    else:  # pragma: no cover - ruled out above
        raise PermissionDenied
    plan.number, plan.title = number.strip(), title.strip()
    plan.issued_on, plan.period_start, plan.period_end = issued_on, period_start, period_end
    plan.status, plan.created_by, plan.copied_from = PlanStatus.DRAFT, actor, copy_from
    plan.save()
    if copy_from is not None:
        _copy_contents(copy_from, plan)
    _audit(
        actor,
        request,
        AuditAction.CREATE,
        "programme.plan",
        plan.pk,
        copy_from=copy_from.pk if copy_from else None,
        parent=parent.pk if parent else None,
    )
    return plan


def _province_on(place: Place, on: dt.date) -> Place:
    """The province with the same code as it is on ``on`` (codes outlive reorganisations)."""
    return Place.objects.valid_on(on).filter(code=place.code, level=place.level).first() or place


def _first_heir(agency: Agency | None, on: dt.date) -> Agency | None:
    if agency is None:
        return None
    found = heirs(agency, on)
    return found[0] if found else agency


def _shift_year(year: int | None, source: Plan, target: Plan) -> int | None:
    """A target "by the end of the plan" stays at the end of the new plan; others move by the
    same number of years as the period."""
    if year is None:
        return None
    if year == source.period_end.year:
        return target.period_end.year
    return year + (target.period_start.year - source.period_start.year)


def _copy_contents(source: Plan, plan: Plan) -> None:
    """Objectives, the task tree and its assignments. A task assigned to an agency dissolved
    since goes to the agencies that took over its duties. A local plan copied from an earlier
    one keeps the tasks whose provincial task the new parent still has (by code)."""
    for o in source.objectives.all():
        Objective.objects.create(
            plan=plan,
            code=o.code,
            text=o.text,
            indicator_code=o.indicator_code,
            target_value=o.target_value,
            target_comparison=o.target_comparison,
            target_unit=o.target_unit,
            target_year=_shift_year(o.target_year, source, plan),
            order=o.order,
        )
    parent_tasks = {t.code: t for t in plan.parent.tasks.all()} if plan.parent else {}
    new_of: dict[int, Task] = {}
    today = plan.issued_on
    for t in source.tasks.order_by("depth", "order").select_related("carries"):
        carries = None
        if plan.parent_id is not None:
            carries = parent_tasks.get(t.carries.code) if t.carries else None
            if carries is None:
                continue
        parent = new_of.get(t.parent_id) if t.parent_id else None
        if t.parent_id and parent is None:
            continue
        new_of[t.pk] = Task.objects.create(
            plan=plan,
            code=t.code,
            parent=parent,
            title=t.title,
            text=t.text,
            order=t.order,
            depth=t.depth,
            carries=carries,
        )
    assignments = []
    seen: set[tuple[int, int | None, str]] = set()
    for a in Assignment.objects.filter(task__plan=source).select_related("agency"):
        task = new_of.get(a.task_id)
        if task is None:
            continue
        targets = heirs(a.agency, today) if a.agency is not None else [None]
        for agency in targets or [a.agency]:
            key = (task.pk, agency.pk if agency else None, a.group)
            if key in seen:
                continue
            seen.add(key)
            assignments.append(
                Assignment(
                    task=task,
                    agency=agency,
                    group=a.group,
                    label=a.label if agency is a.agency else "",
                    role=a.role,
                    basis=a.basis,
                )
            )
    Assignment.objects.bulk_create(assignments)


# --- Editing a draft ---------------------------------------------------------------------------


@transaction.atomic
def plan_update(
    *,
    actor: Any,
    plan: Plan,
    version: int,
    number: str,
    title: str,
    issued_on: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    implements: str = "",
    budget_text: str = "",
    request: Any = None,
) -> Plan:
    """Change a draft's number, title, dates and preamble."""
    _require_draft_builder(actor, plan)
    errors = _check_header(number, title, period_start, period_end, issued_on)
    parent = plan.parent
    if (
        parent is not None
        and not errors
        and (period_start < parent.period_start or period_end > parent.period_end)
    ):
        errors["period_end"] = [_outside_parent(parent)]
    if errors:
        raise ValidationError(errors)
    current = _locked(plan, version)
    fields = {
        "number": number.strip(),
        "title": title.strip(),
        "issued_on": issued_on,
        "period_start": period_start,
        "period_end": period_end,
        "implements": implements.strip(),
        "budget_text": budget_text.strip(),
    }
    changed = [k for k, v in fields.items() if getattr(current, k) != v]
    for k in changed:
        setattr(current, k, fields[k])
    if changed:
        _bump(current, *changed)
        audit_record(
            action=AuditAction.UPDATE,
            request=request,
            user=actor,
            object_type="programme.plan",
            object_id=current.pk,
            changed_fields=changed,
        )
    return current


def _touch(plan: Plan) -> None:
    """Any change to a draft's contents moves its version (two builders never overwrite)."""
    Plan.objects.filter(pk=plan.pk).update(version=plan.version + 1)
    plan.version += 1


@transaction.atomic
def objective_save(
    *,
    actor: Any,
    plan: Plan,
    version: int,
    code: str,
    text: str,
    objective: Objective | None = None,
    indicator_code: str = "",
    target_value: Decimal | None = None,
    target_comparison: str = "",
    target_unit: str = "",
    target_year: int | None = None,
    request: Any = None,
) -> Objective:
    """Add or change a target of a draft plan."""
    _require_draft_builder(actor, plan)
    plan = _locked(plan, version)
    errors: dict[str, list[str]] = defaultdict(list)
    code, text = (code or "").strip(), (text or "").strip()
    if not code:
        errors["code"].append(_("Hãy nhập mục (ví dụ I.2.a)."))
    elif len(code) > 20:
        errors["code"].append(_("Mục dài quá %(max)s ký tự.") % {"max": 20})
    elif plan.objectives.filter(code=code).exclude(pk=objective.pk if objective else 0).exists():
        errors["code"].append(_("Kế hoạch đã có mục tiêu %(code)s.") % {"code": code})
    if not text:
        errors["text"].append(_("Hãy nhập nội dung mục tiêu."))
    if target_comparison not in ("", ">=", "<=", "=", ">", "<"):
        errors["target_comparison"].append(_("Giá trị không hợp lệ."))
    if target_value is not None and not Decimal(0) <= target_value <= Decimal("9999999"):
        errors["target_value"].append(_("Chỉ tiêu phải từ 0 đến 9.999.999."))
    if (
        target_year is not None
        and not plan.period_start.year <= target_year <= plan.period_end.year
    ):
        errors["target_year"].append(
            _("Năm đạt chỉ tiêu phải trong thời gian thực hiện kế hoạch (%(start)s - %(end)s).")
            % {"start": plan.period_start.year, "end": plan.period_end.year}
        )
    if len(target_unit or "") > 20:
        errors["target_unit"].append(_("Đơn vị dài quá %(max)s ký tự.") % {"max": 20})
    if errors:
        raise ValidationError(dict(errors))
    created = objective is None
    if objective is None:
        last = plan.objectives.order_by("-order").first()
        objective = Objective(plan=plan, order=(last.order + 1) if last else 0)
    elif objective.plan_id != plan.pk:
        raise PermissionDenied
    objective.code, objective.text, objective.indicator_code = code, text, indicator_code.strip()
    objective.target_value, objective.target_comparison = target_value, target_comparison
    objective.target_unit, objective.target_year = target_unit.strip(), target_year
    objective.save()
    _touch(plan)
    _audit(
        actor,
        request,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "programme.objective",
        objective.pk,
        plan=plan.pk,
    )
    return objective


@transaction.atomic
def objective_delete(
    *, actor: Any, objective: Objective, version: int, request: Any = None
) -> None:
    plan = objective.plan
    _require_draft_builder(actor, plan)
    plan = _locked(plan, version)
    pk = objective.pk
    objective.delete()
    _touch(plan)
    _audit(actor, request, AuditAction.DELETE, "programme.objective", pk, plan=plan.pk)


def _renumber(plan: Plan) -> None:
    """Orders and depths in tree order; a local plan follows the provincial plan's order."""
    tasks = list(plan.tasks.select_related("carries"))
    children: dict[int | None, list[Task]] = defaultdict(list)
    for t in tasks:
        children[t.parent_id].append(t)

    def key(t: Task) -> tuple[int, int, int]:
        if plan.is_local and t.parent_id is None and t.carries is not None:
            return (t.carries.order, 0, t.pk)
        return (t.order, 1, t.pk)

    order = 0
    changed: list[Task] = []
    stack: list[tuple[Task, int]] = [(t, 0) for t in sorted(children[None], key=key, reverse=True)]
    while stack:
        t, depth = stack.pop()
        if (t.order, t.depth) != (order, depth):
            t.order, t.depth = order, depth
            changed.append(t)
        order += 1
        stack.extend((c, depth + 1) for c in sorted(children[t.pk], key=key, reverse=True))
    Task.objects.bulk_update(changed, ["order", "depth"])


@transaction.atomic
def task_save(
    *,
    actor: Any,
    plan: Plan,
    version: int,
    title: str,
    text: str = "",
    task: Task | None = None,
    code: str = "",
    parent: Task | None = None,
    carries: Task | None = None,
    request: Any = None,
) -> Task:
    """Add or change a task of a draft plan.

    Provincial plan: ``code`` in the plan's numbering, optionally under ``parent``.
    Local plan: either adopt a provincial task (``carries``, its code becomes the task's) or
    add a local task under an adopted one (``parent``; numbered ``<parent code>/<n>``)."""
    _require_draft_builder(actor, plan)
    plan = _locked(plan, version)
    errors: dict[str, list[str]] = defaultdict(list)
    title, text, code = (title or "").strip(), (text or "").strip(), (code or "").strip()
    if task is not None and task.plan_id != plan.pk:
        raise PermissionDenied
    if parent is not None and parent.plan_id != plan.pk:
        errors["parent"].append(_("Mục cha không thuộc kế hoạch này."))
    if task is not None and parent is not None and parent.pk in task_subtree_ids(task):
        errors["parent"].append(_("Không thể đặt một nhiệm vụ dưới chính nó."))
    if plan.is_local and task is None and parent is None and carries is not None:
        # Adopting a provincial task: its wording, unless the commune words it its own way.
        title, text = title or carries.title, text or (carries.text if not title else "")
    if not title and not text:
        errors["title"].append(_("Hãy nhập tên hoặc nội dung nhiệm vụ."))
    if len(title) > text_limit(Task, "title"):
        errors["title"].append(_("Tên nhiệm vụ dài quá %(max)s ký tự.") % {"max": 400})
    if len(text) > 10_000:
        errors["text"].append(_("Nội dung dài quá %(max)s ký tự.") % {"max": "10.000"})

    if plan.is_local:
        if task is not None:
            parent, carries = task.parent, task.carries  # a local task's place is fixed
        if carries is not None and parent is None:
            if carries.plan_id != plan.parent_id:
                errors["carries"].append(
                    _("Nhiệm vụ được chọn không thuộc kế hoạch %(number)s.")
                    % {"number": plan.parent.number if plan.parent else ""}
                )
            elif task is None and plan.tasks.filter(carries=carries, parent__isnull=True).exists():
                errors["carries"].append(
                    _("Kế hoạch đã nhận nhiệm vụ %(code)s.") % {"code": carries.code}
                )
            code = carries.code
        elif parent is not None and parent.carries_id is not None:
            carries = parent.carries
            if task is None:
                n = plan.tasks.filter(parent=parent).count() + 1
                code = f"{parent.code}/{n}"
                while plan.tasks.filter(code=code).exists():
                    n += 1
                    code = f"{parent.code}/{n}"
            else:
                code = task.code
        else:
            errors["carries"].append(
                _(
                    "Mỗi nhiệm vụ của kế hoạch địa phương phải thực hiện một nhiệm vụ của kế "
                    "hoạch tỉnh: hãy chọn nhiệm vụ của tỉnh, hoặc thêm nhiệm vụ dưới một nhiệm "
                    "vụ đã nhận."
                )
            )
    else:
        carries = None
        if not code:
            errors["code"].append(_("Hãy nhập mục của nhiệm vụ (ví dụ II.3.a)."))
        elif len(code) > 30:
            errors["code"].append(_("Mục dài quá %(max)s ký tự.") % {"max": 30})
        elif plan.tasks.filter(code=code).exclude(pk=task.pk if task else 0).exists():
            errors["code"].append(_("Kế hoạch đã có nhiệm vụ mục %(code)s.") % {"code": code})
    if errors:
        raise ValidationError(dict(errors))

    created = task is None
    if task is None:
        siblings = plan.tasks.filter(parent=parent).order_by("-order").first()
        anchor = siblings or parent
        task = Task(plan=plan, order=(anchor.order + 1) if anchor else 0)
    else:
        task = Task.objects.select_for_update().get(pk=task.pk)
    task.code, task.title, task.text = code, title, text
    task.parent, task.carries = parent, carries
    task.depth = parent.depth + 1 if parent else 0
    task.save()
    _renumber(plan)
    _touch(plan)
    _audit(
        actor,
        request,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "programme.task",
        task.pk,
        plan=plan.pk,
        code=task.code,
    )
    task.refresh_from_db()
    return task


@transaction.atomic
def task_delete(*, actor: Any, task: Task, version: int, request: Any = None) -> None:
    """Remove a task of a draft and everything under it (a draft has no activities)."""
    plan = task.plan
    _require_draft_builder(actor, plan)
    plan = _locked(plan, version)
    ids = task_subtree_ids(task)
    if Activity.tasks.through.objects.filter(task_id__in=ids).exists():
        raise ValidationError(_("Nhiệm vụ này đã có hoạt động nên không xóa được."))
    Assignment.objects.filter(task_id__in=ids).delete()
    for t in sorted(Task.objects.filter(pk__in=ids), key=lambda t: -t.depth):
        t.status_changes.all().delete()
        t.delete()
    _renumber(plan)
    _touch(plan)
    _audit(actor, request, AuditAction.DELETE, "programme.task", task.pk, plan=plan.pk)


@transaction.atomic
def assignment_add(
    *,
    actor: Any,
    task: Task,
    version: int,
    role: str,
    agency: Agency | None = None,
    group: str = "",
    request: Any = None,
) -> Assignment:
    """Assign a task of a draft provincial plan to an agency, or to every agency of a kind."""
    plan = task.plan
    _require_draft_builder(actor, plan)
    plan = _locked(plan, version)
    errors: dict[str, list[str]] = defaultdict(list)
    if role not in AssignmentRole.values:
        errors["role"].append(_("Vai trò không hợp lệ."))
    if bool(agency) == bool(group):
        errors["agency"].append(_("Hãy chọn một cơ quan, hoặc một nhóm cơ quan."))
    elif group and group not in Agency.Kind.values:
        errors["group"].append(_("Nhóm cơ quan không hợp lệ."))
    elif agency is not None and not agency.is_valid_on(timezone.localdate()):
        errors["agency"].append(
            _("%(agency)s đã giải thể: hãy giao cho cơ quan đã nhận nhiệm vụ của cơ quan này.")
            % {"agency": agency.name}
        )
    elif Assignment.objects.filter(task=task, agency=agency, group=group).exists():
        errors["agency"].append(_("Nhiệm vụ đã được giao cho cơ quan này."))
    if errors:
        raise ValidationError(dict(errors))
    assignment = Assignment.objects.create(task=task, agency=agency, group=group, role=role)
    _touch(plan)
    _audit(actor, request, AuditAction.CREATE, "programme.assignment", assignment.pk, plan=plan.pk)
    return assignment


@transaction.atomic
def assignment_remove(
    *, actor: Any, assignment: Assignment, version: int, request: Any = None
) -> None:
    plan = assignment.task.plan
    _require_draft_builder(actor, plan)
    plan = _locked(plan, version)
    pk = assignment.pk
    assignment.delete()
    _touch(plan)
    _audit(actor, request, AuditAction.DELETE, "programme.assignment", pk, plan=plan.pk)


# --- A local plan's budget ---------------------------------------------------------------------


@transaction.atomic
def plan_budget_set(
    *,
    actor: Any,
    plan: Plan,
    version: int,
    total: int | None,
    lines: Mapping[tuple[int, str], int | None],
    request: Any = None,
) -> Plan:
    """A local plan's budget: the total it states and what each year needs from each source.
    The years' amounts must add up to the total; nothing is saved otherwise."""
    _require_draft_builder(actor, plan)
    errors: dict[str, list[str]] = defaultdict(list)
    if not plan.is_local or plan.issuing_agency_id is None:
        errors["total"].append(_("Kinh phí theo năm được lập cho kế hoạch của xã, phường."))
    if total is None or total < 0:
        errors["total"].append(_("Hãy nhập tổng kinh phí (đồng), không âm."))
    elif total > 10**15:
        errors["total"].append(_("Số tiền quá lớn."))
    years = range(plan.period_start.year, plan.period_end.year + 1)
    clean: dict[tuple[int, str], int] = {}
    for (year, source), amount in lines.items():
        if year not in years:
            errors["lines"].append(
                _("Năm %(year)s nằm ngoài thời gian thực hiện kế hoạch.") % {"year": year}
            )
        elif source not in FundingSource.values:
            errors["lines"].append(_("Nguồn kinh phí không hợp lệ: %s.") % source)
        elif amount is not None and amount < 0:
            errors["lines"].append(_("Số tiền không được âm."))
        elif amount is not None and amount > 10**15:
            errors["lines"].append(_("Số tiền quá lớn."))
        elif amount:
            clean[(year, source)] = amount
    if not errors and total is not None and sum(clean.values()) != total:
        errors["lines"].append(
            _(
                "Kinh phí các năm cộng lại được %(sum)s đồng, không bằng tổng kinh phí của kế "
                "hoạch (%(total)s đồng). Hãy sửa cho khớp."
            )
            % {"sum": _money(sum(clean.values())), "total": _money(total)}
        )
    if errors:
        raise ValidationError(dict(errors))
    plan = _locked(plan, version)
    existing = {
        (line.year, line.source): line
        for line in BudgetLine.objects.select_for_update().filter(
            plan=plan, agency_id=plan.issuing_agency_id or 0
        )
    }
    for key, line in existing.items():
        if key not in clean:
            if line.allocated:
                line.planned = 0
                line.version += 1
                line.save(update_fields=["planned", "version"])
            else:
                line.delete()
    for (year, source), amount in clean.items():
        found = existing.get((year, source))
        if found is None:
            BudgetLine.objects.create(
                plan=plan,
                agency_id=plan.issuing_agency_id or 0,
                year=year,
                source=source,
                planned=amount,
            )
        elif found.planned != amount:
            found.planned = amount
            found.version += 1
            found.save(update_fields=["planned", "version"])
    plan.budget_total = total
    _bump(plan, "budget_total")
    _audit(actor, request, AuditAction.UPDATE, "programme.plan", plan.pk, budget=True)
    return plan


def budget_by_year(plan: Plan) -> dict[int, int]:
    """What a plan's budget lines plan for each year."""
    out: dict[int, int] = defaultdict(int)
    for year, planned in BudgetLine.objects.filter(plan=plan).values_list("year", "planned"):
        out[year] += planned
    return dict(out)


# --- Submitting, approving, publishing ---------------------------------------------------------


def _ready_errors(plan: Plan) -> list[str]:
    """What a plan lacks before it can be submitted or published."""
    problems = []
    if not plan.tasks.exists():
        problems.append(_("Kế hoạch chưa có nhiệm vụ nào."))
    if plan.is_local:
        if plan.budget_total is None:
            problems.append(_("Kế hoạch chưa có kinh phí theo năm."))
        elif sum(budget_by_year(plan).values()) != plan.budget_total:
            problems.append(_("Kinh phí các năm không khớp với tổng kinh phí của kế hoạch."))
    overlapping = Plan.objects.filter(
        status=PlanStatus.PUBLISHED,
        period_start__lte=plan.period_end,
        period_end__gte=plan.period_start,
    ).exclude(pk=plan.pk)
    if plan.is_local:
        overlapping = overlapping.filter(issuing_agency_id=plan.issuing_agency_id)
    else:
        overlapping = overlapping.filter(parent__isnull=True)
    clash = overlapping.first()
    if clash is not None:
        problems.append(
            _(
                "Thời gian thực hiện trùng với kế hoạch %(number)s đã ban hành (%(start)s - "
                "%(end)s): mỗi ngày chỉ thuộc một kế hoạch."
            )
            % {
                "number": clash.number,
                "start": fmt_date(clash.period_start),
                "end": fmt_date(clash.period_end),
            }
        )
    return problems


@transaction.atomic
def plan_submit(*, actor: Any, plan: Plan, version: int, request: Any = None) -> Plan:
    """A commune's reporter sends its local plan to the commune's leader for approval."""
    if not plan.is_local:
        raise ValidationError(_("Kế hoạch của tỉnh được ban hành trực tiếp, không trình duyệt."))
    _require_draft_builder(actor, plan)
    plan = _locked(plan, version)
    problems = _ready_errors(plan)
    if problems:
        raise ValidationError(problems)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_by, plan.submitted_at = actor, timezone.now()
    plan.return_reason = ""
    _bump(plan, "status", "submitted_by", "submitted_at", "return_reason")
    _audit(actor, request, AuditAction.UPDATE, "programme.plan", plan.pk, status=plan.status)
    _notify_leaders(plan)
    return plan


def _notify_leaders(plan: Plan) -> None:
    from antoan.accounts.selectors import holders
    from antoan.core.mail import send_after_commit

    subject = _("Kế hoạch %(number)s chờ phê duyệt") % {"number": plan.number}
    body = _(
        "Kế hoạch %(number)s (%(title)s) của %(agency)s đã được trình và chờ đồng chí phê "
        "duyệt trong An Toàn."
    ) % {"number": plan.number, "title": plan.title, "agency": plan.issuing_agency}
    recipients = [
        u.email
        for u in holders(plan.issuing_agency_id or 0, Perm.LOCAL_PLAN_APPROVE)
        if getattr(u, "email", "")
    ]
    send_after_commit([(subject, body, recipients)], what="local plan submitted")


@transaction.atomic
def plan_return(*, actor: Any, plan: Plan, version: int, reason: str, request: Any = None) -> Plan:
    """The commune's leader sends a submitted local plan back to draft, with the reason."""
    if not may_approve(actor, plan) or not plan.is_local:
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Hãy ghi lý do trả lại.")]})
    plan = _locked(plan, version)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("Kế hoạch này không ở trạng thái chờ phê duyệt."))
    plan.status, plan.return_reason = PlanStatus.DRAFT, reason.strip()[:4000]
    _bump(plan, "status", "return_reason")
    _audit(actor, request, AuditAction.UPDATE, "programme.plan", plan.pk, status=plan.status)
    return plan


@transaction.atomic
def plan_publish(*, actor: Any, plan: Plan, version: int, request: Any = None) -> Plan:
    """Publish a provincial draft (the coordinator) or approve a submitted local plan (the
    commune's leader). From now on activities are recorded against it."""
    if not may_approve(actor, plan):
        raise PermissionDenied
    plan = _locked(plan, version)
    expected = PlanStatus.SUBMITTED if plan.is_local else PlanStatus.DRAFT
    if plan.status != expected:
        raise ValidationError(
            _("Kế hoạch địa phương phải được trình trước khi phê duyệt.")
            if plan.is_local and plan.status == PlanStatus.DRAFT
            else _("Kế hoạch %(number)s đã ban hành.") % {"number": plan.number}
        )
    problems = _ready_errors(plan)
    if problems:
        raise ValidationError(problems)
    plan.status = PlanStatus.PUBLISHED
    plan.published_by, plan.published_at = actor, timezone.now()
    _bump(plan, "status", "published_by", "published_at")
    _audit(actor, request, AuditAction.UPDATE, "programme.plan", plan.pk, status=plan.status)
    if not plan.is_local:
        # Its yearly reporting cycles (section V of the plan) exist from publication on.
        from antoan.reports.services import ensure_cycles

        ensure_cycles(plan)
    return plan


@transaction.atomic
def plan_discard(*, actor: Any, plan: Plan, version: int, request: Any = None) -> None:
    """Throw away a draft (nothing has been recorded against a draft)."""
    _require_draft_builder(actor, plan)
    plan = _locked(plan, version)
    if plan.activities.exists() or plan.local_plans.exists():
        raise ValidationError(_("Kế hoạch này đã được dùng nên không xóa được."))
    pk = plan.pk
    ids = list(plan.tasks.values_list("pk", flat=True))
    Assignment.objects.filter(task_id__in=ids).delete()
    BudgetLine.objects.filter(plan=plan).delete()
    plan.objectives.all().delete()
    for t in sorted(plan.tasks.all(), key=lambda t: -t.depth):
        t.delete()
    plan.delete()
    _audit(actor, request, AuditAction.DELETE, "programme.plan", pk)
