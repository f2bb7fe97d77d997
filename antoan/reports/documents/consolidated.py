"""The lead department's consolidated report of a cycle: what the agencies reported, added up,
with the indicators against the plan's targets, as a draft in the layout of Decree
30/2020/NĐ-CP (``antoan.core.documents.decree30``) for the department to number, sign and send.

Where each number comes from:

- Completeness: the cycle's required agencies against their live submissions. A submission
  submitted, resubmitted or accepted (``choices.IN_HAND``) counts as received; on time or late
  as the submission says; a returned one awaits its correction; the others are missing.
- Activities and budget: the sum of the received submissions' figures (what the reporters
  typed for the editable columns; the budget's planned and allocated columns from the records
  the submission was checked against).
- Cases: never the sum of the agencies' suppressed figures. Each shown figure is taken as
  shown, each hidden one is counted again from the records, and the total is protected like an
  indicator's margin (``suppression.protect_line``): with a single hidden agency the total
  would give its figure away, so the total is hidden too.
- Indicators: the indicators engine for the plan's province and the reporting year
  (``period=reporting`` of the cycle's year), exactly what ``GET /api/v1/indicators/values``
  answers for it, small counts hidden.
- Results by section: the activities of the agencies whose report is in hand (their
  activities of the period are frozen), under each group of tasks of section II; a commune's
  activity under its local plan counts for the provincial task it carries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.cases.models import Case
from antoan.core.documents import decree30
from antoan.indicators.periods import Period, period_for
from antoan.indicators.selectors.values import Calculator, parse_query, threshold
from antoan.indicators.suppression import TOTAL, protect_line
from antoan.places.models import Place
from antoan.programme.models import Plan, Task
from antoan.referrals.models import Referral
from antoan.reports.choices import IN_HAND, SubmissionStatus
from antoan.reports.documents.common import (
    Issuer,
    TaskFigures,
    fmt_date,
    fmt_indicator,
    fmt_target,
    issuer_of,
    num,
    plan_activities,
    report_document,
    subtree,
    table_widths,
    task_figures,
    task_label,
    task_root,
)
from antoan.reports.models import Cycle, Submission
from antoan.reports.prefill import _aware
from antoan.reports.template import TABLES, sections_of

MISSING = "missing"


# --- The data ----------------------------------------------------------------------------------


@dataclass
class AgencyStatus:
    agency: Agency
    status: str  # a SubmissionStatus, or MISSING when there is no live submission
    label: str
    submitted_at: dt.datetime | None = None
    late: bool = False
    required: bool = True

    @property
    def received(self) -> bool:
        return self.status in IN_HAND


@dataclass
class Completeness:
    rows: list[AgencyStatus]

    def _count(self, test) -> int:
        return sum(1 for r in self.rows if test(r))

    @property
    def required(self) -> int:
        return self._count(lambda r: r.required)

    @property
    def received(self) -> int:
        return self._count(lambda r: r.required and r.received)

    @property
    def on_time(self) -> int:
        return self._count(lambda r: r.required and r.received and not r.late)

    @property
    def late(self) -> int:
        return self._count(lambda r: r.required and r.received and r.late)

    @property
    def returned(self) -> int:
        return self._count(lambda r: r.required and r.status == SubmissionStatus.RETURNED)

    @property
    def missing(self) -> int:
        return self.required - self.received - self.returned

    @property
    def missing_agencies(self) -> list[Agency]:
        """Required agencies with nothing in hand: no report, or a draft not sent."""
        return [
            r.agency
            for r in self.rows
            if r.required and not r.received and r.status != SubmissionStatus.RETURNED
        ]

    @property
    def returned_agencies(self) -> list[Agency]:
        return [r.agency for r in self.rows if r.required and r.status == SubmissionStatus.RETURNED]

    @property
    def extra(self) -> int:
        """Reports received from agencies the cycle no longer requires."""
        return self._count(lambda r: not r.required and r.received)


@dataclass
class FigureTable:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[tuple[str, str, dict[str, int | None]]]  # (key, label, cells)
    total: dict[str, int | None]


@dataclass
class IndicatorRow:
    code: str
    name: str
    unit: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: float | None
    comparison: str
    target_year: int | None
    suppressed: bool
    note: str
    meets: bool | None

    @property
    def shown(self) -> str:
        return fmt_indicator(self.value, self.unit, suppressed=self.suppressed)

    @property
    def target_shown(self) -> str:
        return fmt_target(self.target, self.comparison, self.unit)

    @property
    def assessment(self) -> str:
        if self.suppressed:
            return _("Không đánh giá (số nhỏ)")
        if self.target is None:
            return ""
        if self.meets is None:
            return _("Chưa đủ số liệu")
        return _("Đạt") if self.meets else _("Chưa đạt")


@dataclass
class SectionTable:
    task: Task
    title: str
    rows: list[tuple[Task, TaskFigures]]  # the tasks under the section
    total: TaskFigures


@dataclass
class NarrativeSection:
    key: str
    title: str
    task_code: str
    texts: list[tuple[str, str]]  # (agency name, text), in agency order


@dataclass
class Consolidated:
    cycle: Cycle
    plan: Plan
    issuer: Issuer
    subject: str
    completeness: Completeness
    activities: FigureTable
    budget: FigureTable
    cases: FigureTable
    indicator_period: Period
    indicators: list[IndicatorRow]
    indicator_note: str
    sections: list[SectionTable]
    narratives: list[NarrativeSection]
    received: list[Submission] = field(default_factory=list)

    @property
    def missing(self) -> list[Agency]:
        return self.completeness.missing_agencies


def agency_order(agency: Agency) -> tuple[bool, str]:
    """Provincial bodies first, then the communes, each by name."""
    return (agency.place.level == Place.Level.COMMUNE, agency.name)


def _status_label(status: str) -> str:
    if status == MISSING:
        return _("Chưa nộp")
    if status == SubmissionStatus.DRAFT:
        return _("Đang soạn, chưa nộp")
    return str(SubmissionStatus(status).label)


def completeness_of(cycle: Cycle, live: list[Submission]) -> Completeness:
    required = {a.pk: a for a in cycle.agencies.select_related("place")}
    by_agency = {s.agency_id: s for s in live}
    rows = []
    agencies = {**required, **{s.agency_id: s.agency for s in live}}
    for agency in sorted(agencies.values(), key=agency_order):
        sub = by_agency.get(agency.pk)
        if sub is None and agency.pk not in required:
            continue
        status = sub.status if sub is not None else MISSING
        rows.append(
            AgencyStatus(
                agency=agency,
                status=status,
                label=_status_label(status),
                submitted_at=sub.first_submitted_at if sub is not None else None,
                late=bool(sub and sub.late and sub.status in IN_HAND),
                required=agency.pk in required,
            )
        )
    return Completeness(rows)


def _cell(sub: Submission, table: str, row: str, col: str) -> int:
    """A received submission's figure: typed for an editable column, else as recorded."""
    source = sub.figures if col in TABLES[table]["editable"] else sub.recorded
    value = source.get(table, {}).get(row, {}).get(col)
    return int(value or 0)


