"""The models registry and the influencer network."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.cases.choices import Sex
from antoan.programme.choices import (
    InfluencerGroup,
    ModelKind,
    ModelStatus,
)


class CommunityModel(models.Model):
    """A prevention model on the ground: a trusted address, a safe school, a club."""

    kind = models.CharField(_("loại mô hình"), max_length=30, choices=ModelKind.choices)
    name = models.CharField(_("tên mô hình"), max_length=255)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan chủ quản"),
        on_delete=models.PROTECT,
        related_name="community_models",
    )
    founded_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.ACTIVE
    )
    members_total = models.PositiveIntegerField(_("số thành viên"), default=0)
    members_female = models.PositiveIntegerField(_("trong đó nữ"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mô hình")
        verbose_name_plural = _("mô hình")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(members_female__lte=F("members_total")),
                name="model_members_female_within_total",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Influencer(models.Model):
    """A person of standing who carries the programme's messages (II.2.đ). No sensitive data:
    a name, a standing, a commune."""

    name = models.CharField(_("họ và tên"), max_length=120)
    group = models.CharField(_("nhóm"), max_length=30, choices=InfluencerGroup.choices)
    title = models.CharField(_("chức danh, vị trí"), max_length=200, blank=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("đang tham gia"), default=True)
    note = models.CharField(_("ghi chú"), max_length=400, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("người có ảnh hưởng")
        verbose_name_plural = _("người có ảnh hưởng")
        ordering = ["place", "name"]

    def __str__(self) -> str:
        return self.name
