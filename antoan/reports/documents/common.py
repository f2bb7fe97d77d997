"""What the consolidated report and the final review share: who issues them and how their
header reads, numbers written the Vietnamese way, indicator values as the report shows them,
and the figures of the activities under each task of a plan."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.core.documents import decree30
from antoan.core.permissions import grant
from antoan.indicators.models import Unit
from antoan.indicators.selectors.places import rollup
from antoan.places.models import Place
from antoan.programme.choices import PlanStatus
from antoan.programme.models import Activity, Plan, Spending, Task

# Words left out of a body's initials in the document's symbol ("Sở Văn hóa, Thể thao và Du
# lịch" → "SVHTTDL").
_NOT_INITIALLED = {"và", "-", "–", "&"}


def num(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """10.000.000 and 52,3: the Vietnamese way, whatever the page's language."""
    if value is None:
        return "—"
    return number_format(value, decimal_pos=decimals, force_grouping=True, use_l10n=True)


def fmt_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# --- The issuing body --------------------------------------------------------------------------


@dataclass
class Issuer:
    """Who signs the report and how the header names it."""

    agency: Agency | None
    parent_line: str  # "UBND TỈNH HƯNG YÊN"
    body_line: str  # "SỞ NỘI VỤ"
    symbol: str  # "SNV"
    place: str  # "Hưng Yên"
    province: Place | None


def plan_province(plan: Plan) -> Place | None:
    """Today's province of the plan's place (the province whose indicators it reports)."""
    roll = rollup()
    code = roll.province_of.get(plan.place_id)
    if code:
        return roll.provinces.get(code)
    # A province that ended without a recorded succession (Hưng Yên before 01/07/2025 kept
    # its code 33): today's province of the same code.
    place: Place | None = plan.place
    hops = 0
    while place is not None and place.level != Place.Level.PROVINCE and hops < 5:
        place = place.parent
        hops += 1
    return roll.provinces.get(place.code) if place is not None else None


def place_name(province: Place | None) -> str:
    """ "Hưng Yên" for "Tỉnh Hưng Yên": the place of the place-and-date line."""
    name = province.name if province else ""
    for prefix in ("Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "):
        name = name.removeprefix(prefix)
    return name


def lead_agency(plan: Plan, on: dt.date, user: Any = None) -> Agency | None:
    """The agency the plan's reports go to (section V), or who carries its duties on ``on``
    when it was dissolved (Sở LĐTBXH → Sở Nội vụ). Of several heirs, the one through which
    ``user`` reviews the reports, else the first (the heir of the main duties)."""
    from antoan.programme.services.plan_build import heirs

    if plan.report_to is None:
        return plan.issuing_agency
    found = heirs(plan.report_to, on) or [plan.report_to]
    if user is not None and len(found) > 1:
        membership = grant(user, Perm.REPORTS_REVIEW)
        if membership is not None and membership.agency in found:
            return membership.agency
    return found[0]


def short_name(agency: Agency, province: Place | None) -> str:
    """ "Sở Nội vụ" for "Sở Nội vụ tỉnh Hưng Yên": the header names the body without its
    province, which the line above gives."""
    name = agency.name.strip()
    if province is not None:
        suffix = " " + place_name(province)
        for word in (" tỉnh", " thành phố"):
            if name.lower().endswith((word + suffix).lower()):
                return name[: -len(word + suffix)].strip()
    return name


def parent_line(agency: Agency | None) -> str:
    """The superior body in upper case, "Ủy ban nhân dân" abbreviated "UBND" as the decree
    allows for common words."""
    parent = agency.parent if agency is not None else None
    if parent is None:
        return ""
    name = parent.name.strip()
    for long in ("Ủy ban nhân dân", "Uỷ ban nhân dân"):
        if name.lower().startswith(long.lower()):
            name = "UBND" + name[len(long) :]
    return name.upper()


def symbol(name: str) -> str:
    """The body's initials for the document's symbol: "Sở Nội vụ" → "SNV"."""
    words = name.replace(",", " ").split()
    return "".join(
        w[0].upper() for w in words if w.lower() not in _NOT_INITIALLED and w[0].isalpha()
    )


def issuer_of(plan: Plan, on: dt.date, user: Any = None) -> Issuer:
    province = plan_province(plan)
    agency = lead_agency(plan, on, user)
    body = short_name(agency, province) if agency is not None else ""
    return Issuer(
        agency=agency,
        parent_line=parent_line(agency),
        body_line=body.upper(),
        symbol=symbol(body),
        place=place_name(province),
        province=province,
    )


def number_line(issuer: Issuer, kind: str, number: str | None) -> str:
    """ "Số: ……/BC-SNV" until the document is registered: the number is given at issue.
    ``number`` may be the number alone ("125") or the whole "125/BC-SNV"."""
    symbol_part = f"{kind}-{issuer.symbol}" if issuer.symbol else kind
    if number and "/" in number:
        return f"Số: {number.strip()}"
    return f"Số: {(number or '').strip() or '……'}/{symbol_part}"


RECIPIENTS_DEFAULT = (
    "- UBND tỉnh;",
    "- Bộ Văn hóa, Thể thao và Du lịch;",
    "- Bộ Nội vụ;",
    "- Lưu: VT.",
)


def recipient_lines(recipients: list[str] | tuple[str, ...] | None) -> list[str]:
    return list(RECIPIENTS_DEFAULT if recipients is None else recipients)


