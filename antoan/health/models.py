"""Anonymous contacts of survivors with hospitals and commune health stations (plan 64, IV.2).

A survivor treated at a health facility who goes home without a case is still a survivor who
sought help: the facility counts them here. A contact holds codes and yes/no answers only: no
name, phone, address, date of birth or free text, so nothing in it can be typed that identifies
the patient, and no page or endpoint lists contacts (docs/health.md). Contacts are not edited
(a mistake is a new contact recorded by the facility and is rare enough not to matter for
monthly counts), so the rows carry no ``version``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antoan.cases import choices as c


class ServiceContact(models.Model):
    facility = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("cơ sở y tế"),
        on_delete=models.PROTECT,
        related_name="health_contacts",
    )
    contact_date = models.DateField(_("ngày tiếp nhận"))
    sex = models.CharField(_("giới tính"), max_length=10, choices=c.Sex.choices)
    # The indicator age bands (indicators.selectors.measures._age_band).
    age_band = models.CharField(_("nhóm tuổi"), max_length=10, choices=c.AgeGroup.choices)
    gbv_type = models.CharField(_("loại bạo lực"), max_length=30, choices=c.GbvType.choices)
    violence_forms = models.JSONField(_("hình thức bạo lực"), default=list, blank=True)
    perpetrator_relation = models.CharField(
        _("quan hệ với người gây bạo lực"),
        max_length=20,
        choices=c.Relationship.choices,
        blank=True,
    )
    emergency_care = models.BooleanField(_("cấp cứu, điều trị"), default=False)
    forensic_exam = models.BooleanField(_("khám, thu thập chứng cứ pháp y"), default=False)
    counselling = models.BooleanField(_("tư vấn"), default=False)
    contraception_pep = models.BooleanField(
        _("tránh thai khẩn cấp, dự phòng lây nhiễm (PEP)"), default=False
    )
    referral_offered = models.BooleanField(_("đã đề nghị chuyển gửi"), default=False)
    referral_accepted = models.BooleanField(_("người bệnh đồng ý chuyển gửi"), default=False)
    # A case exists for this person (they came by referral, or were referred on and a case was
    # opened): the case counts them in statistics, this contact does not.
    case_opened = models.BooleanField(_("đã có hồ sơ ca"), default=False)
    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("chuyển gửi đến cơ sở"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"))
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("lượt tiếp nhận tại cơ sở y tế")
        verbose_name_plural = _("lượt tiếp nhận tại cơ sở y tế")
        indexes = [models.Index(fields=["facility", "contact_date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(referral_accepted=True) | Q(referral_offered=True),
                name="health_contact_accepted_was_offered",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=c.Sex.values)
                & Q(age_band__in=c.AgeGroup.values)
                & Q(gbv_type__in=c.GbvType.values),
                name="health_contact_codes_known",
            ),
            models.CheckConstraint(
                condition=~Q(referral__isnull=False) | Q(case_opened=True),
                name="health_contact_referral_has_case",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"