def summed_table(table: str, received: list[Submission]) -> FigureTable:
    spec = TABLES[table]
    columns = [(key, str(label)) for key, label in spec["columns"]]
    rows = []
    total: dict[str, int | None] = dict.fromkeys((k for k, _l in columns), 0)
    for row, label in spec["rows"]:
        cells: dict[str, int | None] = {}
        for col, _label in columns:
            value = sum(_cell(sub, table, row, col) for sub in received)
            cells[col] = value
            total[col] = (total[col] or 0) + value
        rows.append((row, str(label), cells))
    return FigureTable(table, str(spec["title"]), columns, rows, total)


def raw_case_counts(cycle: Cycle, agency_ids: list[int]) -> dict[int, dict[str, int]]:
    """The agencies' case figures of the period as counted, before suppression (the same
    counts as ``prefill.case_figures``). Stays inside this module: only totals leave it."""
    start, end = _aware(cycle.period_start), _aware(cycle.period_end + dt.timedelta(days=1))
    out: dict[int, dict[str, int]] = {
        pk: dict.fromkeys(
            ("cases_opened", "cases_closed", "referrals_sent", "referrals_received"), 0
        )
        for pk in agency_ids
    }
    queries = {
        "cases_opened": (
            Case.objects.filter(agency_id__in=agency_ids, opened_at__gte=start, opened_at__lt=end),
            "agency_id",
        ),
        "cases_closed": (
            Case.objects.filter(agency_id__in=agency_ids, closed_at__gte=start, closed_at__lt=end),
            "agency_id",
        ),
        "referrals_sent": (
            Referral.objects.filter(
                from_agency_id__in=agency_ids, sent_at__gte=start, sent_at__lt=end
            ),
            "from_agency_id",
        ),
        "referrals_received": (
            Referral.objects.filter(
                to_agency_id__in=agency_ids, sent_at__gte=start, sent_at__lt=end
            ),
            "to_agency_id",
        ),
    }
    for key, (qs, column) in queries.items():
        for row in qs.values(column).annotate(n=Count("pk")):
            out[row[column]][key] = row["n"]
    return out


