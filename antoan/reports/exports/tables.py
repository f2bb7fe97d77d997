"""The domestic-violence tables of a province's year, from case records, small counts hidden.

Who counts follows the indicators engine (docs/indicators.md), reusing its cohorts rather than
restating them (``antoan/indicators/selectors/measures.py``):

- **victims** (``SURVIVORS`` with its ``dv`` flag): one per case whose survivor consented to
  statistics and which holds at least one consented incident with a form of domestic violence
  (Law 13/2022); in the year the case was opened; at the place of its first counted incident;
- **perpetrators** (``PERPETRATORS`` with ``dv``): each perpetrator recorded on a consented DV
  incident, in the year its case was opened;
- **incidents** ("vụ"): consented incidents with a form of domestic violence, in the year they
  were first reported.

Places roll up to today's map; a record counts for the province when its place (the incident's
commune, else the survivor's, else the case agency's) is in the province, as in the engine.

Every table has a "Tổng số" column and two partitions of it: by sex and by age. Each partition
is protected as the indicators are (``antoan/indicators/suppression.py``): counts from 1 to
``ANTOAN_SUPPRESS_BELOW - 1`` are hidden, then every count that would let one be worked out
from a total. When the rows add up to a total row (a perpetrator has one relationship) the
table is protected as a whole; when they do not (a victim may suffer several forms), each row
is protected on its own. The total column's fate is decided by the first partition and fixed for
the second, so a row total is hidden in both or in neither. The first rows of B2 and B3 are the
indicators' own populations (DV-01's victims, DV-02's perpetrators), which the indicators API
also breaks down: they are decided with the engine's figures (``engine_row``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from antoan.cases import choices as c
from antoan.cases.models import Incident, ProtectionMeasure
from antoan.indicators import suppression
from antoan.indicators.selectors.engine import in_period
from antoan.indicators.selectors.measures import PERPETRATORS, SURVIVORS
from antoan.indicators.selectors.places import rollup
from antoan.indicators.selectors.values import Calculator, parse_query, threshold
from antoan.indicators.suppression import TOTAL
from antoan.places.models import Place
from antoan.referrals.models import ServiceDelivery
from antoan.reports.exports.common import calendar_year

# Columns: the total, then two partitions of it.
# The engine's categories exactly: a coarser or overlapping partition of the same people
# published beside the indicators' breakdowns would let one be subtracted from the other.
SEX_COLUMNS = [("female", "Nữ"), ("male", "Nam"), ("other", "Khác"), ("unknown", "Không rõ")]
VICTIM_AGE_COLUMNS = [
    ("under16", "Dưới 16 tuổi"),
    ("16-59", "Từ 16 đến 59 tuổi"),
    ("60plus", "Từ 60 tuổi trở lên"),
    ("age_unknown", "Không rõ tuổi"),
]
# Perpetrators' ages are recorded in groups (0-11, 12-17, ..., 61+), not as a number: their
# table uses the groups' bounds, not the circular's 16 and 60.
PERPETRATOR_AGE_COLUMNS = [
    ("under18", "Dưới 18 tuổi"),
    ("18-60", "Từ 18 đến 60 tuổi"),
    ("over60", "Trên 60 tuổi"),
    ("age_unknown", "Không rõ tuổi"),
]
TOTAL_COLUMN = (TOTAL, "Tổng số")

# The measures of Law 13/2022 Art. 23 that concern the person who used violence, and those
# that support the victim (counted in the support table with the services).
PERPETRATOR_MEASURES = [
    c.MeasureType.STOP_VIOLENCE,
    c.MeasureType.SUMMON,
    c.MeasureType.NO_CONTACT_COMMUNE,
    c.MeasureType.NO_CONTACT_COURT,
    c.MeasureType.EDUCATION,
    c.MeasureType.COMMUNITY_CRITICISM,
    c.MeasureType.COMMUNITY_SERVICE,
    c.MeasureType.PREVENTIVE,
]
VICTIM_MEASURES = [c.MeasureType.SHELTER, c.MeasureType.MEDICAL, c.MeasureType.LEGAL_AID]


def _dv() -> Q:
    return ~Q(dv_forms=[]) & Q(dv_forms__isnull=False)


@dataclass
class Table:
    code: str
    title: str
    unit: str
    rows: list[tuple[str, str]]  # (key, label); the first is the total row
    columns: list[tuple[str, str]]  # (key, label); the first is the total column
    partitions: list[list[str]]
    additive: bool  # the rows after the first add up to it
    definition: str
    cells: dict[tuple[str, str], int] = field(default_factory=dict)
    hidden: frozenset[tuple[str, str]] = frozenset()

    def value(self, row: str, col: str = TOTAL) -> int | None:
        """The published figure, None when hidden."""
        if (row, col) in self.hidden:
            return None
        return self.cells.get((row, col), 0)


# --- Units: one dict of attributes per victim, perpetrator or incident ------------------------


def _year_end(year: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time.min))


def _age_column(age: int | None) -> str:
    if age is None:
        return "age_unknown"
    if age < 16:
        return "under16"
    return "60plus" if age >= 60 else "16-59"


def _perpetrator_age(group: str) -> str:
    if group in ("0-11", "12-17"):
        return "under18"
    if group in ("18-25", "26-40", "41-60"):
        return "18-60"
    return "over60" if group == "61+" else "age_unknown"


def _sex(value: str) -> str:
    return value if value in c.Sex.values else c.Sex.UNKNOWN


def _place_ids(province: Place) -> list[int]:
    return rollup().ids_by_province.get(province.code, [])


def victims(province: Place, year: int) -> list[dict[str, Any]]:
    period = calendar_year(year)
    rows = in_period(
        SURVIVORS.with_flags("dv").filter(stat_place__in=_place_ids(province), dv=True),
        "stat_date",
        period.start,
        period.end,
        dated=True,
    ).values("case_id", "sex", "survivor_age", "case__source")
    units = {
        r["case_id"]: {
            "source": r["case__source"],
            "sex": _sex(r["sex"]),
            "age": _age_column(r["survivor_age"]),
            "fine_age": _fine_age(r["survivor_age"]),
            "forms": set(),
            "support": set(),
        }
        for r in rows
    }
    ids = list(units)
    for case_id, forms in Incident.objects.filter(
        case_id__in=ids, consent_statistics=True
    ).values_list("case_id", "dv_forms"):
        units[case_id]["forms"].update(forms or [])
    end = _year_end(year)
    for case_id, service in ServiceDelivery.objects.filter(
        case_id__in=ids, delivered_on__lte=period.end
    ).values_list("case_id", "service"):
        units[case_id]["support"].add(f"service:{service}")
    for case_id, kind in ProtectionMeasure.objects.filter(
        case_id__in=ids, decision=c.MeasureDecision.GRANTED, decided_at__lt=end
    ).values_list("case_id", "type"):
        units[case_id]["support"].add(f"measure:{kind}")
    return list(units.values())


def perpetrators(province: Place, year: int) -> list[dict[str, Any]]:
    period = calendar_year(year)
    rows = in_period(
        PERPETRATORS.with_flags("dv").filter(stat_place__in=_place_ids(province), dv=True),
        "stat_date",
        period.start,
        period.end,
        dated=True,
    ).values("pk", "incident__case_id", "sex", "age_group", "relationship")
    rows = list(rows)
    granted: dict[int, set[str]] = defaultdict(set)
    for case_id, kind in ProtectionMeasure.objects.filter(
        case_id__in={r["incident__case_id"] for r in rows},
        decision=c.MeasureDecision.GRANTED,
        decided_at__lt=_year_end(year),
    ).values_list("case_id", "type"):
        granted[case_id].add(kind)
    return [
        {
            "sex": _sex(r["sex"]),
            "age": _perpetrator_age(r["age_group"]),
            "fine_age": r["age_group"] or c.AgeGroup.UNKNOWN,
            "relationship": r["relationship"],
            "measures": granted.get(r["incident__case_id"], set()),
        }
        for r in rows
    ]


def incidents(province: Place, year: int) -> list[dict[str, Any]]:
    from django.db.models import F, IntegerField
    from django.db.models.functions import ExtractYear

    period = calendar_year(year)
    rows = (
        Incident.objects.filter(consent_statistics=True)
        .filter(_dv())
        .annotate(
            age=Coalesce(
                "case__survivor__age_at_intake",
                ExtractYear("case__opened_at") - F("case__survivor__birth_year"),
                output_field=IntegerField(),
            ),
        )
        .filter(counted_place__in=_place_ids(province))
        .filter(first_reported_on__gte=period.start, first_reported_on__lte=period.end)
        .values("dv_forms", "case__survivor__sex", "age")
    )
    return [
        {
            "sex": _sex(r["case__survivor__sex"]),
            "age": _age_column(r["age"]),
            "forms": set(r["dv_forms"] or []),
        }
        for r in rows
    ]


# --- Counting and protecting -----------------------------------------------------------------


def _count(
    table: Table, units: Iterable[dict[str, Any]], member: dict[str, Any]
) -> dict[tuple[str, str], int]:
    """``member[row](unit)``: whether the unit is in the row. Every column of every row."""
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for unit in units:
        for row, _label in table.rows:
            if member[row](unit):
                cells[(row, TOTAL)] += 1
                cells[(row, unit["sex"])] += 1
                cells[(row, unit["age"])] += 1
    return {(r, col): cells.get((r, col), 0) for r, _l in table.rows for col, _c in table.columns}


def protect(
    table: Table, limit: int | None = None, *, first_row: frozenset[str] | None = None
) -> frozenset[tuple[str, str]]:
    """The hidden cells of ``table`` (see the module docstring). ``first_row``: the hidden
    columns of the first row when they were decided elsewhere (``engine_row``)."""
    limit = limit or threshold()
    hidden: set[tuple[str, str]] = set()
    top = table.rows[0][0]
    top_fixed: dict[tuple[str, str], bool] = {}
    if first_row is not None:
        hidden |= {(top, col) for col in first_row}
        top_fixed = {(TOTAL, col): col in first_row for col, _l in table.columns}
    if table.additive:
        # The first row is the margin: rename it TOTAL for the suppression module.
        def key(row: str) -> str:
            return TOTAL if row == top else row

        decided: dict[tuple[str, str], bool] = {}
        for part in table.partitions:
            cells = {(key(r), col): table.cells[(r, col)] for r, _l in table.rows for col in part}
            cells.update({(key(r), TOTAL): table.cells[(r, TOTAL)] for r, _l in table.rows})
            fixed = {k: v for k, v in top_fixed.items() if k in cells} | decided
            found = suppression.protect_table(cells, threshold=limit, fixed=fixed)
            if not decided:
                decided = {(key(r), TOTAL): (key(r), TOTAL) in found for r, _l in table.rows}
            hidden |= {(top if r == TOTAL else r, col) for r, col in found}
        return frozenset(hidden)
    for row, _label in table.rows:
        if row == top and first_row is not None:
            continue
        fate: dict[Any, bool] | None = None
        for part in table.partitions:
            values = {col: table.cells[(row, col)] for col in part}
            values[TOTAL] = table.cells[(row, TOTAL)]
            found = suppression.protect_line(values, threshold=limit, fixed=fate or {})
            if fate is None:
                fate = {TOTAL: TOTAL in found}
            hidden |= {(row, col) for col in found}
    return frozenset(hidden)


def _finish(
    table: Table,
    units: list[dict[str, Any]],
    member: dict[str, Any],
    first_row: frozenset[str] | None = None,
) -> Table:
    table.cells = _count(table, units, member)
    table.hidden = protect(table, first_row=first_row)
    return table


# --- The first rows of B2 and B3 are the indicators' populations -----------------------------

# Victims' exact ages cut at both the engine's bands and the circular's 16 and 60.
_FINE_AGES = [
    (11, "0-11"),
    (15, "12-15"),
    (17, "16-17"),
    (25, "18-25"),
    (40, "26-40"),
    (59, "41-59"),
    (60, "60"),
]
VICTIM_FINE = {
    "engine": {
        "0-11": {"0-11"},
        "12-17": {"12-15", "16-17"},
        "18-25": {"18-25"},
        "26-40": {"26-40"},
        "41-60": {"41-59", "60"},
        "61+": {"61+"},
        "unknown": {"unknown"},
    },
    "ours": {
        "under16": {"0-11", "12-15"},
        "16-59": {"16-17", "18-25", "26-40", "41-59"},
        "60plus": {"60", "61+"},
        "age_unknown": {"unknown"},
    },
}
PERPETRATOR_FINE = {
    "engine": {band: {band} for band in c.AgeGroup.values},
    "ours": {
        "under18": {"0-11", "12-17"},
        "18-60": {"18-25", "26-40", "41-60"},
        "over60": {"61+"},
        "age_unknown": {"unknown"},
    },
}


def _fine_age(age: int | None) -> str:
    if age is None:
        return "unknown"
    for top, code in _FINE_AGES:
        if age <= top:
            return code
    return "61+"


def engine_row(
    province: Place,
    year: int,
    units: list[dict[str, Any]],
    *,
    code: str,
    measure: str,
    fine: dict[str, dict[str, set[str]]],
) -> frozenset[str]:
    """The hidden columns of a table's first row when its people are an indicator's
    population (B2: DV-01's victims; B3: DV-02's perpetrators), which the indicators API
    breaks down by sex and age band: the total and the sex columns are hidden exactly where
    the engine hides them, and the age columns, which cut the people at other ages, are
    protected together with the engine's age bands (``protect_sums``), so that subtracting one
    publication from the other reveals no small count, not even one of the slices between
    them (the victims aged 12 to 15)."""
    limit = threshold()
    figures: dict[str, Any] = {}
    for dim in ("sex", "age_band"):
        query = parse_query(province, {"year": str(year), "by": dim, "code": code})
        calc = Calculator(query)
        found = calc.figures(measure)
        figures[dim] = found.by(TOTAL, dim, year)
        figures["total"] = found.at(TOTAL, query.period)
    hidden: set[str] = set()
    if figures["total"].hidden:
        hidden.add(TOTAL)
    hidden |= {cat for cat, figure in figures["sex"].items() if figure.hidden}
    parts: dict[str, int] = defaultdict(int)
    for unit in units:
        parts[unit["fine_age"]] += 1
    names = {p for members in fine["engine"].values() for p in members}
    parts = {p: parts.get(p, 0) for p in sorted(names)}
    entries: dict[str, frozenset[str]] = {"total": frozenset(parts)}
    fixed: dict[str, bool] = {"total": TOTAL in hidden}
    for band, members in fine["engine"].items():
        entries[f"e:{band}"] = frozenset(members)
        figure = figures["age_band"].get(band)
        fixed[f"e:{band}"] = bool(figure and figure.hidden)
    for col, members in fine["ours"].items():
        entries[f"m:{col}"] = frozenset(members)
    for part, value in parts.items():
        if suppression.is_primary(value, limit) and f"e:{part}" not in entries:
            entries[f"p:{part}"] = frozenset({part})  # never published, never to be worked out
            fixed[f"p:{part}"] = True
    found = suppression.protect_sums(
        parts,
        entries,
        threshold=limit,
        fixed=fixed,
        lines=[("total", [f"m:{col}" for col in fine["ours"]])],
    )
    hidden |= {key[2:] for key in found if key.startswith("m:")}
    return frozenset(hidden)


def _victim_columns() -> list[tuple[str, str]]:
    return [TOTAL_COLUMN, *SEX_COLUMNS, *VICTIM_AGE_COLUMNS]


def _perpetrator_columns() -> list[tuple[str, str]]:
    return [TOTAL_COLUMN, *SEX_COLUMNS, *PERPETRATOR_AGE_COLUMNS]


def _partitions(age_columns: list[tuple[str, str]]) -> list[list[str]]:
    return [[k for k, _l in SEX_COLUMNS], [k for k, _l in age_columns]]


FORM_LABELS = {
    "physical": "Bạo lực về thể chất (thân thể)",
    "psychological": "Bạo lực về tinh thần",
    "economic": "Bạo lực về kinh tế",
    "sexual": "Bạo lực về tình dục",
}


def _forms_rows(total_label: str) -> list[tuple[str, str]]:
    return [("all", total_label), *FORM_LABELS.items()]


def _in_form(form: str) -> Any:
    return lambda u: form in u["forms"]


def build_tables(province: Place, year: int) -> dict[str, Table]:
    """The five tables of the year (Circular 07's annual statistics of domestic violence)."""
    tables: dict[str, Table] = {}
    victim_rows = victims(province, year)
    perp_rows = perpetrators(province, year)

    t = Table(
        "B1",
        "Số vụ bạo lực gia đình, theo hình thức bạo lực",
        "Vụ",
        _forms_rows("Tổng số vụ bạo lực gia đình"),
        _victim_columns(),
        _partitions(VICTIM_AGE_COLUMNS),
        additive=False,
        definition=(
            "Vụ việc có ít nhất một hình thức bạo lực gia đình (Luật 13/2022/QH15), người bị "
            "bạo lực đồng ý dùng cho thống kê, báo tin lần đầu trong năm. Giới tính và tuổi là "
            "của người bị bạo lực. Một vụ có thể có nhiều hình thức: các dòng hình thức không "
            "cộng lại thành tổng."
        ),
    )
    member = {"all": lambda u: True, **{k: _in_form(k) for k in FORM_LABELS}}
    tables[t.code] = _finish(t, incidents(province, year), member)

    t = Table(
        "B2",
        "Số người bị bạo lực gia đình, theo hình thức bạo lực",
        "Người",
        _forms_rows("Tổng số người bị bạo lực gia đình"),
        _victim_columns(),
        _partitions(VICTIM_AGE_COLUMNS),
        additive=False,
        definition=(
            "Mỗi hồ sơ ca là một người, tính một lần trong năm mở hồ sơ, khi có ít nhất một vụ "
            "bạo lực gia đình được đồng ý dùng cho thống kê (như chỉ số DV-01). Tuổi là tuổi khi "
            "tiếp nhận (hoặc năm mở hồ sơ trừ năm sinh). Một người có thể chịu nhiều hình thức."
        ),
    )
    tables[t.code] = _finish(
        t,
        victim_rows,
        member,
        engine_row(
            province, year, victim_rows, code="DV-01", measure="dv_victims", fine=VICTIM_FINE
        ),
    )

    relationships = [(r.value, str(r.label)) for r in c.Relationship]
    t = Table(
        "B3",
        "Số người gây bạo lực gia đình, theo quan hệ với người bị bạo lực",
        "Người",
        [("all", "Tổng số người gây bạo lực gia đình"), *relationships],
        _perpetrator_columns(),
        _partitions(PERPETRATOR_AGE_COLUMNS),
        additive=True,
        definition=(
            "Mỗi người gây bạo lực được ghi trong một vụ bạo lực gia đình được đồng ý dùng cho "
            "thống kê, tính trong năm mở hồ sơ (như chỉ số DV-02). Mỗi người có một quan hệ: các "
            "dòng cộng lại thành tổng. Tuổi theo nhóm tuổi đã ghi."
        ),
    )
    member = {"all": lambda u: True}
    member.update(
        {k: (lambda key: lambda u: u["relationship"] == key)(k) for k, _l in relationships}
    )
    tables[t.code] = _finish(
        t,
        perp_rows,
        member,
        engine_row(
            province,
            year,
            perp_rows,
            code="DV-02",
            measure="dv_perpetrators",
            fine=PERPETRATOR_FINE,
        ),
    )

    measure_labels = dict(c.MeasureType.choices)
    t = Table(
        "B4",
        "Số người gây bạo lực gia đình bị áp dụng biện pháp, theo biện pháp",
        "Người",
        [
            ("any", "Bị áp dụng ít nhất một biện pháp"),
            *[(str(m), str(measure_labels[m])) for m in PERPETRATOR_MEASURES],
        ],
        _perpetrator_columns(),
        _partitions(PERPETRATOR_AGE_COLUMNS),
        additive=False,
        definition=(
            "Người gây bạo lực của bảng B3 mà hồ sơ ca có biện pháp (Điều 23 Luật 13/2022/QH15) "
            "đã được quyết định áp dụng đến hết năm. Biện pháp được ghi theo hồ sơ ca, nên áp "
            "cho mọi người gây bạo lực của hồ sơ đó. Một người có thể có nhiều biện pháp."
        ),
    )
    member = {"any": lambda u: bool(set(u["measures"]) & set(PERPETRATOR_MEASURES))}
    member.update(
        {str(m): (lambda key: lambda u: key in u["measures"])(m) for m in PERPETRATOR_MEASURES}
    )
    tables[t.code] = _finish(t, perp_rows, member)

    need_labels = dict(c.Need.choices)
    support_rows = [("any", "Được hỗ trợ ít nhất một dịch vụ hoặc biện pháp")]
    support_rows += [(f"service:{n}", f"Dịch vụ: {need_labels[n]}") for n in c.Need.values]
    support_rows += [(f"measure:{m}", f"Biện pháp: {measure_labels[m]}") for m in VICTIM_MEASURES]
    t = Table(
        "B5",
        "Số người bị bạo lực gia đình được hỗ trợ, theo loại hỗ trợ",
        "Người",
        support_rows,
        _victim_columns(),
        _partitions(VICTIM_AGE_COLUMNS),
        additive=False,
        definition=(
            "Người bị bạo lực của bảng B2 đã nhận dịch vụ (trực tiếp hoặc qua chuyển gửi) đến hết "
            "năm, hoặc có biện pháp hỗ trợ (tạm lánh, y tế, trợ giúp pháp lý) đã được quyết "
            "định. Một người có thể nhận nhiều loại hỗ trợ."
        ),
    )
    member = {"any": lambda u: bool(u["support"])}
    member.update({k: (lambda key: lambda u: key in u["support"])(k) for k, _l in support_rows[1:]})
    tables[t.code] = _finish(t, victim_rows, member)
    return tables
