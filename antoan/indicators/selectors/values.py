"""Indicator values for a question: a year and period, a place, a breakdown or one filter.

``parse_query`` turns what a page or the API was asked into a checked ``Query`` (every refusal
a translated ``ValidationError`` naming the parameter); ``Calculator`` answers it from the
measures, with targets and estimates, small counts hidden (suppression.py) unless the caller
may see the underlying cases anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.core.permissions import grant
from antoan.indicators.models import Indicator, Unit
from antoan.indicators.periods import Period, check_year, period_for
from antoan.indicators.selectors.breakdowns import AGE_BANDS, BREAKDOWNS, PERSONAL
from antoan.indicators.selectors.catalogue import (
    ESTIMATE,
    TargetValue,
    estimates_by_year,
    indicator_list,
    measure_breakdowns,
    target_for,
    targets_by_code,
)
from antoan.indicators.selectors.engine import (
    Figure,
    NotAvailable,
    Scope,
    count_measures,
)
from antoan.indicators.selectors.measures import MEASURES
from antoan.indicators.selectors.places import UNKNOWN, Rollup, rollup, unknown_label
from antoan.indicators.selectors.specials import MEDIANS, SPECIALS
from antoan.indicators.suppression import TOTAL
from antoan.places.models import Place

FILTERS = {
    "sex": list(c.Sex.values),
    "age_band": AGE_BANDS,
    "gbv_type": list(c.GbvType.values),
}


def threshold() -> int:
    return int(getattr(settings, "ANTOAN_SUPPRESS_BELOW", 5))


def trend_start() -> int:
    return int(getattr(settings, "ANTOAN_TREND_START_YEAR", 2021))


def user_province(user: Any, perm: Perm = Perm.INDICATORS_VIEW) -> Place | None:
    """Today's province of the agency through which the user holds ``perm``."""
    membership = grant(user, perm)
    if membership is None:
        return None
    place = membership.agency.place
    code = rollup().province_of.get(place.pk)
    return rollup().provinces.get(code) if code else None


@dataclass(frozen=True)
class Query:
    province: Place
    place: Place  # the province or one of its communes (today's)
    period: Period
    by: str = ""  # "", "commune" or a breakdown
    filter_dim: str = ""
    filter_value: str = ""
    codes: tuple[str, ...] = ()
    # The whole country (``province`` is then ``national_place()``, rows are provinces).
    national: bool = False

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def breakdown(self) -> str:
        """The breakdown the engine must count for the year: ``by``'s or the filter's."""
        if self.filter_dim:
            return self.filter_dim
        return self.by if self.by not in ("", "commune") else ""

    @property
    def place_key(self) -> str:
        return TOTAL if self.place.level == Place.Level.PROVINCE else self.place.code


def _error(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]}, code="invalid")