# --- Indicator values --------------------------------------------------------------------------


def fmt_indicator(value: float | None, unit: str, *, suppressed: bool = False) -> str:
    """An indicator's value as the report prints it. A hidden small count is "số nhỏ, ẩn"."""
    if suppressed:
        return _("Ẩn (số nhỏ)")
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        return f"{num(value, 1)}%"
    if unit == Unit.COUNT:
        return num(round(value))
    return num(value, 1)


def fmt_target(value: Any, comparison: str, unit: str) -> str:
    if value is None:
        return "—"
    shown = num(value, 0 if float(value) == int(value) else 1)
    if unit in ("percent", "%"):
        shown += "%"
    sign = {">=": "≥", "<=": "≤"}.get(comparison, comparison)
    return f"{sign} {shown}".strip()


def table_widths(first: float, count: int) -> list[float]:
    """A first column of ``first`` of the text width, the rest shared equally."""
    width = decree30.text_width_mm()
    return [width * first] + [width * (1 - first) / count] * count


# --- Activities under tasks ---------------------------------------------------------------------


@dataclass
class TaskFigures:
    activities: int = 0
    participants: int = 0
    female: int = 0
    spent: int = 0
    ids: set[int] = field(default_factory=set)


def task_root(plan: Plan) -> Task | None:
    """The plan's first top-level item with children ("II. Nhiệm vụ và giải pháp"), as the
    report's template reads it."""
    for root in plan.tasks.filter(parent__isnull=True).order_by("order", "pk"):
        if root.children.exists():
            return root
    return None


def subtree(tasks: list[Task], root_id: int) -> list[Task]:
    """``root_id`` and everything under it, in plan order."""
    children: dict[int | None, list[Task]] = defaultdict(list)
    for t in tasks:
        children[t.parent_id].append(t)
    out: list[Task] = []
    stack = [root_id]
    ids = set()
    while stack:
        pk = stack.pop()
        ids.add(pk)
        stack.extend(c.pk for c in children[pk])
    out = [t for t in tasks if t.pk in ids]
    return out


def plan_activities(plan: Plan, start: dt.date, end: dt.date, agency_ids: set[int] | None = None):
    """The plan's activities begun from ``start`` to ``end``, with those of its published local
    plans; of ``agency_ids`` only, if given."""
    qs = Activity.objects.filter(
        Q(plan=plan) | Q(plan__parent=plan, plan__status=PlanStatus.PUBLISHED),
        start_date__gte=start,
        start_date__lte=end,
    )
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    return qs


def task_figures(plan: Plan, tasks: list[Task], activities: Any) -> dict[int, TaskFigures]:
    """For every task of ``tasks`` (a whole tree of the plan), the activities logged under it
    or its sub-tasks, each counted once per task. An activity of a commune's local plan counts
    under the provincial task its local task carries (``Task.carries``)."""
    rows = {
        r["pk"]: r for r in activities.values("pk", "participants_total", "participants_female")
    }
    spent = dict(
        Spending.objects.filter(activity_id__in=list(rows))
        .values("activity_id")
        .annotate(total=Sum("amount"))
        .values_list("activity_id", "total")
    )
    carried = dict(
        Task.objects.filter(
            plan__parent=plan, plan__status=PlanStatus.PUBLISHED, carries__isnull=False
        ).values_list("pk", "carries_id")
    )
    direct: dict[int, set[int]] = defaultdict(set)
    for task_id, activity_id in Activity.tasks.through.objects.filter(
        activity_id__in=list(rows)
    ).values_list("task_id", "activity_id"):
        direct[carried.get(task_id, task_id)].add(activity_id)
    under: dict[int, set[int]] = {t.pk: set(direct.get(t.pk, ())) for t in tasks}
    for t in sorted(tasks, key=lambda t: -t.depth):
        if t.parent_id in under:
            under[t.parent_id] |= under[t.pk]
    out = {}
    for t in tasks:
        ids = under[t.pk]
        out[t.pk] = TaskFigures(
            activities=len(ids),
            participants=sum(rows[i]["participants_total"] for i in ids),
            female=sum(rows[i]["participants_female"] for i in ids),
            spent=sum(spent.get(i, 0) for i in ids),
            ids=ids,
        )
    return out


def task_label(task: Task, limit: int = 120) -> str:
    label = task.label
    if len(label) > limit:
        label = label[: limit - 1].rstrip() + "…"
    return f"{task.code}. {label}"


def report_document(
    issuer: Any,
    subject: str,
    body: list[decree30.Block],
    *,
    number: str | None = None,
    day: dt.date | None = None,
    signer_title: str | None = None,
    signer_authority: str = "",
    signer_name: str = "",
    recipients: list[str] | None = None,
) -> decree30.Document:
    """A report ("BC") of the lead department in the Decree 30 layout, around ``body``: the
    header, number, place and date, signer and recipients both documents share."""
    return decree30.Document(
        issuing_body=issuer.body_line,
        parent_body=issuer.parent_line,
        number=number_line(issuer, "BC", number),
        subject=subject,
        day=day or timezone.localdate(),
        place=issuer.place,
        body=body,
        signer_authority=signer_authority,
        signer_title=_("Giám đốc") if signer_title is None else signer_title,
        signer_name=signer_name,
        recipients=recipient_lines(recipients),
        page_numbers=True,
    )
