"""Administrative units with validity periods.

Codes are statistics-office codes and are reused across reorganisations (province 33 is both
old and new Hưng Yên; commune 11953 is both old Phường Hiến Nam and new Phường Phố Hiến), so a
place is identified by its code *and* the period it was valid. Every lookup by code takes a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PlaceQuerySet(models.QuerySet["Place"]):
    def valid_on(self, on: dt.date) -> PlaceQuerySet:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )


class Place(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Quận, huyện")
        COMMUNE = "commune", _("Xã, phường")

    code = models.CharField(_("mã"), max_length=10, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    # Accent-free, lower-case name for search ("pho hien" finds "Phố Hiến").
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    division_type = models.CharField(_("loại đơn vị"), max_length=40, blank=True)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # None means open-ended: valid since before our records / still valid.
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "code", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="place_valid_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"], name="place_unique_code_period_start"
            ),
        ]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )

    def clean(self) -> None:
        self.clean_without_others()
        overlapping = (
            Place.objects.filter(level=self.level, code=self.code)
            .exclude(pk=self.pk)
            .filter(periods_overlap(self.valid_from, self.valid_to))
        )
        if overlapping.exists():
            raise self.overlap_error()

    def clean_without_others(self) -> None:
        """The checks that need no other row (the bulk loader checks overlaps set-wise)."""
        from antoan.core.text import search_key

        self.search_name = search_key(self.name)
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Ngày hết hiệu lực phải sau ngày bắt đầu.")})
        if self.parent is not None and self.parent.level == self.level:
            raise ValidationError({"parent": _("Đơn vị cấp trên phải ở cấp cao hơn.")})

    def overlap_error(self) -> ValidationError:
        return ValidationError(
            {
                "valid_from": _("Mã %(code)s đã được dùng cho một đơn vị khác trong cùng thời kỳ.")
                % {"code": self.code}
            }
        )


def overlapping_pairs(places: Iterable[Place]) -> list[tuple[Place, Place]]:
    """Pairs of places with the same level and code whose validity periods overlap."""
    groups: dict[tuple[str, str], list[Place]] = {}
    for place in places:
        groups.setdefault((place.level, place.code), []).append(place)
    pairs = []
    for group in groups.values():
        # Sorted by start (open starts first), a period can only overlap the one before it
        # if no earlier period ends later; track the latest end seen so far.
        group.sort(key=lambda p: p.valid_from or dt.date.min)
        latest = group[0]
        for place in group[1:]:
            if (
                latest.valid_to is None
                or place.valid_from is None
                or (latest.valid_to >= place.valid_from)
            ):
                pairs.append((latest, place))
            if latest.valid_to is not None and (
                place.valid_to is None or place.valid_to > latest.valid_to
            ):
                latest = place
    return pairs


def periods_overlap(start: dt.date | None, end: dt.date | None) -> Q:
    """Rows whose [valid_from, valid_to] overlaps [start, end] (None = open-ended)."""
    condition = Q()
    if end is not None:
        condition &= Q(valid_from__isnull=True) | Q(valid_from__lte=end)
    if start is not None:
        condition &= Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    return condition


class PlaceSuccession(models.Model):
    """An old unit merged into a new one on a date (e.g. the 2025 commune mergers)."""

    predecessor = models.OneToOneField(
        Place,
        verbose_name=_("đơn vị cũ"),
        on_delete=models.PROTECT,
        related_name="succession",
    )
    successor = models.ForeignKey(
        Place,
        verbose_name=_("đơn vị mới"),
        on_delete=models.PROTECT,
        related_name="predecessor_links",
    )
    effective_on = models.DateField(_("ngày hiệu lực"))

    class Meta:
        verbose_name = _("kế thừa đơn vị hành chính")
        verbose_name_plural = _("kế thừa đơn vị hành chính")

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    def clean(self) -> None:
        if not (self.predecessor_id and self.successor_id and self.effective_on):
            return  # clean_fields has already reported what is missing
        old, new, day = self.predecessor, self.successor, self.effective_on
        errors: dict[str, StrOrPromise] = {}
        if old.level != new.level:
            errors["successor"] = _("Đơn vị mới phải cùng cấp với đơn vị cũ.")
        elif not new.is_valid_on(day):
            errors["successor"] = _("Đơn vị mới phải có hiệu lực vào ngày kế thừa.")
        # A unit that is still valid on the day cannot have been merged away on that day.
        if old.valid_to is None or old.valid_to >= day:
            errors["predecessor"] = _("Đơn vị cũ phải hết hiệu lực trước ngày kế thừa.")
        if errors:
            raise ValidationError(errors)