def case_table(cycle: Cycle, received: list[Submission]) -> FigureTable:
    """The received agencies' case work, total only, protected (see the module's doc)."""
    spec = TABLES["cases"]
    hidden_agencies = [
        sub.agency_id
        for sub in received
        if any(
            (sub.recorded.get("cases", {}).get(row, {}) or {}).get("value", 0) is None
            for row, _l in spec["rows"]
        )
    ]
    raw = raw_case_counts(cycle, hidden_agencies) if hidden_agencies else {}
    rows = []
    low = threshold()
    for row, label in spec["rows"]:
        values: dict[Any, int] = {}
        fixed: dict[Any, bool] = {}
        for sub in received:
            stored = (sub.recorded.get("cases", {}).get(row, {}) or {}).get("value", 0)
            fixed[sub.agency_id] = stored is None
            values[sub.agency_id] = raw[sub.agency_id][row] if stored is None else int(stored)
        hidden = protect_line(values, threshold=low, fixed=fixed)
        value = None if TOTAL in hidden else sum(values.values())
        rows.append((row, str(label), {"value": value}))
    return FigureTable(
        "cases",
        str(spec["title"]),
        [(k, str(label)) for k, label in spec["columns"]],
        rows,
        {},
    )


def indicator_rows(province: Place | None, year: int) -> tuple[list[IndicatorRow], str]:
    """The province's indicators for the reporting year of ``year``: what the indicators API
    answers for ``?year=<year>&period=reporting``."""
    if province is None:
        return [], _("Không xác định được tỉnh của kế hoạch nên không tính được các chỉ số.")
    try:
        query = parse_query(province, {"year": str(year), "period": "reporting"})
    except ValidationError:
        return [], _("Kỳ báo cáo năm %(year)s chưa bắt đầu nên chưa có số liệu chỉ số.") % {
            "year": year
        }
    rows = []
    for v in Calculator(query).values():
        target = v.target
        rows.append(
            IndicatorRow(
                code=v.indicator.code,
                name=v.indicator.name,
                unit=v.indicator.unit,
                value=v.value,
                numerator=v.numerator,
                denominator=v.denominator,
                target=float(target.value) if target else None,
                comparison=target.comparison if target else "",
                target_year=target.year if target else None,
                suppressed=v.suppressed,
                note=v.note,
                meets=v.meets_target,
            )
        )
    return rows, ""


def section_tables(plan: Plan, cycle: Cycle, agency_ids: set[int]) -> list[SectionTable]:
    root = task_root(plan)
    if root is None:
        return []
    tasks = list(plan.tasks.order_by("order", "pk"))
    tree = subtree(tasks, root.pk)
    activities = plan_activities(plan, cycle.period_start, cycle.period_end, agency_ids)
    figures = task_figures(plan, tree, activities)
    out = []
    for section in [t for t in tree if t.parent_id == root.pk]:
        under = [t for t in subtree(tree, section.pk) if t.pk != section.pk]
        out.append(
            SectionTable(
                task=section,
                title=task_label(section, 200),
                rows=[(t, figures[t.pk]) for t in under],
                total=figures[section.pk],
            )
        )
    return out


