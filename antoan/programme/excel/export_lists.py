"""Exporting the other programme lists to Excel: the models registry, the influencer network and
the budget, each under the filters of its page and scoped as its page is.

The files follow the activity export's rules: written row by row (openpyxl write-only),
Vietnamese headers whatever the page's language, text that looks like a formula kept as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from antoan.accounts.selectors import agency_list
from antoan.cases.choices import Sex
from antoan.programme import forms, selectors
from antoan.programme.choices import FundingSource, InfluencerGroup, ModelKind, ModelStatus
from antoan.programme.excel import columns as cols
from antoan.programme.excel.export import vi_label, write_sheet
from antoan.programme.models import CommunityModel, Influencer, Plan
from antoan.programme.views.budget import plan_all_years
from antoan.programme.views.common import (
    may_see_activities,
    place_choices,
    plan_choices,
    plan_from_request,
)

Column = cols.Column
NUMBER_FORMATS = {"money": "#,##0", "percent": "0.0"}

SHEET_MODELS = "Mô hình"
SHEET_INFLUENCERS = "Danh sách"
SHEET_INFLUENCER_COUNTS = "Số lượng"
SHEET_BUDGET = "Kinh phí"
SHEET_BUDGET_BY_AGENCY = "Theo cơ quan"


def _workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- Models registry -------------------------------------------------------------------------

MODEL_COLUMNS = [
    Column("kind", _("Loại mô hình"), "choice", choices=ModelKind, width=40),
    Column("name", _("Tên mô hình"), "text", width=40),
    Column("place_code", _("Mã địa bàn"), "place", width=12),
    Column("place_name", _("Địa bàn"), "text", width=26),
    Column("agency", _("Cơ quan chủ quản"), "text", width=30),
    Column("founded_on", _("Ngày thành lập"), "date", width=14),
    Column("status", _("Tình trạng"), "choice", choices=ModelStatus, width=16),
    Column("members_total", _("Số thành viên"), "int", width=12),
    Column("members_female", _("Trong đó nữ"), "int", width=12),
    Column("activities", _("Số hoạt động"), "int", width=12),
    Column("note", _("Ghi chú"), "text", width=40),
]


@dataclass(frozen=True)
class ModelFilter:
    """The models page's filters. An invalid filter form filters nothing, as on the page."""

    kind: str = ""
    status: str = ""
    commune: str = ""

    def for_audit(self) -> dict[str, str]:
        return {"kind": self.kind, "status": self.status, "commune": self.commune}


def model_filter_from_query(user: Any, query: Mapping[str, Any]) -> ModelFilter:
    form = forms.ModelFilterForm(query or None, communes=place_choices(user, with_province=False))
    if not (form.is_bound and form.is_valid()):
        return ModelFilter()
    d = form.cleaned_data
    return ModelFilter(kind=d["kind"] or "", status=d["status"] or "", commune=d["commune"] or "")


def model_queryset(user: Any, f: ModelFilter) -> QuerySet[CommunityModel]:
    models = selectors.community_model_list(user)
    if f.kind:
        models = models.filter(kind=f.kind)
    if f.status:
        models = models.filter(status=f.status)
    if f.commune:
        models = models.filter(place__code=f.commune)
    return models.order_by("kind", "name")


def _model_values(m: CommunityModel) -> dict[str, Any]:
    return {
        "kind": vi_label(ModelKind, m.kind),
        "name": m.name,
        "place_code": m.place.code,
        "place_name": m.place.name,
        "agency": m.agency.name,
        "founded_on": m.founded_on,
        "status": vi_label(ModelStatus, m.status),
        "members_total": m.members_total,
        "members_female": m.members_female,
        "activities": getattr(m, "activity_count", None),
        "note": m.note,
    }


def build_models_export(models: Iterable[CommunityModel]) -> tuple[bytes, int]:
    """The .xlsx of the models registry and how many models it holds."""
    rows = [_model_values(m) for m in models]
    wb = Workbook(write_only=True)
    write_sheet(wb, SHEET_MODELS, MODEL_COLUMNS, rows, NUMBER_FORMATS)
    return _workbook_bytes(wb), len(rows)


# --- Influencers -----------------------------------------------------------------------------

INFLUENCER_COLUMNS = [
    Column("name", _("Họ và tên"), "text", width=28),
    Column("group", _("Nhóm"), "choice", choices=InfluencerGroup, width=26),
    Column("title", _("Chức danh, vị trí"), "text", width=28),
    Column("sex", _("Giới tính"), "choice", choices=Sex, width=12),
    Column("place_code", _("Mã xã, phường"), "place", width=12),
    Column("place_name", _("Xã, phường"), "text", width=26),
    Column("agency", _("Cơ quan quản lý"), "text", width=30),
    Column("active", _("Đang tham gia"), "bool", width=12),
    Column("note", _("Ghi chú"), "text", width=40),
]
INFLUENCER_COUNT_COLUMNS = [
    Column("place_code", _("Mã xã, phường"), "place", width=12),
    Column("place_name", _("Xã, phường"), "text", width=26),
    Column("group", _("Nhóm"), "choice", choices=InfluencerGroup, width=26),
    Column("count", _("Số người đang tham gia"), "int", width=14),
]


