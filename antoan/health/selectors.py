"""The monthly report of health-facility contacts: counts only, small ones hidden.

Who sees what (``report_scope``): a membership granting ``health.stats_view`` in a health
facility reaches that facility; one that also grants ``indicators.view`` (analysts, managers)
reaches every facility of its province, each commune and the province. No read returns a
contact: figures are counted in the database and protected here.

Protection (``indicators/suppression.py``, the threshold ``ANTOAN_SUPPRESS_BELOW``). Facilities
add up to communes (hospitals and centres at district or province level to the row "Chưa xác
định xã, phường"), communes to the province. For a year every figure that can be asked for is
decided once, for the whole province, whoever asks, in a fixed order as the indicator engine
does, each table given the entries decided before it:
1. yearly totals: the province's (hidden only when small), the communes' line, each commune's
   facilities' line;
2. months × places: the province's twelve months, then communes × months, then each commune's
   facilities × months, inside the yearly totals of 1;
3. for each month and each breakdown (sex, age band, type, each service, referral, case
   opened): the province's line, communes × categories, each commune's facilities ×
   categories, inside that month's totals of 2.
So a facility's hidden 2 cannot be worked out from its commune's total and its neighbours'.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Count, IntegerField
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import HEALTH_KINDS, Agency
from antoan.accounts.roles import Perm, role_permissions
from antoan.cases import choices as c
from antoan.core.permissions import memberships
from antoan.health.models import ServiceContact
from antoan.indicators import suppression
from antoan.indicators.selectors.places import UNKNOWN, rollup, unknown_label
from antoan.indicators.selectors.values import threshold  # the indicators' own setting
from antoan.indicators.suppression import TOTAL
from antoan.places.models import Place

FIRST_YEAR = 2000
YES, NO = "yes", "no"
_YES_NO = [(YES, _("Có")), (NO, _("Không"))]
SERVICE_DIMENSIONS = ("emergency_care", "forensic_exam", "counselling", "contraception_pep")

# Breakdown code → (label, [(category, label)]). Each breakdown's categories add up to the
# month's total; for the services only "yes" is shown, "no" is protected with it.
DIMENSIONS: dict[str, tuple[Any, list[tuple[str, Any]]]] = {
    "sex": (_("Giới tính"), list(c.Sex.choices)),
    "age_band": (_("Nhóm tuổi"), list(c.AgeGroup.choices)),
    "gbv_type": (_("Loại bạo lực"), list(c.GbvType.choices)),
    "emergency_care": (_("Cấp cứu, điều trị"), _YES_NO),
    "forensic_exam": (_("Khám, thu thập chứng cứ pháp y"), _YES_NO),
    "counselling": (_("Tư vấn"), _YES_NO),
    "contraception_pep": (_("Tránh thai khẩn cấp, dự phòng lây nhiễm (PEP)"), _YES_NO),
    "referral": (
        _("Chuyển gửi"),
        [
            ("accepted", _("Đề nghị và người bệnh đồng ý")),
            ("offered", _("Đề nghị, người bệnh chưa đồng ý")),
            ("none", _("Không đề nghị")),
        ],
    ),
    "case_opened": (_("Đã có hồ sơ ca (được tính qua hồ sơ)"), _YES_NO),
}


# --- Who sees which facilities ---------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    province: Place
    province_wide: bool
    facilities: list[Agency]  # those the user may ask about, by name

    @property
    def facility_ids(self) -> set[int]:
        return {f.pk for f in self.facilities}


def province_facilities(province_code: str) -> list[Agency]:
    ids = rollup().ids_by_province.get(province_code, [])
    return list(
        Agency.objects.filter(kind__in=HEALTH_KINDS, place_id__in=ids)
        .select_related("place")
        .order_by("name", "pk")
    )


def report_scope(user: Any) -> ReportScope | None:
    """The province and facilities the user's ``health.stats_view`` reaches (None: none)."""
    roll = rollup()
    wide: str | None = None
    own: dict[int, Agency] = {}
    own_province: str | None = None
    for m in memberships(user):
        perms = role_permissions(m.role)
        if Perm.HEALTH_STATS_VIEW not in perms:
            continue
        code = roll.province_of.get(m.agency.place_id)
        if code is None:
            continue
        if Perm.INDICATORS_VIEW in perms:
            wide = wide or code
        elif m.agency.kind in HEALTH_KINDS:
            own.setdefault(m.agency_id, m.agency)
            own_province = own_province or code
    if wide is not None:
        return ReportScope(roll.provinces[wide], True, province_facilities(wide))
    if own and own_province is not None:
        facilities = sorted(own.values(), key=lambda a: (a.name, a.pk))
        return ReportScope(roll.provinces[own_province], False, facilities)
    return None


# --- Protection of a tree of places ----------------------------------------------------------

Hidden = frozenset[tuple[str, str]]


