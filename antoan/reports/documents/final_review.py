"""The final review of a plan (e.g. plan 64/KH-UBND, 2021-2025) as a Decree 30 report: each
objective against what was reached year by year, each task's activities and spending year by
year, and the tasks no agency reported any activity on.

Years are calendar years (01/01-31/12), cut to the plan's period: the plan's years and its
targets are calendar years ("các chỉ tiêu đến năm 2025"). Indicator values are the engine's
``period=year`` values for the plan's province, what ``GET /api/v1/indicators/values?year=Y``
answers, small counts hidden. Activities are all those recorded under the plan and its
published local plans (a commune's activity counts for the provincial task its local task
carries), each counted once per task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from antoan.core.documents import decree30
from antoan.indicators.selectors.values import Calculator, Value, parse_query, threshold
from antoan.places.models import Place
from antoan.programme.models import Objective, Plan, Task
from antoan.reports.documents.common import (
    Issuer,
    TaskFigures,
    fmt_indicator,
    fmt_target,
    issuer_of,
    num,
    plan_activities,
    report_document,
    subtree,
    task_figures,
    task_label,
    task_root,
)


@dataclass
class ObjectiveRow:
    objective: Objective
    unit: str  # the indicator's unit ("percent"), "" without an indicator
    values: dict[int, Value | None]  # by year; None: no indicator, or the year not begun

    def shown(self, year: int) -> str:
        v = self.values.get(year)
        if v is None:
            return "—"
        return fmt_indicator(v.value, self.unit, suppressed=v.suppressed)

    @property
    def target(self) -> str:
        o = self.objective
        if o.target_value is None:
            return "—"
        return fmt_target(o.target_value, o.target_comparison, o.target_unit or self.unit)

    def reached(self) -> Value | None:
        """The value of the target's year, else the last year with a value."""
        o = self.objective
        if o.target_year and self.values.get(o.target_year) is not None:
            return self.values[o.target_year]
        for year in sorted(self.values, reverse=True):
            v = self.values[year]
            if v is not None and (v.value is not None or v.suppressed):
                return v
        return None

    @property
    def assessment(self) -> str:
        o = self.objective
        if not o.indicator_code:
            return _("Không có chỉ số đo")
        v = self.reached()
        if v is None or o.target_value is None:
            return _("Chưa đủ số liệu")
        if v.suppressed:
            return _("Không đánh giá (số nhỏ)")
        if v.value is None:
            return _("Chưa đủ số liệu")
        return _("Đạt") if meets(v.value, o.target_value, o.target_comparison) else _("Chưa đạt")


def meets(value: float, target: Decimal | float, comparison: str) -> bool:
    goal = float(target)
    return {
        ">=": value >= goal,
        ">": value > goal,
        "=": value >= goal,  # "100%" is reached at 100
        "<=": value <= goal,
        "<": value < goal,
    }.get(comparison or ">=", value >= goal)


@dataclass
class TaskYears:
    task: Task
    by_year: dict[int, TaskFigures]
    whole: TaskFigures


@dataclass
class FinalReview:
    plan: Plan
    issuer: Issuer
    subject: str
    years: list[int]
    started: list[int]  # the years that have begun (values exist)
    objectives: list[ObjectiveRow]
    tasks: list[TaskYears]
    totals: dict[int, TaskFigures]  # every activity of the plan, by year
    whole: TaskFigures
    not_reported: list[Task]


def year_span(plan: Plan, year: int) -> tuple[dt.date, dt.date]:
    return max(plan.period_start, dt.date(year, 1, 1)), min(plan.period_end, dt.date(year, 12, 31))


def indicator_values(
    province: Place | None, codes: list[str], years: list[int]
) -> dict[int, dict[str, Value]]:
    """``{year: {code: value}}`` for the province, ``period=year``; a year that has not begun
    (or one the engine refuses) is left out."""
    out: dict[int, dict[str, Value]] = {}
    if province is None or not codes:
        return out
    for year in years:
        try:
            query = parse_query(
                province, {"year": str(year), "period": "year", "code": ",".join(codes)}
            )
        except ValidationError:
            continue
        out[year] = {v.indicator.code: v for v in Calculator(query).values()}
    return out


def _activity_totals(plan: Plan, start: dt.date, end: dt.date) -> TaskFigures:
    from django.db.models import Count, Sum

    from antoan.programme.models import Spending

    activities = plan_activities(plan, start, end)
    agg = activities.aggregate(
        n=Count("pk"), people=Sum("participants_total"), female=Sum("participants_female")
    )
    spent = Spending.objects.filter(activity__in=activities).aggregate(t=Sum("amount"))["t"]
    return TaskFigures(
        activities=agg["n"] or 0,
        participants=agg["people"] or 0,
        female=agg["female"] or 0,
        spent=spent or 0,
    )


