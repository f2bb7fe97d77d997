"""Campaigns: the calendar, a campaign's page (plan items, activities, report), the
coordinator's campaign form, the reporters' plan items, and the report as .xlsx and .docx."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.models import Agency
from antoan.accounts.reauth import SensitiveExportMixin
from antoan.accounts.roles import Perm
from antoan.accounts.selectors import agency_list
from antoan.core.audit import audit_record
from antoan.core.documents.decree30 import DOCX_CONTENT_TYPE
from antoan.core.models import AuditAction
from antoan.core.permissions import PermissionRequiredMixin
from antoan.programme import selectors
from antoan.programme.campaign_docx import build_campaign_docx
from antoan.programme.choices import CampaignKind
from antoan.programme.excel.export_campaign import FIGURES, build_campaign_export
from antoan.programme.excel.views import xlsx_response
from antoan.programme.forms.campaigns import CampaignForm, CampaignYearForm, PlanItemForm
from antoan.programme.models import Campaign, CampaignPlanItem
from antoan.programme.selectors import campaigns as sel
from antoan.programme.services import campaigns as services
from antoan.programme.views.common import (
    add_errors,
    default_place_code,
    may_see_activities,
    place_by_code,
    place_choices,
    programme_nav,
    reporting_agencies,
)


def agency_choices(user: Any) -> list[tuple[int, str]]:
    return [(a.pk, a.name) for a in agency_list(user=user).order_by("name")]


class CampaignListView(PermissionRequiredMixin, View):
    """The calendar: upcoming and past campaigns by year. This year's and next year's
    recurring campaigns are created here when ``ensure_campaigns`` has not run yet."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        services.ensure_current(today, request=request)
        years = sel.campaign_years(user)
        form = CampaignYearForm(request.GET or None, years=years)
        year = form.cleaned_data.get("year") if form.is_bound and form.is_valid() else None
        rows = sel.calendar(user, year=year)
        context = {
            "form": form,
            "upcoming": [r for r in rows if r.campaign.end_date >= today],
            "past": sorted(
                (r for r in rows if r.campaign.end_date < today),
                key=lambda r: r.campaign.start_date,
                reverse=True,
            ),
            "today": today,
            "may_create": selectors.sees_all_activities(user),
            **programme_nav(request, "campaigns"),
        }
        return render(request, "programme/campaigns.html", context)


def stale_form(form_class, request, version: int, **kwargs):
    """The user's input again, under the version now current: saving again is a choice."""
    posted = request.POST.copy()
    posted["version"] = str(version)
    form = form_class(posted, **kwargs)
    form.is_valid()
    return form


