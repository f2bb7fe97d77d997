"""What every export shares: the year asked for, the file handed back, the hidden-cell mark."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm, Role
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import grant
from antoan.indicators.periods import Period, check_year, period_for
from antoan.indicators.selectors.values import threshold

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"
# Every hidden cell of a table carries the same mark, whether it is small itself or hidden
# because it would give a small one away: two marks would tell a reader which cells are 1 to 4
# and narrow the others down.
HIDDEN = "ẩn"


# Who may take the row-level workbook: analysts (the statistics office), through the
# membership that lets them read indicators.
ROW_LEVEL_ROLES = {Role.ANALYST}


def may_export_rows(user: Any) -> bool:
    membership = grant(user, Perm.INDICATORS_VIEW)
    return membership is not None and membership.role in ROW_LEVEL_ROLES


@dataclass(frozen=True)
class Export:
    """One export: ``content`` is bytes (a file), a dict (JSON) or a binary file open for
    reading (a streamed workbook in a temporary file: send it with ``FileResponse``, which
    closes it), with its file name."""

    content: bytes | dict[str, Any] | BinaryIO
    filename: str
    content_type: str
    # Rows of a row-level export (for its audit event); None for aggregates.
    rows: int | None = None


def export_record(request: Any, kind: str, province: Any, export: Export, year: int) -> None:
    """Audit that an export left the system (pages and API alike)."""
    extra: dict[str, Any] = {"year": year}
    if export.rows is not None:
        extra["rows"] = export.rows
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        object_type="statistics_export",
        object_id=kind,
        place_code=province.code,
        extra=extra,
    )


def parse_year(raw: str | None, *, today: dt.date | None = None) -> int:
    """The year of an export: required, a number, from the first year of the indicators to
    this year. A translated ``ValidationError`` on ``year`` otherwise."""
    today = today or timezone.localdate()
    text = (raw or "").strip()
    if not text:
        raise ValidationError(
            {"year": [_("Hãy chọn năm cần xuất, ví dụ %(year)s.") % {"year": today.year}]},
            code="invalid",
        )
    try:
        year = int(text)
    except ValueError:
        raise ValidationError(
            {"year": [_("Năm phải là một số, ví dụ %(year)s.") % {"year": today.year}]},
            code="invalid",
        ) from None
    check_year(year, today)
    return year


def calendar_year(year: int) -> Period:
    """Every export covers a calendar year (DHIS2 period "YYYY"), not the reporting year."""
    return period_for(year, "year")


def marker() -> str:
    return HIDDEN


def below() -> int:
    return threshold()
