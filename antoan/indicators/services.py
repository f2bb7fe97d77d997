"""Writes of the indicators app: estimates entered by the statistics office, and the audit
of every download of a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.cases.rules import clean_text
from antoan.core.audit import audit_record
from antoan.core.permissions import grant
from antoan.indicators import figure_cache
from antoan.indicators.models import Estimate, Indicator
from antoan.indicators.selectors.places import rollup
from antoan.indicators.selectors.values import user_province
from antoan.places.models import Place

FIRST_ESTIMATE_YEAR = 2000


class EstimateConflict(Exception):
    """The estimate in force changed since the version the user loaded."""

    def __init__(self, current: Estimate, loaded: int | None) -> None:
        super().__init__("stale estimate version")
        self.current = current
        self.loaded = loaded


@dataclass
class EstimateInput:
    indicator: str
    year: int
    place: str
    value: int
    source: str
    method: str = ""
    version: int | None = None


def _invalid(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]}, code="invalid")


def _check(actor: Any, data: EstimateInput) -> tuple[Indicator, Place, str, str]:
    errors: dict[str, list[str]] = {}
    indicator = Indicator.objects.filter(
        code=str(data.indicator).strip().upper(), active=True
    ).first()
    if indicator is None:
        errors["indicator"] = [_("Không có chỉ số %(code)s.") % {"code": data.indicator}]
    elif not indicator.uses_estimate:
        errors["indicator"] = [
            _("Chỉ số %(code)s không dùng số ước tính: mẫu số được đếm từ dữ liệu.")
            % {"code": indicator.code}
        ]
    today = timezone.localdate()
    if not FIRST_ESTIMATE_YEAR <= data.year <= today.year + 1:
        errors["year"] = [
            _("Năm phải từ %(first)s đến %(last)s.")
            % {"first": FIRST_ESTIMATE_YEAR, "last": today.year + 1}
        ]
    province = user_province(actor, Perm.INDICATORS_ESTIMATE)
    roll = rollup()
    place: Place | None = None
    code = str(data.place).strip()
    if province is not None and code == province.code:
        place = province
    elif province is not None:
        found = roll.communes.get(code)
        if found is not None and roll.province_of.get(found.pk) == province.code:
            place = found
    if place is None:
        errors["place"] = [
            _("Không có tỉnh hoặc xã, phường mã %(code)s trong phạm vi của bạn.") % {"code": code}
        ]
    if data.value <= 0:
        errors["value"] = [_("Số ước tính phải lớn hơn 0.")]
    elif indicator is not None and place is not None:
        bound = (
            indicator.estimate_max_province
            if place.level == Place.Level.PROVINCE
            else indicator.estimate_max_commune
        )
        if bound and data.value > bound:
            errors["value"] = [
                _(
                    "%(value)s lớn bất thường cho một %(level)s (tối đa %(max)s). Hãy kiểm tra "
                    "lại số đã nhập."
                )
                % {
                    "value": f"{data.value:,}".replace(",", "."),
                    "level": place.get_level_display().lower(),
                    "max": f"{bound:,}".replace(",", "."),
                }
            ]
    try:
        source = clean_text(data.source, field="source", max_length=300, required=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        source = ""
    try:
        method = clean_text(data.method, field="method", max_length=2000, multiline=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        method = ""
    if errors:
        raise ValidationError(errors, code="invalid")
    assert indicator is not None and place is not None  # noqa: S101 - errors raised above
    return indicator, place, source, method


def estimate_save(*, actor: Any, data: EstimateInput, request: Any = None) -> tuple[Estimate, bool]:
    """Enter an estimate, or revise the one in force (naming its ``version``); the old figure
    is kept as superseded. Returns the estimate in force and whether it is new."""
    membership = grant(actor, Perm.INDICATORS_ESTIMATE)
    if membership is None:
        raise PermissionDenied
    indicator, place, source, method = _check(actor, data)
    try:
        with transaction.atomic():
            current = (
                Estimate.objects.select_for_update()
                .filter(
                    indicator=indicator, year=data.year, place=place, superseded_at__isnull=True
                )
                .first()
            )
            if current is not None and data.version != current.version:
                raise EstimateConflict(current, data.version)
            if current is None and data.version not in (None, 0):
                raise _invalid("version", _("Chưa có ước tính nào để sửa; hãy bỏ trống phiên bản."))
            now = timezone.now()
            if current is not None:
                same = (current.value, current.source, current.method) == (
                    data.value,
                    source,
                    method,
                )
                if same:
                    return current, False  # a repeated save changes nothing
                current.superseded_at = now
                current.save(update_fields=["superseded_at"])
            estimate = Estimate(
                indicator=indicator,
                year=data.year,
                place=place,
                value=data.value,
                source=source,
                method=method,
                entered_by=actor,
                entered_at=now,
                version=(current.version + 1) if current is not None else 1,
            )
            estimate.full_clean()
            estimate.save()
            audit_record(
                action="update" if current is not None else "create",
                request=request,
                user=actor,
                membership=membership,
                object_type="indicator_estimate",
                object_id=estimate.pk,
                place_code=place.code,
                changed_fields=["value", "source", "method"],
                extra={"indicator": indicator.code, "year": data.year},
            )
    except IntegrityError:
        # Someone entered the first estimate at the same moment: theirs stands.
        current = Estimate.objects.get(
            indicator=indicator, year=data.year, place=place, superseded_at__isnull=True
        )
        raise EstimateConflict(current, data.version) from None
    # A denominator changed: dashboards computed before must not be served again.
    transaction.on_commit(figure_cache.forget)
    return estimate, current is None


def table_downloaded(
    *, actor: Any, request: Any, table: str, file_format: str, filters: dict[str, str]
) -> None:
    """An analyst took a table out of the system: who, which table, which filters."""
    audit_record(
        action="export",
        request=request,
        user=actor,
        object_type="indicator_table",
        object_id=table,
        extra={"format": file_format, "filters": filters},
    )