def consolidated_data(cycle: Cycle, *, user: Any = None) -> Consolidated:
    """Everything the consolidated report says, gathered once for the .docx, the PDF and the
    .xlsx annex."""
    plan = cycle.plan
    live = list(
        Submission.objects.filter(cycle=cycle)
        .exclude(status=SubmissionStatus.SUPERSEDED)
        .select_related("agency__place")
    )
    received = sorted(
        (s for s in live if s.status in IN_HAND), key=lambda s: agency_order(s.agency)
    )
    issuer = issuer_of(plan, cycle.period_end, user)
    indicators, note = indicator_rows(issuer.province, cycle.year)
    narratives = []
    for section in sections_of(cycle.template):
        texts = [
            (sub.agency.name, (sub.narratives.get(section["key"]) or "").strip())
            for sub in received
        ]
        narratives.append(
            NarrativeSection(
                key=section["key"],
                title=section.get("title", ""),
                task_code=section.get("task", ""),
                texts=[(name, text) for name, text in texts if text],
            )
        )
    return Consolidated(
        cycle=cycle,
        plan=plan,
        issuer=issuer,
        subject=_("Kết quả thực hiện Kế hoạch số %(number)s năm %(year)s")
        % {"number": plan.number, "year": cycle.year},
        completeness=completeness_of(cycle, live),
        activities=summed_table("activities", received),
        budget=summed_table("budget", received),
        cases=case_table(cycle, received),
        indicator_period=period_for(cycle.year, "reporting"),
        indicators=indicators,
        indicator_note=note,
        sections=section_tables(plan, cycle, {s.agency_id for s in received}),
        narratives=narratives,
        received=received,
    )


# --- The document ------------------------------------------------------------------------------


def _figure_block(table: FigureTable, first: str, *, with_total: bool = True) -> decree30.Table:
    rows = [[first, *(label for _k, label in table.columns)]]
    for _key, label, cells in table.rows:
        rows.append([label, *(num(cells.get(k)) for k, _l in table.columns)])
    if with_total and table.total:
        rows.append([_("Tổng cộng"), *(num(table.total.get(k)) for k, _l in table.columns)])
    return decree30.Table(rows, widths_mm=table_widths(0.34, len(table.columns)))


def _case_value(value: int | None) -> str:
    return _("Dưới %(n)s (ẩn)") % {"n": threshold()} if value is None else num(value)


def _completeness_blocks(data: Consolidated) -> list[decree30.Block]:
    c = data.completeness
    blocks: list[decree30.Block] = [
        decree30.Paragraph(
            _(
                "Kế hoạch yêu cầu %(required)s cơ quan, địa phương báo cáo; hạn nộp ngày "
                "%(due)s. Đã nhận %(received)s báo cáo (%(on_time)s đúng hạn, %(late)s nộp "
                "muộn); %(returned)s báo cáo bị trả lại để bổ sung, chưa nộp lại; %(missing)s "
                "cơ quan, địa phương chưa báo cáo."
            )
            % {
                "required": num(c.required),
                "due": fmt_date(data.cycle.due_date),
                "received": num(c.received),
                "on_time": num(c.on_time),
                "late": num(c.late),
                "returned": num(c.returned),
                "missing": num(c.missing),
            }
        ),
        decree30.Table(
            [
                [_("Tình hình báo cáo"), _("Số cơ quan, địa phương")],
                [_("Phải báo cáo"), num(c.required)],
                [_("Đã nộp đúng hạn"), num(c.on_time)],
                [_("Nộp muộn"), num(c.late)],
                [_("Bị trả lại, chưa nộp lại"), num(c.returned)],
                [_("Chưa báo cáo"), num(c.missing)],
            ],
            widths_mm=table_widths(0.7, 1),
        ),
    ]
    if c.missing_agencies:
        blocks.append(
            decree30.Paragraph(
                _("Các cơ quan, địa phương chưa báo cáo: %(names)s.")
                % {"names": "; ".join(a.name for a in c.missing_agencies)}
            )
        )
    if c.returned_agencies:
        blocks.append(
            decree30.Paragraph(
                _("Các báo cáo bị trả lại, chưa nộp lại: %(names)s.")
                % {"names": "; ".join(a.name for a in c.returned_agencies)}
            )
        )
    late = [r.agency.name for r in c.rows if r.required and r.received and r.late]
    if late:
        blocks.append(
            decree30.Paragraph(
                _("Các cơ quan, địa phương nộp muộn: %(names)s.") % {"names": "; ".join(late)}
            )
        )
    return blocks


