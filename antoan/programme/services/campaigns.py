"""Campaigns: the recurring ones created once a year, ad-hoc ones, the agencies' plan items and
the reminders sent before a campaign starts.

Who may write: the coordinator creates ad-hoc campaigns and sets any campaign's title, theme
and expected agencies; programme reporters add and change their agencies' plan items until
the campaign ends. The system creates the recurring campaigns (``ensure_recurring``) and sends
the reminders (``reminders_send``); both are idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency, User
from antoan.accounts.roles import Perm
from antoan.accounts.selectors import holders
from antoan.core.audit import audit_record
from antoan.core.mail import send_after_commit
from antoan.core.models import AuditAction
from antoan.core.permissions import grant
from antoan.places.models import Place
from antoan.programme.choices import CAMPAIGN_WINDOWS, ActivityKind, CampaignKind
from antoan.programme.models import Campaign, CampaignPlanItem, CampaignReminder
from antoan.programme.selectors import campaigns as sel
from antoan.programme.services.checks import MAX_PARTICIPANTS, fmt_date

# Reminders go out this many days before a campaign starts, largest first.
REMINDER_DAYS = (30, 7)
MAX_BUDGET = 10**15  # đồng: far above any campaign, far below the column's limit
MAX_CAMPAIGN_DAYS = 366
SYSTEM = "system"


class CampaignConflict(Exception):
    """A change based on a version of a campaign or plan item that is no longer current."""

    def __init__(self, *, current: Campaign | CampaignPlanItem, loaded_version: int | None):
        super().__init__(f"{type(current).__name__} {current.pk}: version {loaded_version} stale")
        self.current = current
        self.loaded_version = loaded_version

    @property
    def message(self) -> str:
        return _(
            "Người khác vừa lưu thay đổi sau khi bạn mở trang (phiên bản %(loaded)s, hiện là "
            "%(current)s). Chưa có gì được lưu; hãy xem lại rồi lưu lại."
        ) % {"loaded": self.loaded_version, "current": self.current.version}


def default_title(kind: str, year: int) -> str:
    """Stored text, so always in the source language (Vietnamese)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(kind)s năm %(year)s") % {"kind": CampaignKind(kind).label, "year": year}


def require_coordinator(actor: Any) -> None:
    if grant(actor, Perm.PROGRAMME_COORDINATE) is None:
        raise PermissionDenied


# --- Recurring campaigns -------------------------------------------------------------------


def ensure_recurring(*, years: Iterable[int], request: Any = None) -> list[Campaign]:
    """Create the recurring campaigns of ``years`` that do not exist yet, each in its usual
    window, titled after its kind, expecting the agencies of task IV.10 in the plan in force.
    An existing campaign is never touched (the coordinator may have edited its title, theme or
    agencies), so running this twice, or at once from two places, creates nothing more."""
    created = []
    for kind, year in sel.recurring_missing(years):
        start, end = sel.default_window(kind, year)
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    kind=kind,
                    year=year,
                    title=default_title(kind, year),
                    start_date=start,
                    end_date=end,
                )
                campaign.expected_agencies.set(sel.expected_agency_defaults(start))
                audit_record(
                    action=AuditAction.CREATE,
                    request=request,
                    username=SYSTEM,
                    object_type="programme.campaign",
                    object_id=campaign.pk,
                    # The calendar's first visit (``request``: the visitor is the actor) or
                    # the command (no request: ``system``).
                    extra={
                        "kind": kind,
                        "year": year,
                        "by": "calendar" if request is not None else "ensure_campaigns",
                    },
                )
        except IntegrityError:
            continue  # created meanwhile by another process: the constraint keeps one
        created.append(campaign)
    return created


def ensure_current(today: dt.date | None = None, request: Any = None) -> list[Campaign]:
    """This year's and next year's recurring campaigns (what the calendar shows)."""
    year = (today or timezone.localdate()).year
    if not sel.recurring_missing((year, year + 1)):
        return []
    return ensure_recurring(years=(year, year + 1), request=request)


# --- Campaigns -----------------------------------------------------------------------------


@dataclass
class CampaignInput:
    title: str
    start_date: dt.date | None
    end_date: dt.date | None
    theme: str = ""
    expected_agencies: Sequence[Agency] = field(default_factory=list)


