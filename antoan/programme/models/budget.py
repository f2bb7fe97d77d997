"""Budget lines and the agencies' yearly reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.programme.choices import (
    FundingSource,
    YearReportStatus,
)
from antoan.programme.models.plan import Plan

USER = settings.AUTH_USER_MODEL


class BudgetLine(models.Model):
    """What an agency planned and was allocated for the plan in a year, by source. What it
    spent is the sum of its activities' spending, never typed in twice."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="budget_lines")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("năm"))
    source = models.CharField(_("nguồn kinh phí"), max_length=20, choices=FundingSource.choices)
    planned = models.PositiveBigIntegerField(_("dự toán (đồng)"), default=0)
    allocated = models.PositiveBigIntegerField(_("được giao (đồng)"), default=0)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("dòng kinh phí")
        verbose_name_plural = _("kinh phí")
        ordering = ["plan", "year", "agency", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "agency", "year", "source"], name="budget_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year} {self.source}"


class YearReport(models.Model):
    """An agency's yearly report on the plan. Once submitted, that year's activities of the
    agency are frozen until the coordinator returns it."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="year_reports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("tình trạng"), max_length=20, choices=YearReportStatus.choices)
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    returned_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    # The days the report covers (its reporting cycle's period); blank on reports made before
    # cycles existed, which cover the default reporting year (``indicators.periods``).
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "year", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "agency", "year"], name="year_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}"