def _indicator_block(data: Consolidated) -> list[decree30.Block]:
    blocks: list[decree30.Block] = [
        decree30.Paragraph(
            _(
                "Số liệu của %(period)s, tính từ hồ sơ trên hệ thống cho toàn tỉnh; các số nhỏ "
                "(dưới %(n)s) được ẩn để không nhận diện được người bị bạo lực."
            )
            % {"period": data.indicator_period.label, "n": threshold()}
        )
    ]
    if data.indicator_note:
        blocks.append(decree30.Paragraph(data.indicator_note))
    if not data.indicators:
        return blocks
    rows = [[_("Mã"), _("Chỉ số"), _("Kết quả"), _("Chỉ tiêu"), _("Đánh giá")]]
    for r in data.indicators:
        target = r.target_shown
        if r.target is not None and r.target_year:
            target = _("%(target)s (năm %(year)s)") % {"target": target, "year": r.target_year}
        rows.append([r.code, r.name, r.shown, target, r.assessment])
    width = decree30.text_width_mm()
    blocks.append(
        decree30.Table(
            rows,
            widths_mm=[width * 0.11, width * 0.43, width * 0.14, width * 0.16, width * 0.16],
            numeric_from=2,
        )
    )
    return blocks


def _section_block(table: SectionTable) -> decree30.Table:
    header = [
        _("Nhiệm vụ"),
        _("Số hoạt động"),
        _("Lượt người tham gia"),
        _("Trong đó nữ"),
        _("Kinh phí đã chi (đồng)"),
    ]
    rows = [header]
    for task, f in table.rows:
        rows.append(
            [
                task_label(task, 90),
                num(f.activities),
                num(f.participants),
                num(f.female),
                num(f.spent),
            ]
        )
    t = table.total
    rows.append(
        [
            _("Cộng mục %(code)s") % {"code": table.task.code},
            num(t.activities),
            num(t.participants),
            num(t.female),
            num(t.spent),
        ]
    )
    width = decree30.text_width_mm()
    return decree30.Table(
        rows, widths_mm=[width * 0.4, width * 0.13, width * 0.16, width * 0.13, width * 0.18]
    )


