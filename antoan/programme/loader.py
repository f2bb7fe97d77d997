"""Load a plan from its YAML file (``data/plans/*.yaml``; format in docs/programme.md).

Idempotent: loading the same file twice changes nothing. Agencies the plan names are created
when missing and never overwritten (an administrator may have corrected a name). Tasks the file
no longer lists are removed unless activities were logged against them; then loading stops
with an error, because losing who did what is worse than a stale task.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from antoan.accounts.models import Agency
from antoan.places.models import Place
from antoan.programme.choices import AssignmentRole
from antoan.programme.models import Assignment, DutyTransfer, Objective, Plan, Task


class PlanFileError(Exception):
    """The plan file is malformed; the message says where."""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    agencies_created: list[str] = field(default_factory=list)

    def count(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PlanFileError(f"{where}: not a date: {value!r}") from None


def _place(code: str, on: dt.date, where: str) -> Place:
    place = Place.objects.valid_on(on).filter(code=code, level="province").first()
    if place is None:
        place = Place.objects.filter(code=code, level="province").order_by("-valid_from").first()
    if place is None:
        raise PlanFileError(f"{where}: no province with code {code!r}; run load_places first")
    return place


def _upsert(model: type, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, bool, bool]:
    """update_or_create that reports whether anything actually changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        return obj, True, False
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


def read_plan_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlanFileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not {"plan", "agencies", "tasks"} <= set(data):
        raise PlanFileError(f"{path}: expected the keys plan, agencies, objectives, tasks")
    return data


def _agencies(data: dict[str, Any], plan_place_code: str, result: LoadResult) -> dict[str, Agency]:
    specs = {a["code"]: a for a in data["agencies"]}
    agencies: dict[str, Agency] = {}
    for code, spec in specs.items():
        valid_to = _date(spec["valid_to"], f"agency {code}") if spec.get("valid_to") else None
        place = _place(
            str(spec.get("place", plan_place_code)), valid_to or timezone.localdate(), code
        )
        if spec.get("kind") not in Agency.Kind.values:
            raise PlanFileError(f"agency {code}: unknown kind {spec.get('kind')!r}")
        agency, created = Agency.objects.get_or_create(
            code=code,
            defaults={
                "name": _nfc(spec["name"]),
                "kind": spec["kind"],
                "place": place,
                "valid_to": valid_to,
            },
        )
        if created:
            result.agencies_created.append(code)
        agencies[code] = agency
    for code, spec in specs.items():
        for t in spec.get("transfers", []):
            if t["to"] not in agencies:
                raise PlanFileError(f"agency {code}: transfer to unknown agency {t['to']!r}")
            _, created, changed = _upsert(
                DutyTransfer,
                {"from_agency": agencies[code], "to_agency": agencies[t["to"]]},
                {
                    "since": _date(t["since"], f"agency {code} transfer"),
                    "duties": _nfc(t.get("duties", "")),
                },
            )
            result.count(created, changed)
            if agencies[code].successor_id is None and created:
                # The first heir is the agency's successor for everything that has only one.
                agencies[code].successor = agencies[t["to"]]
                agencies[code].save(update_fields=["successor"])
    return agencies


@transaction.atomic
def load_plan(path: Path) -> tuple[Plan, LoadResult]:
    """Create or bring up to date the plan in ``path``."""
    data = read_plan_file(path)
    result = LoadResult()
    p = data["plan"]
    agencies = _agencies(data, str(p["place"]), result)

    def agency(code: str | None, where: str) -> Agency | None:
        if code is None:
            return None
        if code not in agencies:
            raise PlanFileError(f"{where}: unknown agency {code!r}")
        return agencies[code]

    reporting = p.get("reporting", {})
    issued_on = _date(p["issued_on"], "plan.issued_on")
    plan, created, changed = _upsert(
        Plan,
        {"code": p["code"]},
        {
            "number": _nfc(p["number"]),
            "title": _nfc(p["title"]),
            "issuing_agency": agency(p.get("issuing_body"), "plan.issuing_body"),
            "issued_on": issued_on,
            "place": _place(str(p["place"]), issued_on, "plan.place"),
            "period_start": _date(p["period_start"], "plan.period_start"),
            "period_end": _date(p["period_end"], "plan.period_end"),
            "implements": _nfc(p.get("implements", "")),
            "signer": _nfc(p.get("signer", "")),
            "signer_title": _nfc(p.get("signer_title", "")),
            "budget_text": _nfc(p.get("budget_text", "")),
            "report_to": agency(reporting.get("report_to"), "plan.reporting.report_to"),
            "report_due_month": reporting.get("due_month"),
            "report_due_day": reporting.get("due_day"),
            "report_text": _nfc(reporting.get("text", "")),
            "source_file": path.name,
        },
    )
    result.count(created, changed)

    codes = []
    for order, o in enumerate(data.get("objectives", [])):
        target = o.get("target") or {}
        codes.append(o["code"])
        _, created, changed = _upsert(
            Objective,
            {"plan": plan, "code": o["code"]},
            {
                "text": _nfc(o["text"]),
                "indicator_code": o.get("indicator", ""),
                "target_value": Decimal(str(target["value"])) if "value" in target else None,
                "target_comparison": target.get("comparison", ""),
                "target_unit": target.get("unit", ""),
                "target_year": target.get("year"),
                "order": order,
            },
        )
        result.count(created, changed)
    result.removed += plan.objectives.exclude(code__in=codes).delete()[0]

    _tasks(plan, data["tasks"], agency, result)
    return plan, result