def final_review_data(plan: Plan, *, user: Any = None) -> FinalReview:
    today = timezone.localdate()
    years = list(range(plan.period_start.year, plan.period_end.year + 1))
    issuer = issuer_of(plan, min(plan.period_end, today), user)
    objectives = list(plan.objectives.order_by("order", "pk"))
    codes = sorted({o.indicator_code for o in objectives if o.indicator_code})
    values = indicator_values(issuer.province, codes, years)
    rows = [
        ObjectiveRow(
            objective=o,
            unit=next(
                (
                    v.indicator.unit
                    for y in values.values()
                    for c, v in y.items()
                    if c == o.indicator_code
                ),
                "",
            ),
            values={
                y: values.get(y, {}).get(o.indicator_code) if o.indicator_code else None
                for y in years
            },
        )
        for o in objectives
    ]

    all_tasks = list(plan.tasks.order_by("order", "pk"))
    root = task_root(plan)
    tree = subtree(all_tasks, root.pk) if root is not None else all_tasks
    shown = [t for t in tree if root is None or t.pk != root.pk]
    by_year = {
        y: task_figures(plan, tree, plan_activities(plan, *year_span(plan, y))) for y in years
    }
    whole = task_figures(plan, tree, plan_activities(plan, plan.period_start, plan.period_end))
    silent = {t.pk for t in shown if whole[t.pk].activities == 0}
    not_reported = [t for t in shown if t.pk in silent and t.parent_id not in silent]
    return FinalReview(
        plan=plan,
        issuer=issuer,
        subject=_("Tổng kết thực hiện Kế hoạch số %(number)s giai đoạn %(start)s-%(end)s")
        % {"number": plan.number, "start": years[0], "end": years[-1]},
        years=years,
        started=[y for y in years if y in values or dt.date(y, 1, 1) <= today],
        objectives=rows,
        tasks=[TaskYears(t, {y: by_year[y][t.pk] for y in years}, whole[t.pk]) for t in shown],
        totals={y: _activity_totals(plan, *year_span(plan, y)) for y in years},
        whole=_activity_totals(plan, plan.period_start, plan.period_end),
        not_reported=not_reported,
    )


# --- The document ------------------------------------------------------------------------------


def _millions(amount: int) -> str:
    return num(Decimal(amount) / Decimal(1_000_000), 1)


def _year_widths(first: list[float], years: int, last: list[float]) -> list[float]:
    width = decree30.text_width_mm()
    rest = width * (1 - sum(first) - sum(last)) / years
    return [width * f for f in first] + [rest] * years + [width * f for f in last]