def _narrative_blocks(section: NarrativeSection) -> list[decree30.Block]:
    if not section.texts:
        return [decree30.Paragraph(_("Chưa có cơ quan, địa phương nào báo cáo nội dung này."))]
    blocks: list[decree30.Block] = []
    for name, text in section.texts:
        blocks.append(decree30.Paragraph(f"{name}:", italic=True, bold=True))
        blocks += [decree30.Paragraph(line.strip()) for line in text.split("\n") if line.strip()]
    return blocks


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def build_consolidated_document(
    data: Consolidated,
    *,
    number: str | None = None,
    day: dt.date | None = None,
    signer_title: str | None = None,
    signer_authority: str = "",
    signer_name: str = "",
    recipients: list[str] | None = None,
) -> decree30.Document:
    cycle, plan = data.cycle, data.plan
    issuing = plan.issuing_agency.name if plan.issuing_agency else ""
    body: list[decree30.Block] = [
        decree30.Paragraph(
            _(
                "Thực hiện Kế hoạch số %(number)s ngày %(issued)s của %(issuer)s về %(title)s, "
                "%(body)s báo cáo kết quả thực hiện năm %(year)s (số liệu từ ngày %(start)s đến "
                "ngày %(end)s) như sau:"
            )
            % {
                "number": plan.number,
                "issued": fmt_date(plan.issued_on),
                "issuer": issuing,
                "title": plan.title[:1].lower() + plan.title[1:],
                "body": data.issuer.agency.name if data.issuer.agency else "",
                "year": cycle.year,
                "start": fmt_date(cycle.period_start),
                "end": fmt_date(cycle.period_end),
            }
        ),
        decree30.Heading(_("I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐỊA PHƯƠNG")),
        *_completeness_blocks(data),
        decree30.Heading(_("II. KẾT QUẢ THỰC HIỆN")),
        decree30.Heading(_("1. Hoạt động đã thực hiện")),
        decree30.Paragraph(
            _(
                "Tổng hợp từ %(n)s báo cáo đã nhận (số liệu các cơ quan, địa phương nhập trong "
                "báo cáo)."
            )
            % {"n": num(len(data.received))}
        ),
        _figure_block(data.activities, _("Loại hoạt động")),
        decree30.Heading(_("2. Kinh phí")),
        _figure_block(data.budget, _("Nguồn kinh phí")),
        decree30.Heading(_("3. Tiếp nhận, hỗ trợ người bị bạo lực")),
        decree30.Paragraph(
            _(
                "Tổng số của các cơ quan, địa phương đã báo cáo. Số nhỏ hơn %(n)s, và tổng số "
                "có thể làm lộ số nhỏ của một cơ quan, được ẩn."
            )
            % {"n": threshold()}
        ),
        decree30.Table(
            [[_("Nội dung"), _("Số lượng")]]
            + [[label, _case_value(cells["value"])] for _k, label, cells in data.cases.rows],
            widths_mm=table_widths(0.7, 1),
        ),
        decree30.Heading(_("4. Kết quả thực hiện các chỉ tiêu")),
        *_indicator_block(data),
        decree30.Heading(_("5. Kết quả thực hiện các nhiệm vụ")),
        decree30.Paragraph(
            _(
                "Số liệu theo nhiệm vụ tính từ các hoạt động đã ghi nhận trên hệ thống của các "
                "cơ quan, địa phương đã nộp báo cáo, mỗi hoạt động tính một lần cho mỗi nhiệm vụ."
            )
        ),
    ]
    tables = {t.task.code: t for t in data.sections}
    by_task = {s.task_code: s for s in data.narratives if s.task_code}
    for index, table in enumerate(data.sections, start=1):
        body.append(decree30.Heading(f"5.{index}. {table.title}"))
        body.append(_section_block(table))
        if table.task.code in by_task:
            body += _narrative_blocks(by_task[table.task.code])
    # Narrative sections not tied to a task of the tree (a plan without one, or one the
    # coordinator added): the general results first, then each as its own part.
    others = [s for s in data.narratives if not s.task_code or s.task_code not in tables]
    numeral = 3
    for section in others:
        body.append(decree30.Heading(f"{ROMAN[numeral - 1]}. {section.title.upper()}"))
        body += _narrative_blocks(section)
        numeral = min(numeral + 1, len(ROMAN))
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


def consolidated_docx(cycle: Cycle, *, user: Any = None, **options: Any) -> bytes:
    """The consolidated report as a .docx. ``options``: ``number`` (the number given at
    registration; dots until then), ``day`` (default today), ``signer_title`` (default
    "GIÁM ĐỐC"), ``signer_authority`` ("KT. GIÁM ĐỐC"), ``signer_name`` (blank: signed by
    hand), ``recipients`` (the "Nơi nhận" lines). Written in Vietnamese whatever the page's
    language: it is sent."""
    with translation.override(settings.LANGUAGE_CODE):
        data = consolidated_data(cycle, user=user)
        return decree30.build_docx(build_consolidated_document(data, **options))


def consolidated_pdf(cycle: Cycle, *, user: Any = None, **options: Any) -> bytes:
    """The same document as PDF (LibreOffice): ``pdf.PdfUnavailable`` if it cannot be made."""
    from antoan.reports.documents.pdf import docx_to_pdf

    return docx_to_pdf(consolidated_docx(cycle, user=user, **options))


def consolidated_filename(cycle: Cycle, ext: str) -> str:
    """ "bao-cao-tong-hop-64-kh-ubnd-2025.docx" """
    slug = slugify(cycle.plan.number.replace("/", "-")) or str(cycle.plan_id)
    return f"bao-cao-tong-hop-{slug}-{cycle.year}.{ext}"