class CampaignFormView(PermissionRequiredMixin, View):
    """The coordinator adds an ad-hoc campaign, or changes a campaign's title, theme and
    expected agencies (and an ad-hoc campaign's window)."""

    permission = Perm.PROGRAMME_COORDINATE

    def form(self, campaign: Campaign | None, data: Any = None, initial: Any = None):
        return CampaignForm(
            data,
            initial=initial,
            agencies=agency_choices(self.request.user),
            dates=campaign is None or campaign.kind == CampaignKind.AD_HOC,
        )

    def show(self, form, campaign, *, stale=False, status=200):
        context = {
            "form": form,
            "campaign": campaign,
            "stale": stale,
            **programme_nav(self.request, "campaigns"),
        }
        return render(self.request, "programme/campaign_form.html", context, status=status)

    def load(self, pk) -> Campaign | None:
        return None if pk is None else sel.campaign_get_for_user(self.request.user, pk)

    def get(self, request, pk=None):
        campaign = self.load(pk)
        initial: dict[str, Any] = {}
        if campaign is not None:
            initial = {
                "title": campaign.title,
                "theme": campaign.theme,
                "start_date": campaign.start_date,
                "end_date": campaign.end_date,
                "expected_agencies": list(campaign.expected_agencies.values_list("pk", flat=True)),
                "version": campaign.version,
            }
        return self.show(self.form(campaign, initial=initial), campaign)

    def post(self, request, pk=None):
        campaign = self.load(pk)
        form = self.form(campaign, request.POST)
        if not form.is_valid():
            return self.show(form, campaign, status=400)
        d = form.cleaned_data
        data = services.CampaignInput(
            title=d["title"],
            theme=d["theme"],
            start_date=d.get("start_date"),
            end_date=d.get("end_date"),
            expected_agencies=list(Agency.objects.filter(pk__in=d["expected_agencies"])),
        )
        try:
            if campaign is None:
                saved = services.campaign_create(actor=request.user, data=data, request=request)
            else:
                saved = services.campaign_update(
                    actor=request.user,
                    campaign=campaign,
                    data=data,
                    version=d.get("version"),
                    request=request,
                )
        except services.CampaignConflict as exc:
            stale = stale_form(
                CampaignForm,
                request,
                exc.current.version,
                agencies=agency_choices(request.user),
                dates=campaign is None or campaign.kind == CampaignKind.AD_HOC,
            )
            return self.show(stale, campaign, stale=True, status=409)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.show(form, campaign, status=400)
        messages.success(request, _("Đã lưu chiến dịch “%(title)s”.") % {"title": saved.title})
        return redirect("programme:campaign", pk=saved.pk)


class CampaignView(PermissionRequiredMixin, View):
    """A campaign: its window and theme, plan items by agency, the activities of its window
    that the user may see, and the report's figures against the year before."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        user = request.user
        campaign = sel.campaign_get_for_user(user, pk)
        report = sel.campaign_report(user, campaign)
        own = selectors.reporting_agency_ids(user)
        by_agency: dict[str, list[CampaignPlanItem]] = defaultdict(list)
        for item in sel.plan_items(campaign):
            by_agency[item.agency.name].append(item)
        activities = None
        if may_see_activities(user):
            activities = list(sel.campaign_activities(user, campaign)[:200])
        comparison = []
        for key, label in FIGURES:
            now = getattr(report.totals, key)
            before = getattr(report.previous, key) if report.previous is not None else None
            comparison.append(
                {
                    "label": label,
                    "now": now,
                    "before": before,
                    "change": now - before if before is not None else None,
                }
            )
        context = {
            "campaign": campaign,
            "report": report,
            "comparison": comparison,
            "items_by_agency": sorted(by_agency.items()),
            "own_agency_ids": own,
            "activities": activities,
            "may_plan": sel.may_plan(user, campaign),
            "may_edit_campaign": selectors.sees_all_activities(user),
            "reminders": [r for r in sel.reminders_for_user(user) if r.campaign_id == campaign.pk],
            "today": timezone.localdate(),
            **programme_nav(request, "campaigns"),
        }
        return render(request, "programme/campaign.html", context)


class PlanItemFormView(PermissionRequiredMixin, View):
    """A reporter plans an activity of their agency for the campaign, or changes one. Another
    agency's item answers 404, as a missing one."""

    permission = Perm.PROGRAMME_REPORT

    def form(self, data: Any = None, initial: Any = None) -> PlanItemForm:
        user = self.request.user
        return PlanItemForm(
            data,
            initial=initial,
            agencies=[(a.pk, a.name) for a in reporting_agencies(user)],
            communes=place_choices(user),
        )

    def show(self, form, campaign, item, *, stale=False, status=200):
        context = {
            "form": form,
            "campaign": campaign,
            "item": item,
            "stale": stale,
            **programme_nav(self.request, "campaigns"),
        }
        return render(self.request, "programme/campaign_item_form.html", context, status=status)

    def load(self, pk, item_id) -> tuple[Campaign, CampaignPlanItem | None]:
        campaign = sel.campaign_get_for_user(self.request.user, pk)
        if item_id is None:
            return campaign, None
        return campaign, sel.plan_item_get_for_editor(self.request.user, campaign, item_id)

    def get(self, request, pk, item_id=None):
        campaign, item = self.load(pk, item_id)
        if item is None:
            initial: dict[str, Any] = {
                "commune": default_place_code(request.user),
                "start_date": campaign.start_date,
                "end_date": campaign.start_date,
                "kind": "communication",
            }
        else:
            initial = {
                "agency": item.agency_id,
                "title": item.title,
                "kind": item.kind,
                "start_date": item.start_date,
                "end_date": item.end_date,
                "commune": item.place.code,
                "expected_people": item.expected_people,
                "budget": item.budget,
                "note": item.note,
                "version": item.version,
            }
        return self.show(self.form(initial=initial), campaign, item)

    def post(self, request, pk, item_id=None):
        campaign, item = self.load(pk, item_id)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.show(form, campaign, item, status=400)
        d = form.cleaned_data
        place = place_by_code(form.place_code_value, d.get("start_date"))
        if place is None:
            form.add_error(
                "commune",
                _("Không có đơn vị hành chính mã %(code)s.") % {"code": form.place_code_value},
            )
            return self.show(form, campaign, item, status=400)
        data = services.PlanItemInput(
            agency=Agency.objects.get(pk=d["agency"]),  # one of the user's own agencies
            title=d["title"],
            kind=d["kind"],
            start_date=d["start_date"],
            end_date=d["end_date"],
            place=place,
            expected_people=d["expected_people"] if d["expected_people"] is not None else 0,
            budget=d["budget"] if d["budget"] is not None else 0,
            note=d["note"],
        )
        try:
            services.plan_item_save(
                actor=request.user,
                campaign=campaign,
                data=data,
                instance=item,
                version=d.get("version") if item is not None else None,
                request=request,
            )
        except services.CampaignConflict as exc:
            stale = stale_form(
                PlanItemForm,
                request,
                exc.current.version,
                agencies=[(a.pk, a.name) for a in reporting_agencies(request.user)],
                communes=place_choices(request.user),
            )
            return self.show(stale, campaign, item, stale=True, status=409)
        except ValidationError as exc:
            add_errors(form, exc, {"place": "commune"})
            return self.show(form, campaign, item, status=400)
        messages.success(request, _("Đã lưu hoạt động dự kiến."))
        return redirect("programme:campaign", pk=campaign.pk)


