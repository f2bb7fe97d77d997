"""The indicator catalogue, its targets, and the estimates some denominators need.

The catalogue is data (``data/indicators.yaml``, loaded by ``manage.py load_indicators``):
each indicator names the query functions of ``selectors.measures`` that count its numerator
and denominator. Values are never stored: they are computed live from the records, so a
figure is as fresh as the last thing anyone saved. Targets of a plan's objectives are read
from the plan itself (``programme.Objective``); the file adds national ones.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    COUNT = "count", _("số lượng")
    HOURS = "hours", _("giờ")
    RATIO = "ratio", _("tỷ số")


class Kind(models.TextChoices):
    TARGET = "target", _("Chỉ tiêu của kế hoạch và chương trình")
    OPERATIONAL = "operational", _("Chỉ số hoạt động")


class Indicator(models.Model):
    code = models.CharField(_("mã"), max_length=20, unique=True)
    name_vi = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=300)
    definition_vi = models.TextField(_("định nghĩa"))
    definition_en = models.TextField(_("định nghĩa (tiếng Anh)"))
    kind = models.CharField(_("nhóm"), max_length=12, choices=Kind.choices)
    unit = models.CharField(_("đơn vị"), max_length=10, choices=Unit.choices)
    # Names of query functions in ``antoan.indicators.selectors.measures``; a denominator
    # "estimate" is a figure entered per year and place (``Estimate``).
    numerator = models.CharField(_("tử số"), max_length=60)
    denominator = models.CharField(_("mẫu số"), max_length=60, blank=True)
    numerator_vi = models.CharField(_("tử số (diễn giải)"), max_length=300)
    numerator_en = models.CharField(max_length=300)
    denominator_vi = models.CharField(_("mẫu số (diễn giải)"), max_length=300, blank=True)
    denominator_en = models.CharField(max_length=300, blank=True)
    disaggregations = models.JSONField(_("phân tổ"), default=list)
    # Figures of whole years only (budget execution, yearly reports).
    year_only = models.BooleanField(default=False)
    # Bounds of an entered estimate, per place level: a figure above them is a typing error.
    estimate_max_province = models.PositiveIntegerField(null=True, blank=True)
    estimate_max_commune = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=200, blank=True)
    # Whether a higher value is better (a rate of help) or a lower one (hours, overdue work).
    higher_is_better = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)
    # An indicator dropped from the file stays (its estimates refer to it) but is not shown.
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_vi

    @property
    def definition(self) -> str:
        return self.definition_en if translation.get_language() == "en" else self.definition_vi

    @property
    def numerator_label(self) -> str:
        return self.numerator_en if translation.get_language() == "en" else self.numerator_vi

    @property
    def denominator_label(self) -> str:
        return self.denominator_en if translation.get_language() == "en" else self.denominator_vi

    @property
    def uses_estimate(self) -> bool:
        return self.denominator == "estimate"


class Target(models.Model):
    """A target from the catalogue file (national decisions); plan targets live on the plan."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("chỉ tiêu"), max_digits=9, decimal_places=2)
    comparison = models.CharField(_("so sánh"), max_length=2, default=">=")
    source = models.CharField(_("nguồn"), max_length=200)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "source"], name="indicator_target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.comparison} {self.value}"


class Estimate(models.Model):
    """A figure no record holds, entered per year and place with its source and method: the
    number of survivors a prevalence survey implies (GBV-01), the staff working on DV (DV-04).

    A revision supersedes the row in force instead of changing it, so every earlier figure
    and who entered it stays readable.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="estimates")
    year = models.PositiveSmallIntegerField(_("năm"))
    place = models.ForeignKey(
        "places.Place", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveIntegerField(_("giá trị ước tính"))
    source = models.CharField(_("nguồn"), max_length=300)
    method = models.TextField(_("phương pháp"), blank=True)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ước tính")
        verbose_name_plural = _("ước tính")
        ordering = ["indicator", "-year", "place", "-entered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "place"],
                condition=Q(superseded_at__isnull=True),
                name="estimate_one_in_force",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="estimate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year} {self.place_id}: {self.value}"