def protect_tree(
    leaves: dict[str, dict[str, int]],
    parent: dict[str, str],
    columns: list[str],
    *,
    limit: int,
    totals: dict[str, bool] | None = None,
) -> Hidden:
    """The hidden (place, column) entries of a table whose rows are leaves (facilities)
    grouped under parents (communes) under the province (``TOTAL``); each row's ``TOTAL``
    column is the sum of its columns. ``totals`` fixes the fate of every row's total (decided
    by an earlier table); without it they are decided here first (step 1 of the docstring)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for leaf in sorted(leaves):
        groups[parent[leaf]].append(leaf)
    rows: dict[str, dict[str, int]] = {}
    for g, members in groups.items():
        rows[g] = {col: sum(leaves[leaf].get(col, 0) for leaf in members) for col in columns}
    province = {col: sum(rows[g][col] for g in rows) for col in columns}

    def total(row: dict[str, int]) -> int:
        return sum(row.values())

    if totals is None:
        totals = {TOTAL: suppression.is_primary(total(province), limit)}
        line = suppression.protect_line(
            {g: total(rows[g]) for g in rows}, threshold=limit, fixed={TOTAL: totals[TOTAL]}
        )
        totals.update({g: g in line for g in rows})
        for g, members in groups.items():
            line = suppression.protect_line(
                {leaf: total(leaves[leaf]) for leaf in members},
                threshold=limit,
                fixed={TOTAL: totals[g]},
            )
            totals.update({leaf: leaf in line for leaf in members})

    hidden: set[tuple[str, str]] = {(k, TOTAL) for k, h in totals.items() if h}
    line = suppression.protect_line(
        {**province, TOTAL: total(province)}, threshold=limit, fixed={TOTAL: totals[TOTAL]}
    )
    hidden |= {(TOTAL, col) for col in line}

    def table(members: dict[str, dict[str, int]], margin: str) -> None:
        cells: dict[tuple[str, str], int] = {}
        fixed: dict[tuple[str, str], bool] = {}
        margin_row = province if margin == TOTAL else rows[margin]
        for name, row in members.items():
            for col in columns:
                cells[(name, col)] = row.get(col, 0)
            cells[(name, TOTAL)] = total(row)
            fixed[(name, TOTAL)] = totals.get(name, False)
        for col in [*columns, TOTAL]:
            value = margin_row.get(col, 0) if col != TOTAL else total(margin_row)
            cells[(TOTAL, col)] = value
            fixed[(TOTAL, col)] = (margin, col) in hidden
        found = suppression.protect_table(cells, threshold=limit, fixed=fixed)
        hidden.update(((margin if r == TOTAL else r), col) for r, col in found)

    table(rows, TOTAL)
    for g, members in groups.items():
        table({leaf: leaves[leaf] for leaf in members}, g)
    return frozenset(hidden)


# --- The report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    value: int | None
    hidden: bool = False

    @property
    def shown(self) -> int | None:
        return None if self.hidden else self.value


def facility_key(agency_id: int) -> str:
    return f"f{agency_id}"


@dataclass
class ProvinceYear:
    """Every count of a province's health facilities for one year, and what may be shown."""

    province: Place
    year: int
    facilities: list[Agency]
    limit: int = field(default_factory=threshold)

    @cached_property
    def commune_of(self) -> dict[str, str]:
        roll = rollup()
        return {
            facility_key(f.pk): roll.commune_of.get(f.place_id, UNKNOWN) for f in self.facilities
        }

    @cached_property
    def counts(self) -> dict[str, dict[tuple[int, str, str], int]]:
        """facility key → {(month, dimension, category): count}; ("", "") is the month's total."""
        today = timezone.localdate()
        rows = (
            ServiceContact.objects.filter(
                facility_id__in=[f.pk for f in self.facilities],
                contact_date__year=self.year,
                contact_date__lte=today,
            )
            .annotate(month=ExtractMonth("contact_date", output_field=IntegerField()))
            .values(
                "facility_id",
                "month",
                "sex",
                "age_band",
                "gbv_type",
                "referral_offered",
                "referral_accepted",
                "case_opened",
                *SERVICE_DIMENSIONS,
            )
            .annotate(n=Count("pk"))
            .order_by()
        )
        out: dict[str, dict[tuple[int, str, str], int]] = {
            facility_key(f.pk): defaultdict(int) for f in self.facilities
        }
        for row in rows:
            target = out[facility_key(row["facility_id"])]
            month, n = int(row["month"]), row["n"]
            target[(month, "", "")] += n
            for dim in ("sex", "age_band", "gbv_type"):
                target[(month, dim, row[dim])] += n
            for dim in (*SERVICE_DIMENSIONS, "case_opened"):
                target[(month, dim, YES if row[dim] else NO)] += n
            referral = (
                "accepted"
                if row["referral_accepted"]
                else "offered"
                if row["referral_offered"]
                else "none"
            )
            target[(month, "referral", referral)] += n
        return out

    def _leaves(self, month: int | None, dim: str) -> dict[str, dict[str, int]]:
        if month is None:  # the months of the year
            return {
                key: {str(m): v.get((m, "", ""), 0) for m in range(1, 13)}
                for key, v in self.counts.items()
            }
        categories = [code for code, _label in DIMENSIONS[dim][1]]
        return {
            key: {cat: v.get((month, dim, cat), 0) for cat in categories}
            for key, v in self.counts.items()
        }

    @cached_property
    def series_hidden(self) -> Hidden:
        return protect_tree(
            self._leaves(None, ""),
            self.commune_of,
            [str(m) for m in range(1, 13)],
            limit=self.limit,
        )

    def month_hidden(self, month: int, dim: str) -> Hidden:
        series = self.series_hidden
        places = [TOTAL, *set(self.commune_of.values()), *self.commune_of]
        totals = {p: (p, str(month)) in series for p in places}
        categories = [code for code, _label in DIMENSIONS[dim][1]]
        return protect_tree(
            self._leaves(month, dim), self.commune_of, categories, limit=self.limit, totals=totals
        )

    # -- figures of one place (a facility key, a commune code, UNKNOWN, or TOTAL) --------------

    def _members(self, place: str) -> list[str]:
        if place == TOTAL:
            return list(self.commune_of)
        if place.startswith("f"):
            return [place]
        return [k for k, commune in self.commune_of.items() if commune == place]

    def _sum(self, place: str, key: tuple[int, str, str]) -> int:
        return sum(self.counts[k].get(key, 0) for k in self._members(place))

    def months(self, place: str) -> list[tuple[int, Figure]]:
        hidden = self.series_hidden
        return [
            (m, Figure(self._sum(place, (m, "", "")), (place, str(m)) in hidden))
            for m in range(1, 13)
        ]

    def year_total(self, place: str) -> Figure:
        value = sum(self._sum(place, (m, "", "")) for m in range(1, 13))
        return Figure(value, (place, TOTAL) in self.series_hidden)

    def month_total(self, place: str, month: int) -> Figure:
        return Figure(self._sum(place, (month, "", "")), (place, str(month)) in self.series_hidden)

    def breakdown(self, place: str, month: int, dim: str) -> list[tuple[str, Any, Figure]]:
        hidden = self.month_hidden(month, dim)
        return [
            (cat, label, Figure(self._sum(place, (month, dim, cat)), (place, cat) in hidden))
            for cat, label in DIMENSIONS[dim][1]
        ]


