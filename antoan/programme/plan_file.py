"""A published plan as a plan file: the YAML shape ``load_plan`` reads (docs/programme.md).

Loading the exported file on another installation gives the same plan: its header, objectives,
task tree and assignments, and the agencies they name (with where dissolved agencies' duties
went). Local plans are not plan files (they are built in the app), so only provincial plans
export.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from antoan.accounts.models import Agency
from antoan.programme.models import Assignment, DutyTransfer, Plan


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _agency(agency: Agency, transfers_out: list[DutyTransfer]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "code": agency.code,
        "name": agency.name,
        "kind": agency.kind,
        "place": agency.place.code,
    }
    if agency.valid_to:
        spec["valid_to"] = agency.valid_to
    transfers = [
        {"to": t.to_agency.code, "since": t.since, **({"duties": t.duties} if t.duties else {})}
        for t in transfers_out
    ]
    if transfers:
        spec["transfers"] = transfers
    return spec


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as the plain data of its file."""
    header: dict[str, Any] = {
        "code": plan.code,
        "number": plan.number,
        "title": plan.title,
        "issued_on": plan.issued_on,
        "place": plan.place.code,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
    }
    if plan.issuing_agency:
        header["issuing_body"] = plan.issuing_agency.code
    for name in ("implements", "signer", "signer_title", "budget_text"):
        if getattr(plan, name):
            header[name] = getattr(plan, name)
    reporting: dict[str, Any] = {}
    if plan.report_to:
        reporting["report_to"] = plan.report_to.code
    if plan.report_due_month:
        reporting["due_month"] = plan.report_due_month
    if plan.report_due_day:
        reporting["due_day"] = plan.report_due_day
    if plan.report_text:
        reporting["text"] = plan.report_text
    if reporting:
        header["reporting"] = reporting

    objectives = []
    for o in plan.objectives.all():
        item: dict[str, Any] = {"code": o.code, "text": o.text}
        if o.indicator_code:
            item["indicator"] = o.indicator_code
        target: dict[str, Any] = {}
        if o.target_value is not None:
            target["value"] = _number(o.target_value)
        given = {"comparison": o.target_comparison, "unit": o.target_unit, "year": o.target_year}
        target.update({key: value for key, value in given.items() if value})
        if target:
            item["target"] = target
        objectives.append(item)

    assignments: dict[int, list[Assignment]] = {}
    agencies: dict[int, Agency] = {}
    for a in (
        Assignment.objects.filter(task__plan=plan)
        .select_related("agency__place")
        .order_by("task__order", "role", "pk")
    ):
        assignments.setdefault(a.task_id, []).append(a)
        if a.agency:
            agencies[a.agency.pk] = a.agency
    for extra in (plan.issuing_agency, plan.report_to):
        if extra is not None:
            agencies[extra.pk] = extra
    # Heirs of dissolved agencies are named by their transfers: export them too.
    transfers: dict[int, list[DutyTransfer]] = {}
    for t in DutyTransfer.objects.filter(from_agency_id__in=list(agencies)).select_related(
        "to_agency__place"
    ):
        agencies.setdefault(t.to_agency.pk, t.to_agency)
        transfers.setdefault(t.from_agency_id, []).append(t)

    code_of = dict(plan.tasks.values_list("pk", "code"))
    tasks = []
    for t in plan.tasks.order_by("order"):
        item = {"code": t.code}
        if t.parent_id:
            item["parent"] = code_of[t.parent_id]
        if t.title:
            item["title"] = t.title
        if t.text:
            item["text"] = t.text
        rows = []
        for a in assignments.get(t.pk, []):
            row: dict[str, Any] = {"role": a.role}
            if a.agency:
                row["agency"] = a.agency.code
            else:
                row["group"] = a.group
            if a.label:
                row["label"] = a.label
            if a.basis:
                row["basis"] = a.basis
            rows.append(row)
        if rows:
            item["assignments"] = rows
        tasks.append(item)
    return {
        "plan": header,
        "agencies": [
            _agency(a, transfers.get(a.pk, []))
            for a in sorted(agencies.values(), key=lambda a: a.code)
        ],
        "objectives": objectives,
        "tasks": tasks,
    }


def plan_yaml(plan: Plan) -> str:
    """The plan file's text (UTF-8, Vietnamese kept as is)."""
    return yaml.safe_dump(plan_document(plan), allow_unicode=True, sort_keys=False, width=100)