def parse_query(
    province: Place,
    params: dict[str, str],
    *,
    today: dt.date | None = None,
    national: bool = False,
) -> Query:
    """Check the parameters of a question about ``province`` (the caller's); nothing is
    counted here. Unknown codes, periods, places and impossible combinations are refused."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    raw_year = (params.get("year") or "").strip()
    year = today.year
    if raw_year:
        try:
            year = int(raw_year)
            check_year(year, today)
        except ValueError:
            fail("year", _("Năm phải là một số, ví dụ %(year)s.") % {"year": today.year})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    period: Period | None = None
    if "year" not in errors:
        try:
            period = period_for(year, (params.get("period") or "year").strip())
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if period is not None and not period.started(today):
        fail("period", _("Kỳ %(period)s chưa bắt đầu.") % {"period": period.label})

    place = province
    code = (params.get("place") or "").strip()
    roll = rollup()
    if code and code != province.code:
        found = roll.communes.get(code)
        if found is None or roll.province_of.get(found.pk) != province.code:
            fail("place", _place_message(code, province, roll))
        else:
            place = found

    by = (params.get("by") or "").strip()
    if by and by != "commune" and by not in BREAKDOWNS:
        fail("by", _("Không có cách phân tổ “%(by)s”.") % {"by": by})

    filters = {name: (params.get(name) or "").strip() for name in FILTERS}
    given = {name: value for name, value in filters.items() if value}
    for name, value in given.items():
        if value not in FILTERS[name]:
            fail(name, _("Giá trị “%(value)s” không có.") % {"value": value})
    if len(given) > 1:
        fail(
            next(iter(sorted(given))),
            _(
                "Chỉ lọc theo một đặc điểm mỗi lần (giới tính, nhóm tuổi hoặc loại bạo lực): "
                "ghép nhiều đặc điểm ở cấp xã có thể chỉ ra một người."
            ),
        )
    if given and by in PERSONAL:
        fail("by", _("Không phân tổ theo một đặc điểm khi đã lọc theo một đặc điểm khác."))
    filter_dim, filter_value = next(iter(given.items()), ("", ""))
    if period is not None:
        if (given or (by and by != "commune")) and period.code != "year":
            fail(
                "period",
                _("Số liệu phân tổ và số liệu đã lọc chỉ có theo cả năm, không theo quý, tháng."),
            )
        if (by == "commune" or place != province) and period.kind in ("month", "reporting"):
            fail(
                "period",
                _(
                    "Số liệu từng xã, phường có theo năm và theo quý; theo tháng và kỳ báo cáo "
                    "chỉ có số liệu toàn tỉnh."
                ),
            )

    codes = tuple(
        dict.fromkeys(x.strip().upper() for x in (params.get("code") or "").split(",") if x.strip())
    )
    if codes:
        known = set(indicator_list().values_list("code", flat=True))
        unknown = [x for x in codes if x not in known]
        if unknown:
            fail("code", _("Không có chỉ số: %(codes)s.") % {"codes": ", ".join(unknown)})
    if errors:
        raise ValidationError(errors, code="invalid")
    if period is None:  # the year's error is already raised above
        raise ValidationError({"year": [_("Năm không hợp lệ.")]}, code="invalid")
    return Query(province, place, period, by, filter_dim, filter_value, codes, national)


NATIONAL_CODE = "VN"


def national_place() -> Place:
    """The country as the place of a national question (not stored: there is no national
    level in the places table; its code is no province's)."""
    return Place(code=NATIONAL_CODE, name=_("Toàn quốc"), level=Place.Level.PROVINCE)


def national_query(params: dict[str, str], *, today: dt.date | None = None) -> Query:
    """A question about the whole country: year, period and one filter as for a province; no
    place (the rows are the provinces)."""
    if (params.get("place") or "").strip():
        raise _error("place", _("Trang toàn quốc không chọn địa bàn."))
    return parse_query(national_place(), params, today=today, national=True)


def national_viewer(user: Any) -> bool:
    """Whether the user sees the national dashboard: ``INDICATORS_VIEW`` held through an
    agency listed in ``ANTOAN_NATIONAL_AGENCIES`` (the ministry's). Nobody by default."""
    from antoan.core.permissions import memberships

    codes = set(getattr(settings, "ANTOAN_NATIONAL_AGENCIES", []) or [])
    if not codes:
        return False
    from antoan.accounts.roles import role_permissions

    return any(
        m.agency.code in codes and Perm.INDICATORS_VIEW in role_permissions(m.role)
        for m in memberships(user)
    )


def _place_message(code: str, province: Place, roll: Rollup) -> str:
    old = Place.objects.filter(code=code, level=Place.Level.COMMUNE).exclude(
        pk__in=[p.pk for p in roll.communes.values()]
    )
    for place in old:
        now = roll.commune_of.get(place.pk)
        if now and now != UNKNOWN and roll.communes.get(now):
            return _(
                "Mã %(code)s là của %(old)s trước 01/07/2025, nay thuộc %(new)s (mã %(new_code)s)."
            ) % {
                "code": code,
                "old": place.name,
                "new": roll.communes[now].name,
                "new_code": now,
            }
    return _("Không có xã, phường mã %(code)s thuộc %(province)s.") % {
        "code": code,
        "province": province.name,
    }


@dataclass
class Value:
    """One figure of one indicator, as pages and the API show it."""

    indicator: Indicator
    period: Period
    place_code: str | None  # None: the row of records with no known commune
    place_name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: TargetValue | None
    suppressed: bool = False
    by: str = ""
    category: str = ""
    note: str = ""  # "no_estimate", "no_data"
    flags: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """Value minus target, in the indicator's unit (points for a percentage)."""
        if self.value is None or self.target is None:
            return None
        return round(self.value - float(self.target.value), 1)

    @property
    def meets_target(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.target.met_by(self.value)


class Calculator:
    """Answers questions about one province and one period, reusing what it counted."""

    def __init__(
        self, query: Query, *, suppress: bool = True, places_for: Iterable[str] = ()
    ) -> None:
        """``places_for``: indicators whose commune figures will be asked for (the rest are
        counted for the province, and by commune only if something asks)."""
        self.query = query
        self.places_for = set(places_for)
        today = timezone.localdate()
        self.scope = Scope(
            rollup=rollup(),
            province_code=query.province.code,
            year=query.year,
            period=query.period,
            today=today,
            threshold=threshold(),
            suppress=suppress,
            first_year=trend_start(),
            breakdown=query.breakdown or None,
            national=query.national,
        )
        self.indicators = self._indicators()
        self._figures: dict[str, Any] = {}
        self._targets = targets_by_code(self.indicators)
        self._load()

    # -- which indicators, which measures -----------------------------------------------------

    def supports(self, indicator: Indicator, dim: str) -> bool:
        return dim in indicator.disaggregations and dim in measure_breakdowns(indicator.numerator)

    def _indicators(self) -> list[Indicator]:
        q = self.query
        chosen = list(indicator_list())
        if q.codes:
            chosen = [ind for ind in chosen if ind.code in q.codes]
        needed = [d for d in (q.breakdown, "commune" if q.by == "commune" else "") if d]
        if q.place_key != TOTAL:
            needed.append("commune")
        keep = [ind for ind in chosen if all(self.supports(ind, d) for d in needed)]
        if q.codes and len(keep) < len(chosen):
            refused = [ind.code for ind in chosen if ind not in keep]
            raise _error(
                "by" if q.by else "place",
                _("Chỉ số %(codes)s không có số liệu theo cách phân tổ này.")
                % {"codes": ", ".join(refused)},
            )
        return keep

    def _load(self) -> None:
        q = self.query
        everywhere = q.by == "commune" or q.place_key != TOTAL or bool(q.breakdown)
        counted: list[str] = []
        placed: list[str] = []
        for ind in self.indicators:
            for name in (ind.numerator, ind.denominator):
                measure = MEDIANS[name][1] if name in MEDIANS else name
                if measure in MEASURES:
                    counted.append(measure)
                    if everywhere or ind.code in self.places_for:
                        placed.append(measure)
        self._figures.update(count_measures(counted, self.scope, with_places=placed))

    def figures(self, name: str) -> Any:
        if name not in self._figures:
            if name in SPECIALS:
                self._figures[name] = SPECIALS[name](self.scope)
            elif name in MEDIANS:
                build, count_name = MEDIANS[name]
                self._figures[name] = build(self.scope, self.figures(count_name))
            else:
                self._figures.update(count_measures([name], self.scope))
        return self._figures[name]

    # -- one value ----------------------------------------------------------------------------

    def value(
        self,
        indicator: Indicator,
        place_key: str,
        period: Period | None = None,
        *,
        dim: str = "",
        category: str = "",
    ) -> Value:
        period = period or self.query.period
        if not dim and self.query.filter_dim:
            dim, category = self.query.filter_dim, self.query.filter_value
        place_code, place_name = self._place(place_key)
        target = target_for(self._targets[indicator.code], period.year)
        out = Value(
            indicator,
            period,
            place_code,
            place_name,
            None,
            None,
            None,
            target,
            by=dim,
            category=category,
        )
        if indicator.year_only and period.code != "year":
            out.note = "year_only"
            return out
        try:
            num = self._measure(indicator.numerator, place_key, period, dim, category)
        except NotAvailable as exc:
            out.note = exc.reason
            return out
        den: Figure | None = None
        if indicator.denominator == ESTIMATE:
            den = self._estimate(indicator, place_key, period, dim)
            if den is None:
                out.note = "no_estimate"
        elif indicator.denominator:
            den = self._measure(indicator.denominator, place_key, period, dim, category)
        if num.hidden or (den is not None and den.hidden):
            out.suppressed = True
            return out
        out.numerator = num.value
        out.denominator = den.value if den is not None else None
        unit = indicator.unit
        if unit == Unit.HOURS:
            out.value, out.numerator = num.value, None
            if not out.denominator:
                out.note = out.note or "no_data"
        elif unit == Unit.COUNT:
            out.value = num.value
        elif out.denominator:
            ratio = float(out.numerator or 0) / float(out.denominator)
            out.value = round(100 * ratio if unit == Unit.PERCENT else ratio, 1)
            if indicator.denominator == ESTIMATE and (out.numerator or 0) > out.denominator:
                out.flags.append("estimate_below_numerator")
        elif not out.note:
            out.note = "no_data"
        return out

    def _measure(
        self, name: str, place_key: str, period: Period, dim: str, category: str
    ) -> Figure:
        figures = self.figures(name)
        if dim:
            if period.code != "year":
                raise NotAvailable("breakdown")
            return figures.by(place_key, dim, period.year).get(category, Figure(0))
        return figures.at(place_key, period)

    def _estimate(
        self, indicator: Indicator, place_key: str, period: Period, dim: str
    ) -> Figure | None:
        if dim or period.code not in ("year", "reporting") or place_key == UNKNOWN:
            return None
        if place_key == TOTAL and self.query.national:
            return None  # estimates are a province's or a commune's, not the country's
        place = self.query.province if place_key == TOTAL else self.scope.row_place(place_key)
        if place is None:
            return None
        cache = self.__dict__.setdefault("_estimates", {})
        if indicator.code not in cache:
            if self.query.national:
                places = [self.scope.row_place(code) for code in self.scope.communes]
            else:
                places = [
                    self.query.province,
                    *self.scope.rollup.communes_of(self.query.province.code),
                ]
            cache[indicator.code] = estimates_by_year(indicator, places)
        found = cache[indicator.code].get(period.year, {}).get(place.code)
        return Figure(found) if found is not None else None

    def _place(self, place_key: str) -> tuple[str | None, str]:
        if place_key == TOTAL:
            return self.query.province.code, self.query.province.name
        if place_key == UNKNOWN:
            return None, unknown_label()
        place = self.scope.row_place(place_key)
        return place_key, place.name if place else place_key

    # -- what pages and the API ask ----------------------------------------------------------

    def values(self) -> list[Value]:
        """The answer to the query: one value per indicator, or one per commune or category."""
        q = self.query
        out: list[Value] = []
        for ind in self.indicators:
            if q.by == "commune":
                out += [self.value(ind, row) for row in self.commune_rows(ind)]
            elif q.by:
                out += [
                    self.value(ind, q.place_key, dim=q.by, category=cat)
                    for cat in self.categories(ind, q.by)
                ]
            else:
                out.append(self.value(ind, q.place_key))
        return out

    def commune_rows(self, indicator: Indicator) -> list[str]:
        """Today's communes of the province (or the one asked about), then the unknown row."""
        if self.query.place_key != TOTAL:
            return [self.query.place_key]
        return [*self.scope.communes, UNKNOWN]

    def categories(self, indicator: Indicator, dim: str) -> list[str]:
        figures = self.figures(indicator.numerator)
        if hasattr(figures, "categories"):
            return figures.categories(dim)
        return list(figures.by(TOTAL, dim))

    def trend(self, indicator: Indicator, place_key: str | None = None) -> list[Value]:
        place_key = place_key or self.query.place_key
        years = range(self.scope.first_year, self.scope.today.year + 1)
        return [self.value(indicator, place_key, period_for(y)) for y in years]