@dataclass(frozen=True)
class Report:
    """What one question shows: a place, a year and a month."""

    place: str  # a facility key, a commune code, UNKNOWN or TOTAL
    place_name: str
    facility: Agency | None
    year: int
    month: int
    data: ProvinceYear

    @property
    def months(self) -> list[tuple[int, Figure]]:
        return self.data.months(self.place)

    @property
    def year_total(self) -> Figure:
        return self.data.year_total(self.place)

    @property
    def total(self) -> Figure:
        return self.data.month_total(self.place, self.month)

    @property
    def breakdowns(self) -> list[tuple[str, Any, list[tuple[str, Any, Figure]]]]:
        out = []
        for dim, (label, _categories) in DIMENSIONS.items():
            rows = self.data.breakdown(self.place, self.month, dim)
            if dim in (*SERVICE_DIMENSIONS, "case_opened"):
                rows = [row for row in rows if row[0] == YES]
            out.append((dim, label, rows))
        return out


def place_label(place: str, scope: ReportScope, facility: Agency | None) -> str:
    if facility is not None:
        return facility.name
    if place == TOTAL:
        return scope.province.name
    if place == UNKNOWN:
        return str(unknown_label())
    found = rollup().communes.get(place)
    return found.name if found is not None else place


def report_for(
    scope: ReportScope, *, year: int, month: int, facility: Agency | None, commune: str = ""
) -> Report:
    """The report of a facility in scope, a commune or the province (province-wide scopes
    only; the caller checked which). The whole province is protected whoever asks."""
    data = ProvinceYear(scope.province, year, province_facilities(scope.province.code))
    place = facility_key(facility.pk) if facility is not None else commune or TOTAL
    return Report(place, place_label(place, scope, facility), facility, year, month, data)


def check_period(year: int, month: int, today: dt.date | None = None) -> dict[str, list[str]]:
    """Refusals of a year and month (none: an empty dict)."""
    from django.utils.translation import gettext as _t

    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not FIRST_YEAR <= year <= today.year:
        errors["year"] = [
            _t("Năm phải từ %(first)s đến %(last)s.") % {"first": FIRST_YEAR, "last": today.year}
        ]
    elif not 1 <= month <= 12:
        errors["month"] = [_t("Tháng phải từ 1 đến 12.")]
    elif (year, month) > (today.year, today.month):
        errors["month"] = [_t("Tháng này chưa bắt đầu.")]
    return errors