# --- The report as files -----------------------------------------------------------------------


def _audit_export(request, campaign: Campaign, file_format: str, rows: int) -> None:
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        object_type="programme.campaign",
        object_id=campaign.pk,
        extra={"format": file_format, "rows": rows, "kind": campaign.kind, "year": campaign.year},
    )


def _filename(campaign: Campaign, ext: str) -> str:
    return f"chien-dich-{campaign.kind.replace('_', '-')}-{campaign.year}-{campaign.pk}.{ext}"


class CampaignXlsxView(PermissionRequiredMixin, SensitiveExportMixin, View):
    """The report's figures in Excel: totals against the year before, by agency, by place."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        campaign = sel.campaign_get_for_user(request.user, pk)
        data, rows = build_campaign_export(sel.campaign_report(request.user, campaign))
        _audit_export(request, campaign, "xlsx", rows)
        return xlsx_response(data, _filename(campaign, "xlsx"))


class CampaignDocxView(PermissionRequiredMixin, SensitiveExportMixin, View):
    """The report as a Word draft in the layout of Decree 30/2020/NĐ-CP."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        campaign = sel.campaign_get_for_user(request.user, pk)
        report = sel.campaign_report(request.user, campaign)
        data = build_campaign_docx(report, request.user)
        _audit_export(request, campaign, "docx", len(report.by_agency) + len(report.by_place))
        response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{_filename(campaign, "docx")}"'
        response["Cache-Control"] = "no-store"
        return response
