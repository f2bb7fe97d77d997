"""Campaigns: the yearly Action Month (15/11 → 15/12), the International Day for the
Elimination of Violence against Women (25/11), the National Action Month on domestic violence
prevention (June), and ad-hoc campaigns; what each agency plans for them ahead of time, and
the reminders sent before they start.

Which activities belong to a campaign is never stored: an activity whose start date lies in
the campaign's window belongs to it (``selectors.campaigns.campaign_activities``), so a moved
date or a corrected window can never leave a stale link behind.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.programme.choices import ActivityKind, CampaignKind
from antoan.programme.models.activities import long_text

USER = settings.AUTH_USER_MODEL


class Campaign(models.Model):
    """One campaign window. Recurring kinds exist once a year (created by
    ``manage.py ensure_campaigns`` or on the calendar's first visit); the coordinator adds
    ad-hoc ones and sets each year's theme and the agencies expected to act."""

    kind = models.CharField(_("loại chiến dịch"), max_length=20, choices=CampaignKind.choices)
    # The year the window starts in: the Action Month of 15/11/2026 → 15/12/2026 is 2026's.
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên chiến dịch"), max_length=255)
    theme = long_text(_("chủ đề"), 1_000, blank=True)
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"))
    expected_agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan dự kiến tham gia"), blank=True, related_name="+"
    )
    # Empty for the campaigns the system creates (the command, or the calendar's first visit).
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("chiến dịch")
        verbose_name_plural = _("chiến dịch")
        ordering = ["start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"],
                condition=~Q(kind="ad_hoc"),
                name="campaign_recurring_once_a_year",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="campaign_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignPlanItem(models.Model):
    """What an agency plans to do during a campaign, entered ahead of time by its programme
    reporters and editable by them until the campaign ends."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plan_items")
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("tên hoạt động dự kiến"), max_length=255)
    kind = models.CharField(_("loại hoạt động"), max_length=20, choices=ActivityKind.choices)
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"))
    place = models.ForeignKey(
        "places.Place", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+"
    )
    expected_people = models.PositiveIntegerField(_("số người dự kiến tiếp cận"), default=0)
    budget = models.PositiveBigIntegerField(_("kinh phí dự kiến (đồng)"), default=0)
    note = long_text(_("ghi chú"), 2_000, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hoạt động dự kiến")
        verbose_name_plural = _("hoạt động dự kiến")
        ordering = ["campaign", "agency", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="campaign_item_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignReminder(models.Model):
    """A reminder sent to one reporter ``days_before`` a campaign starts: in the app (shown on
    the programme pages until the campaign ends) and by email. One row per campaign, user and
    threshold, so ``send_campaign_reminders`` can run every hour and send each once."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["campaign", "user", "-days_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "user", "days_before"], name="campaign_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.user_id}/{self.days_before}"