def build_final_review_document(
    data: FinalReview,
    *,
    number: str | None = None,
    day: dt.date | None = None,
    signer_title: str | None = None,
    signer_authority: str = "",
    signer_name: str = "",
    recipients: list[str] | None = None,
) -> decree30.Document:
    plan, years = data.plan, data.years
    year_heads = [str(y) for y in years]
    body: list[decree30.Block] = [
        decree30.Paragraph(
            _(
                "Thực hiện Kế hoạch số %(number)s ngày %(issued)s của %(issuer)s về %(title)s, "
                "%(body)s báo cáo tổng kết kết quả thực hiện giai đoạn %(start)s-%(end)s như sau:"
            )
            % {
                "number": plan.number,
                "issued": plan.issued_on.strftime("%d/%m/%Y"),
                "issuer": plan.issuing_agency.name if plan.issuing_agency else "",
                "title": plan.title[:1].lower() + plan.title[1:],
                "body": data.issuer.agency.name if data.issuer.agency else "",
                "start": years[0],
                "end": years[-1],
            }
        ),
        decree30.Heading(_("I. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU")),
        decree30.Paragraph(
            _(
                "Giá trị các chỉ số theo từng năm dương lịch (từ ngày 01/01 đến ngày 31/12), tính "
                "từ hồ sơ trên hệ thống cho toàn tỉnh; các số nhỏ (dưới %(n)s) được ẩn. Năm chưa "
                "bắt đầu, hoặc mục tiêu không có chỉ số đo, ghi “—”."
            )
            % {"n": threshold()}
        ),
    ]
    rows = [[_("Mục"), _("Mục tiêu, chỉ tiêu"), _("Chỉ tiêu"), *year_heads, _("Đánh giá")]]
    rows += [
        [
            r.objective.code,
            r.objective.text,
            r.target,
            *(r.shown(y) for y in years),
            r.assessment,
        ]
        for r in data.objectives
    ]
    body.append(
        decree30.Table(
            rows, widths_mm=_year_widths([0.08, 0.3, 0.1], len(years), [0.13]), numeric_from=2
        )
    )

    body += [
        decree30.Heading(_("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ")),
        decree30.Heading(_("1. Tổng hợp theo năm")),
    ]
    summary = [[_("Năm"), _("Số hoạt động"), _("Lượt người tham gia"), _("Kinh phí đã chi (đồng)")]]
    for y in years:
        f = data.totals[y]
        summary.append([str(y), num(f.activities), num(f.participants), num(f.spent)])
    w = data.whole
    summary.append([_("Cả giai đoạn"), num(w.activities), num(w.participants), num(w.spent)])
    width = decree30.text_width_mm()
    body.append(decree30.Table(summary, widths_mm=[width * 0.25] + [width * 0.25] * 3))

    body.append(decree30.Heading(_("2. Số hoạt động theo nhiệm vụ và năm")))
    activity_rows = [[_("Nhiệm vụ"), *year_heads, _("Cả giai đoạn")]]
    money_rows = [[_("Nhiệm vụ"), *year_heads, _("Cả giai đoạn")]]
    for t in data.tasks:
        label = task_label(t.task, 70)
        activity_rows.append(
            [label, *(num(t.by_year[y].activities) for y in years), num(t.whole.activities)]
        )
        money_rows.append(
            [label, *(_millions(t.by_year[y].spent) for y in years), _millions(t.whole.spent)]
        )
    widths = _year_widths([0.34], len(years), [0.13])
    body.append(decree30.Table(activity_rows, widths_mm=widths))
    body.append(decree30.Heading(_("3. Kinh phí đã chi theo nhiệm vụ và năm (triệu đồng)")))
    body.append(decree30.Table(money_rows, widths_mm=widths))

    body.append(decree30.Heading(_("III. NHIỆM VỤ CHƯA CÓ CƠ QUAN, ĐỊA PHƯƠNG NÀO BÁO CÁO")))
    if data.not_reported:
        body.append(
            decree30.Paragraph(
                _(
                    "Trong cả giai đoạn, chưa có hoạt động nào được ghi nhận cho các nhiệm vụ sau "
                    "(một nhiệm vụ chưa có hoạt động thì các nội dung con của nó cũng chưa có):"
                )
            )
        )
        body += [decree30.Paragraph(f"- {task_label(t, 200)}") for t in data.not_reported]
    else:
        body.append(decree30.Paragraph(_("Nhiệm vụ nào cũng có hoạt động được ghi nhận.")))
    body += [
        decree30.Heading(_("IV. ĐÁNH GIÁ CHUNG")),
        decree30.Paragraph(
            _("(Cơ quan chủ trì bổ sung kết quả nổi bật, tồn tại, hạn chế và nguyên nhân.)"),
            italic=True,
        ),
        decree30.Heading(_("V. ĐỀ XUẤT, KIẾN NGHỊ")),
        decree30.Paragraph(
            _("(Cơ quan chủ trì bổ sung đề xuất, kiến nghị cho giai đoạn tiếp theo.)"),
            italic=True,
        ),
    ]
    return report_document(
        data.issuer,
        data.subject,
        body,
        number=number,
        day=day,
        signer_title=signer_title,
        signer_authority=signer_authority,
        signer_name=signer_name,
        recipients=recipients,
    )


def final_review_docx(plan: Plan, *, user: Any = None, **options: Any) -> bytes:
    """The plan's final review as a .docx (options as ``consolidated_docx``)."""
    with translation.override(settings.LANGUAGE_CODE):
        data = final_review_data(plan, user=user)
        return decree30.build_docx(build_final_review_document(data, **options))


def final_review_pdf(plan: Plan, *, user: Any = None, **options: Any) -> bytes:
    from antoan.reports.documents.pdf import docx_to_pdf

    return docx_to_pdf(final_review_docx(plan, user=user, **options))


def final_review_filename(plan: Plan, ext: str) -> str:
    """ "bao-cao-tong-ket-64-kh-ubnd-2021-2025.docx" """
    slug = slugify(plan.number.replace("/", "-")) or str(plan.pk)
    return f"bao-cao-tong-ket-{slug}-{plan.period_start.year}-{plan.period_end.year}.{ext}"