def influencer_queryset(user: Any) -> QuerySet[Influencer]:
    """The named people the page lists to this user (the same order)."""
    return selectors.influencer_list(user).order_by("place__name", "name")


def _influencer_values(p: Influencer) -> dict[str, Any]:
    return {
        "name": p.name,
        "group": vi_label(InfluencerGroup, p.group),
        "title": p.title,
        "sex": vi_label(Sex, p.sex),
        "place_code": p.place.code,
        "place_name": p.place.name,
        "agency": p.agency.name,
        "active": cols.YES if p.active else cols.NO,
        "note": p.note,
    }


def _count_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "place_code": row["place__code"],
        "place_name": row["place__name"],
        "group": vi_label(InfluencerGroup, row["group"]),
        "count": row["count"],
    }


@dataclass(frozen=True)
class InfluencerExport:
    data: bytes
    rows: int  # people named, or lines of counts for those who see counts only
    named: bool


def build_influencers_export(user: Any) -> InfluencerExport:
    """Who sees names (reporters: their agencies'; the coordinator: all) gets the list of people
    and the counts; analysts and managers get the counts by commune and group only."""
    wb = Workbook(write_only=True)
    counts = [_count_values(row) for row in selectors.influencer_counts(user)]
    named = may_see_activities(user)
    rows = len(counts)
    if named:
        people = [_influencer_values(p) for p in influencer_queryset(user)]
        write_sheet(wb, SHEET_INFLUENCERS, INFLUENCER_COLUMNS, people, NUMBER_FORMATS)
        rows = len(people)
    write_sheet(wb, SHEET_INFLUENCER_COUNTS, INFLUENCER_COUNT_COLUMNS, counts, NUMBER_FORMATS)
    return InfluencerExport(_workbook_bytes(wb), rows, named)


# --- Budget ----------------------------------------------------------------------------------

BUDGET_COLUMNS = [
    Column("year", _("Năm"), "int", width=8),
    Column("agency", _("Cơ quan"), "text", width=34),
    Column("source", _("Nguồn kinh phí"), "choice", choices=FundingSource, width=28),
    Column("planned", _("Dự toán (đồng)"), "money", width=18),
    Column("allocated", _("Được giao (đồng)"), "money", width=18),
    Column("spent", _("Đã chi (đồng)"), "money", width=18),
    Column("rate", _("Tỷ lệ thực hiện (%)"), "percent", width=14),
]
BUDGET_BY_AGENCY_COLUMNS = [c for c in BUDGET_COLUMNS if c.key not in ("year", "source")]


@dataclass(frozen=True)
class BudgetFilter:
    """The budget page's filters: a plan the user may see (404 otherwise), a year, an agency."""

    plan: Plan
    year: int | None = None
    agency_id: int | None = None

    def for_audit(self) -> dict[str, Any]:
        return {"plan": self.plan.pk, "year": self.year, "agency": self.agency_id}


def budget_filter_from_query(user: Any, query: Mapping[str, Any]) -> BudgetFilter:
    plan = plan_from_request(user, query.get("plan"))
    agencies = [(a.pk, a.name) for a in agency_list(user=user, include_past=True).order_by("name")]
    form = forms.BudgetFilterForm(
        query or None,
        initial={"plan": plan.pk},
        plans=plan_choices(user),
        years=plan_all_years(plan),
        agencies=agencies,
    )
    if not (form.is_bound and form.is_valid()):
        return BudgetFilter(plan)
    d = form.cleaned_data
    return BudgetFilter(plan, year=d.get("year") or None, agency_id=d.get("agency") or None)


def build_budget_export(user: Any, f: BudgetFilter) -> tuple[bytes, int]:
    """The budget lines of the page (year, agency, source) and, on a second sheet, the
    execution rate per agency. Returns the file and how many detail rows it holds."""
    rows = selectors.budget_rows(user, f.plan, year=f.year, agency_id=f.agency_id)
    by_agency = selectors.budget_by_agency(rows)
    wb = Workbook(write_only=True)
    detail = (
        {
            "year": r.year,
            "agency": r.agency.name,
            "source": vi_label(FundingSource, r.source),
            "planned": r.planned,
            "allocated": r.allocated,
            "spent": r.spent,
            "rate": r.execution_rate,
        }
        for r in rows
    )
    write_sheet(wb, SHEET_BUDGET, BUDGET_COLUMNS, detail, NUMBER_FORMATS)
    totals = (
        {
            "agency": a.agency.name,
            "planned": a.planned,
            "allocated": a.allocated,
            "spent": a.spent,
            "rate": a.execution_rate,
        }
        for a in by_agency
    )
    write_sheet(wb, SHEET_BUDGET_BY_AGENCY, BUDGET_BY_AGENCY_COLUMNS, totals, NUMBER_FORMATS)
    return _workbook_bytes(wb), len(rows)