def _changed(obj: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on an existing row and save it if any differs."""
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed:
        obj.save(update_fields=[k.removesuffix("_id") for k in changed])
    return bool(changed)


def _tasks(plan: Plan, specs: list[dict[str, Any]], agency: Any, result: LoadResult) -> None:
    # Rows are read once and compared in memory: a plan has hundreds of tasks and
    # assignments, and the loader runs on every `make run` (and in every test that needs it).
    existing = {t.code: t for t in plan.tasks.all()}
    old_assignments = {
        (a.task_id, a.agency_id, a.group): a for a in Assignment.objects.filter(task__plan=plan)
    }
    tasks: dict[str, Task] = {}
    new_assignments: list[Assignment] = []
    kept: set[int] = set()
    for order, spec in enumerate(specs):
        code = str(spec["code"])
        if code in tasks:
            raise PlanFileError(f"task {code}: listed twice")
        parent = None
        if spec.get("parent"):
            parent = tasks.get(str(spec["parent"]))
            if parent is None:
                raise PlanFileError(f"task {code}: parent {spec['parent']!r} must come before it")
        if not spec.get("title") and not spec.get("text"):
            raise PlanFileError(f"task {code}: needs a title or a text")
        values = {
            "parent_id": parent.pk if parent else None,
            "title": _nfc(spec.get("title", "")),
            "text": _nfc(spec.get("text", "")),
            "order": order,
            "depth": parent.depth + 1 if parent else 0,
        }
        task = existing.get(code)
        if task is None:
            task = Task(plan=plan, code=code, **values)
            task.save()
            result.created += 1
        elif _changed(task, values):
            result.updated += 1
        tasks[code] = task

        for a in spec.get("assignments", []):
            where = f"task {code} assignment"
            if a.get("role") not in AssignmentRole.values:
                raise PlanFileError(f"{where}: role must be lead or support")
            group = a.get("group", "")
            if group and group not in Agency.Kind.values:
                raise PlanFileError(f"{where}: unknown group {group!r}")
            if bool(group) == bool(a.get("agency")):
                raise PlanFileError(f"{where}: give either an agency or a group")
            assignee = agency(a.get("agency"), where)
            values = {
                "role": a["role"],
                "basis": str(a.get("basis", "")),
                "label": _nfc(a.get("label", "")),
            }
            old = old_assignments.get((task.pk, assignee.pk if assignee else None, group))
            if old is None:
                new_assignments.append(
                    Assignment(task=task, agency=assignee, group=group, **values)
                )
            else:
                kept.add(old.pk)
                if _changed(old, values):
                    result.updated += 1
    # Assignments of tasks still in the file that the file no longer lists (those of removed
    # tasks go with their task below).
    listed = {t.pk for t in tasks.values()}
    gone = [a.pk for a in old_assignments.values() if a.pk not in kept and a.task_id in listed]
    result.removed += Assignment.objects.filter(pk__in=gone).delete()[0]
    Assignment.objects.bulk_create(new_assignments)
    result.created += len(new_assignments)

    stale = plan.tasks.exclude(code__in=list(tasks)).order_by("-depth")
    used = [t.code for t in stale if t.activities.exists()]
    if used:
        raise PlanFileError(
            "tasks with logged activities are missing from the file: " + ", ".join(used)
        )
    for task in stale:
        task.assignments.all().delete()
        task.status_changes.all().delete()
        task.delete()
        result.removed += 1
