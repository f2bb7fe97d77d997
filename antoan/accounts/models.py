"""Users, agencies and memberships (user × agency × role)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from antoan.accounts.roles import Role
from antoan.places.models import Place, periods_overlap


def today() -> dt.date:
    return timezone.localdate()


class User(AbstractUser):
    # Rotating the stamp ends every session and API token of the user ("log out everywhere").
    security_stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self) -> str:
        return self.full_name_of(self.first_name, self.last_name)

    @staticmethod
    def full_name_of(first_name: str, last_name: str) -> str:
        """Vietnamese order: family name first ("Nguyễn Thị Lan")."""
        return f"{last_name} {first_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    def get_session_auth_hash(self) -> str:
        # Django checks this on every request; including the stamp makes rotation end sessions.
        return salted_hmac(
            "antoan.accounts.User.session_auth_hash",
            f"{self.password}:{self.security_stamp}",
            algorithm="sha256",
        ).hexdigest()


class ValidityQuerySet(models.QuerySet):
    def valid_on(self, on: dt.date | None = None) -> ValidityQuerySet:
        on = on or today()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )


class Agency(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành")
        COMMUNE_COMMITTEE = "commune_committee", _("Ủy ban nhân dân xã, phường")
        POLICE = "police", _("Công an")
        # Hospitals and medical centres (the value predates the commune stations).
        HEALTH_FACILITY = "health_facility", _("Bệnh viện, trung tâm y tế")
        COMMUNE_HEALTH_STATION = "commune_health_station", _("Trạm y tế xã, phường")
        SCHOOL = "school", _("Trường học")
        LEGAL_AID = "legal_aid", _("Trợ giúp pháp lý")
        SOCIAL_ASSISTANCE = "social_assistance", _("Cơ sở trợ giúp xã hội")
        SHELTER = "shelter", _("Nhà tạm lánh")
        TRUSTED_ADDRESS = "trusted_address", _("Địa chỉ tin cậy")
        WOMENS_UNION = "womens_union", _("Hội Liên hiệp Phụ nữ")
        STATISTICS_OFFICE = "statistics_office", _("Cơ quan thống kê")
        OTHER = "other", _("Khác")

    # A stable identifier used by data files (plans, demo data) and partner systems.
    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    place = models.ForeignKey(
        Place, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    valid_to = models.DateField(_("hoạt động đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan kế thừa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text=_("Cơ quan nhận lại nhiệm vụ khi cơ quan này giải thể hoặc sáp nhập."),
    )

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_health(self) -> bool:
        return self.kind in HEALTH_KINDS

    def is_valid_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors.setdefault("valid_to", []).append(_("Ngày kết thúc phải sau ngày bắt đầu."))
        if self.successor_id and self.successor_id == self.pk:
            errors.setdefault("successor", []).append(_("Một cơ quan không thể kế thừa chính nó."))
        if self.parent_id and self.parent_id == self.pk:
            errors.setdefault("parent", []).append(_("Một cơ quan không thể trực thuộc chính nó."))
        # The place must still exist on the agency's last day (today, for a working agency).
        if self.place_id and not self.place.is_valid_on(self.valid_to or today()):
            errors.setdefault("place", []).append(
                _("Địa bàn này không còn hiệu lực; hãy chọn đơn vị hành chính hiện hành.")
            )
        if errors:
            raise ValidationError(errors)


# Agencies whose staff receive survivors as patients (plan 64, IV.2): the kinds that hold
# health workers and record health-facility contacts.
HEALTH_KINDS = (Agency.Kind.HEALTH_FACILITY, Agency.Kind.COMMUNE_HEALTH_STATION)


class Membership(models.Model):
    """A user acting for an agency in a role, for a period."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    valid_from = models.DateField(_("hiệu lực từ"), default=today)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["user", "agency", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.get_role_display()}"

    def is_valid_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors.setdefault("valid_to", []).append(_("Ngày kết thúc phải sau ngày bắt đầu."))
        if self.agency_id and self.valid_from:
            agency = self.agency
            starts_too_early = agency.valid_from and self.valid_from < agency.valid_from
            ends_too_late = agency.valid_to and (
                self.valid_to is None or self.valid_to > agency.valid_to
            )
            if starts_too_early or ends_too_late:
                errors.setdefault("agency", []).append(
                    _("Thời hạn phân công phải nằm trong thời gian hoạt động của cơ quan.")
                )
        if self.agency_id and self.role == Role.HEALTH_WORKER and not self.agency.is_health:
            # A health worker's facility is where their contacts are counted.
            errors.setdefault("agency", []).append(
                _("Vai trò nhân viên y tế chỉ dành cho bệnh viện, trung tâm y tế hoặc trạm y tế.")
            )
        if self.user_id and self.agency_id and self.role:
            duplicate = (
                Membership.objects.filter(user=self.user, agency=self.agency, role=self.role)
                .exclude(pk=self.pk)
                .filter(periods_overlap(self.valid_from, self.valid_to))
            )
            if duplicate.exists():
                errors.setdefault("role", []).append(
                    _("Người dùng đã có vai trò này tại cơ quan này trong cùng thời gian.")
                )
        if errors:
            raise ValidationError(errors)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, shown to the user to tell their tokens apart.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Tokens issued before a "log out everywhere" stop working even if not revoked one by one.
    security_stamp = models.UUIDField()

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.prefix}…"