def _check_campaign(data: CampaignInput, *, dates: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Hãy nhập tên chiến dịch.")]
    elif len(data.title.strip()) > 255:
        errors["title"] = [_("Tên chiến dịch dài quá 255 ký tự.")]
    if len(data.theme.strip()) > 1_000:
        errors["theme"] = [_("Chủ đề dài quá 1.000 ký tự.")]
    if not dates:
        return errors
    if data.start_date is None:
        errors["start_date"] = [_("Hãy nhập ngày bắt đầu.")]
    if data.end_date is None:
        errors["end_date"] = [_("Hãy nhập ngày kết thúc.")]
    if data.start_date and data.end_date:
        if data.end_date < data.start_date:
            errors["end_date"] = [
                _("Ngày kết thúc (%(end)s) trước ngày bắt đầu (%(start)s).")
                % {"end": fmt_date(data.end_date), "start": fmt_date(data.start_date)}
            ]
        elif (data.end_date - data.start_date).days + 1 > MAX_CAMPAIGN_DAYS:
            errors["end_date"] = [
                _("Một chiến dịch kéo dài tối đa %(days)s ngày.") % {"days": MAX_CAMPAIGN_DAYS}
            ]
    return errors


@transaction.atomic
def campaign_create(*, actor: Any, data: CampaignInput, request: Any = None) -> Campaign:
    """The coordinator adds an ad-hoc campaign (the recurring ones are created by the system).
    Its year is the year its window starts in."""
    require_coordinator(actor)
    errors = _check_campaign(data, dates=True)
    if errors:
        raise ValidationError(errors)
    if data.start_date is None or data.end_date is None:  # refused above; for the type checker
        raise ValidationError(_("Hãy nhập ngày bắt đầu và ngày kết thúc."))
    campaign = Campaign.objects.create(
        kind=CampaignKind.AD_HOC,
        year=data.start_date.year,
        title=data.title.strip(),
        theme=data.theme.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
        created_by=actor,
    )
    campaign.expected_agencies.set(data.expected_agencies)
    audit_record(
        action=AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.campaign",
        object_id=campaign.pk,
        extra={"kind": campaign.kind, "year": campaign.year},
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: Any,
    campaign: Campaign,
    data: CampaignInput,
    version: int | None,
    request: Any = None,
) -> Campaign:
    """The coordinator changes a campaign's title, theme ("chủ đề" of the year) and expected
    agencies; an ad-hoc campaign's window too (a recurring one keeps its usual window). Based
    on a stale ``version``, nothing is changed (``CampaignConflict``)."""
    require_coordinator(actor)
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if version != current.version:
        raise CampaignConflict(current=current, loaded_version=version)
    ad_hoc = current.kind == CampaignKind.AD_HOC
    errors = _check_campaign(data, dates=ad_hoc)
    if errors:
        raise ValidationError(errors)
    before_agencies = set(current.expected_agencies.values_list("pk", flat=True))
    after_agencies = {a.pk for a in data.expected_agencies}
    values: dict[str, Any] = {"title": data.title.strip(), "theme": data.theme.strip()}
    if ad_hoc and data.start_date is not None:  # a missing date was refused above
        values.update(start_date=data.start_date, end_date=data.end_date, year=data.start_date.year)
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if before_agencies != after_agencies:
        changed.append("expected_agencies")
    for name, value in values.items():
        setattr(current, name, value)
    if changed:
        current.version += 1
        current.save()
        current.expected_agencies.set(data.expected_agencies)
        audit_record(
            action=AuditAction.UPDATE,
            request=request,
            user=actor,
            object_type="programme.campaign",
            object_id=current.pk,
            changed_fields=changed,
        )
    return current


# --- Plan items ----------------------------------------------------------------------------


@dataclass
class PlanItemInput:
    agency: Agency
    title: str
    kind: str
    start_date: dt.date | None
    end_date: dt.date | None
    place: Place | None
    expected_people: int | None = 0
    budget: int | None = 0
    note: str = ""


def _check_item(campaign: Campaign, data: PlanItemInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.title.strip():
        add("title", _("Hãy nhập tên hoạt động dự kiến."))
    elif len(data.title.strip()) > 255:
        add("title", _("Tên hoạt động dài quá 255 ký tự."))
    if len(data.note.strip()) > 2_000:
        add("note", _("Ghi chú dài quá 2.000 ký tự."))
    if data.kind not in ActivityKind.values:
        add("kind", _("Loại hoạt động không hợp lệ."))
    if data.place is None:
        add("place", _("Hãy chọn địa bàn."))
    if data.start_date is None:
        add("start_date", _("Hãy nhập ngày bắt đầu."))
    if data.end_date is None:
        add("end_date", _("Hãy nhập ngày kết thúc."))
    window = {"start": fmt_date(campaign.start_date), "end": fmt_date(campaign.end_date)}
    if data.start_date and data.end_date:
        if data.end_date < data.start_date:
            add(
                "end_date",
                _("Ngày kết thúc (%(end)s) trước ngày bắt đầu (%(start)s).")
                % {"end": fmt_date(data.end_date), "start": fmt_date(data.start_date)},
            )
        for name, day in (("start_date", data.start_date), ("end_date", data.end_date)):
            if not campaign.start_date <= day <= campaign.end_date:
                add(
                    name,
                    _("Ngày %(day)s nằm ngoài thời gian của chiến dịch (%(start)s - %(end)s).")
                    % {"day": fmt_date(day), **window},
                )
    people = data.expected_people
    if people is None or not 0 <= people <= MAX_PARTICIPANTS:
        limit = number_format(MAX_PARTICIPANTS, decimal_pos=0, force_grouping=True)
        add("expected_people", _("Số người phải từ 0 đến %(max)s.") % {"max": limit})
    if data.budget is None or data.budget < 0:
        add("budget", _("Số tiền không được âm."))
    elif data.budget > MAX_BUDGET:
        add("budget", _("Số tiền quá lớn."))
    return errors


def _require_open(campaign: Campaign) -> None:
    if campaign.end_date < timezone.localdate():
        raise ValidationError(
            _(
                "Chiến dịch đã kết thúc ngày %(end)s nên không thêm, sửa được hoạt động dự kiến "
                "nữa. Hoạt động đã làm được ghi ở mục Hoạt động."
            )
            % {"end": fmt_date(campaign.end_date)}
        )


@transaction.atomic
def plan_item_save(
    *,
    actor: Any,
    campaign: Campaign,
    data: PlanItemInput,
    instance: CampaignPlanItem | None = None,
    version: int | None = None,
    request: Any = None,
) -> CampaignPlanItem:
    """A reporter plans (or changes) an activity of their agency for the campaign. Dates must
    lie inside the campaign's window; numbers and money are not negative; until the campaign
    ends. A change based on a stale ``version`` is refused (``CampaignConflict``)."""
    if instance is not None and grant(actor, Perm.PROGRAMME_REPORT, instance.agency_id) is None:
        raise PermissionDenied
    if grant(actor, Perm.PROGRAMME_REPORT) is None:
        raise PermissionDenied
    _require_open(campaign)
    errors = _check_item(campaign, data)
    if grant(actor, Perm.PROGRAMME_REPORT, agency_id=data.agency.pk) is None:
        errors["agency"] = [
            _("Bạn không báo cáo cho %(agency)s nên không lập kế hoạch thay cơ quan này được.")
            % {"agency": data.agency.name}
        ]
    if instance is not None:
        current = CampaignPlanItem.objects.select_for_update().get(pk=instance.pk)
        if current.campaign_id != campaign.pk:
            raise PermissionDenied
        if version != current.version:
            raise CampaignConflict(current=current, loaded_version=version)
    if errors:
        raise ValidationError(errors)
    item = current if instance is not None else CampaignPlanItem(campaign=campaign)
    values = {
        "agency": data.agency,
        "title": data.title.strip(),
        "kind": data.kind,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "place": data.place,
        "expected_people": data.expected_people,
        "budget": data.budget,
        "note": data.note.strip(),
    }
    changed = [name for name, value in values.items() if getattr(item, name, None) != value]
    for name, value in values.items():
        setattr(item, name, value)
    if instance is None:
        item.created_by = actor
    elif changed:
        item.version += 1
    item.updated_by = actor
    item.save()
    audit_record(
        action=AuditAction.UPDATE if instance is not None else AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.campaign_item",
        object_id=item.pk,
        place_code=item.place.code,
        changed_fields=changed if instance is not None else (),
        extra={"campaign": campaign.pk},
    )
    return item


# --- Reminders -----------------------------------------------------------------------------


def due_threshold(campaign: Campaign, today: dt.date) -> int | None:
    """The reminder due today: the smallest threshold whose day has come, while the campaign
    has not started. A campaign created 10 days ahead gets the 7-day reminder only (one
    message, not two at once)."""
    if campaign.start_date <= today:
        return None
    days_left = (campaign.start_date - today).days
    due = [d for d in REMINDER_DAYS if days_left <= d]
    return min(due) if due else None


def reminder_text(campaign: Campaign, days_before: int) -> tuple[str, str]:
    """Subject and body of the email: the campaign, its window, where to plan. No personal
    data (there is none in a campaign)."""
    link = settings.ANTOAN_SITE_URL + reverse("programme:campaign", args=[campaign.pk])
    window = {"start": fmt_date(campaign.start_date), "end": fmt_date(campaign.end_date)}
    subject = _("[An Toàn] Còn %(days)s ngày đến %(title)s") % {
        "days": days_before,
        "title": campaign.title,
    }
    body = _(
        "%(title)s diễn ra từ %(start)s đến %(end)s.\n%(theme)s\n"
        "Hãy nhập các hoạt động cơ quan dự kiến tổ chức trong chiến dịch tại: %(link)s\n"
    ) % {
        "title": campaign.title,
        "theme": (_("Chủ đề: %(theme)s") % {"theme": campaign.theme}) if campaign.theme else "",
        "link": link,
        **window,
    }
    return subject, body


def reminder_recipients(campaign: Campaign) -> list[User]:
    """The programme reporters of the campaign's expected agencies today, each once."""
    found: dict[int, User] = {}
    for agency_id in campaign.expected_agencies.values_list("pk", flat=True):
        for user in holders(agency_id, Perm.PROGRAMME_REPORT):
            found.setdefault(user.pk, user)
    return list(found.values())


@dataclass
class ReminderRun:
    campaigns: int = 0
    reminders: int = 0
    emails: int = 0


def reminders_send(*, today: dt.date | None = None) -> ReminderRun:
    """Send the reminders due today: in the app (a ``CampaignReminder`` row) and by email after
    commit. Each campaign × user × threshold is sent once (the row's unique constraint), none
    once a campaign has started; safe to run every hour."""
    day = today or timezone.localdate()
    run = ReminderRun()
    horizon = day + dt.timedelta(days=max(REMINDER_DAYS))
    for campaign in Campaign.objects.filter(start_date__gt=day, start_date__lte=horizon):
        days = due_threshold(campaign, day)
        if days is None:
            continue
        with transaction.atomic():
            # Two runs at once (an hourly job overrunning) wait here: one sends, one finds
            # the rows and sends nothing.
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            sent_to = set(
                CampaignReminder.objects.filter(campaign=campaign, days_before=days).values_list(
                    "user_id", flat=True
                )
            )
            users = [u for u in reminder_recipients(campaign) if u.pk not in sent_to]
            if not users:
                continue
            now = timezone.now()
            rows = CampaignReminder.objects.bulk_create(
                [
                    CampaignReminder(campaign=campaign, user=u, days_before=days, sent_at=now)
                    for u in users
                ],
                ignore_conflicts=True,
            )
            addresses = [u.email for u in users if u.email]
            if addresses:
                with translation.override(settings.LANGUAGE_CODE):
                    subject, body = reminder_text(campaign, days)
                # One message each: reporters of different agencies do not see each other.
                send_after_commit(
                    [(subject, body, [address]) for address in addresses],
                    what="campaign reminder",
                )
            audit_record(
                action=AuditAction.CREATE,
                username=SYSTEM,
                object_type="programme.campaign",
                object_id=campaign.pk,
                extra={"reminder": days, "users": len(rows), "emails": len(addresses)},
            )
            run.campaigns += 1
            run.reminders += len(rows)
            run.emails += len(addresses)
    return run


__all__ = [
    "CAMPAIGN_WINDOWS",
    "REMINDER_DAYS",
    "CampaignConflict",
    "CampaignInput",
    "PlanItemInput",
    "ReminderRun",
    "campaign_create",
    "campaign_update",
    "default_title",
    "due_threshold",
    "ensure_current",
    "ensure_recurring",
    "plan_item_save",
    "reminder_recipients",
    "reminder_text",
    "reminders_send",
]
