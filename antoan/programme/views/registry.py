"""The models registry (trusted addresses, safe schools, clubs…) and the influencer network."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases.choices import Sex
from antoan.core.permissions import PermissionRequiredMixin, deny
from antoan.programme import forms, selectors, services
from antoan.programme.choices import InfluencerGroup, ModelKind
from antoan.programme.models import CommunityModel, Influencer
from antoan.programme.selectors import standards
from antoan.programme.views.common import (
    add_errors,
    default_place_code,
    keeper_agency_choices,
    may_keep_registry,
    may_see_activities,
    place_by_code,
    place_choices,
    programme_nav,
)


def require_keeper(request: Any) -> None:
    if not may_keep_registry(request.user):
        deny(request, Perm.PROGRAMME_REPORT)


def may_edit_model(user: Any, model: CommunityModel) -> bool:
    return selectors.sees_all_activities(user) or model.agency_id in selectors.reporting_agency_ids(
        user
    )


# --- Models registry ---------------------------------------------------------------------------


class ModelListView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        user = request.user
        communes = place_choices(user, with_province=False)
        form = forms.ModelFilterForm(request.GET or None, communes=communes)
        models = selectors.community_model_list(user)
        counts = {
            row["kind"]: row["n"]
            for row in selectors.community_model_list(user).values("kind").annotate(n=Count("pk"))
        }
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            if d["kind"]:
                models = models.filter(kind=d["kind"])
            if d["status"]:
                models = models.filter(status=d["status"])
            if d["commune"]:
                models = models.filter(place__code=d["commune"])
        rows = list(standards.with_latest_results(models).order_by("kind", "name"))
        standards.attach_latest(rows)
        context = {
            "form": form,
            "models": rows,
            "kind_counts": [
                (kind, label, counts.get(kind, 0)) for kind, label in ModelKind.choices
            ],
            "total": sum(counts.values()),
            "may_add": may_keep_registry(user),
            **programme_nav(request, "models"),
        }
        return render(request, "programme/models.html", context)


class ModelView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        user = request.user
        model = selectors.community_model_get_for_user(user, pk)
        activities = None
        if may_see_activities(user):
            activities = list(
                selectors.activity_list(user)
                .filter(community_model=model)
                .order_by("-start_date", "-pk")[:100]
            )
        context = {
            "model": model,
            "activities": activities,
            "may_edit": may_edit_model(user, model),
            "assessments": list(standards.assessment_list(user).filter(community_model=model)),
            "reviews": standards.with_survivors_hidden(
                standards.review_list(user).filter(community_model=model)
            ),
            "may_assess": selectors.sees_all_activities(user),
            "has_checklist": bool(standards.checklists_for(user, model=model)),
            **programme_nav(request, "models"),
        }
        return render(request, "programme/model.html", context)


class ModelFormView(PermissionRequiredMixin, View):
    """Register a model, or change its entry (host agency's reporters, the coordinator)."""

    permission = Perm.PROGRAMME_VIEW

    def form(self, data: Any = None, initial: Any = None) -> forms.CommunityModelForm:
        user = self.request.user
        return forms.CommunityModelForm(
            data,
            initial=initial,
            agencies=keeper_agency_choices(user),
            communes=place_choices(user),
        )

    def instance(self, pk: Any) -> CommunityModel | None:
        if pk is None:
            return None
        model = selectors.community_model_get_for_user(self.request.user, pk)
        if not may_edit_model(self.request.user, model):
            raise PermissionDenied
        return model

    def show(self, form, model, *, stale=False, status=200):
        context = {
            "form": form,
            "model": model,
            "stale": stale,
            **programme_nav(self.request, "models"),
        }
        return render(self.request, "programme/model_form.html", context, status=status)

    def get(self, request, pk=None):
        require_keeper(request)
        model = self.instance(pk)
        if model is None:
            initial: dict[str, Any] = {"commune": default_place_code(request.user)}
        else:
            initial = {
                "kind": model.kind,
                "name": model.name,
                "agency": model.agency_id,
                "commune": model.place.code,
                "founded_on": model.founded_on,
                "status": model.status,
                "members_total": model.members_total,
                "members_female": model.members_female,
                "note": model.note,
                "version": model.version,
            }
        return self.show(self.form(initial=initial), model)

    def post(self, request, pk=None):
        require_keeper(request)
        model = self.instance(pk)
        form = self.form(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            place = place_by_code(form.place_code_value)
            agency = Agency.objects.filter(pk=d["agency"]).first()
            if place is None:
                form.add_error(
                    "commune",
                    _("Không có đơn vị hành chính mã %(code)s.") % {"code": form.place_code_value},
                )
            elif agency is not None:
                data = services.ModelInput(
                    kind=d["kind"],
                    name=d["name"],
                    place=place,
                    agency=agency,
                    founded_on=d["founded_on"],
                    status=d["status"],
                    members_total=d["members_total"] or 0,
                    members_female=d["members_female"] or 0,
                    note=d["note"],
                )
                try:
                    saved = services.community_model_save(
                        actor=request.user,
                        data=data,
                        instance=model,
                        version=d.get("version") if model else None,
                        request=request,
                    )
                except ValidationError as exc:
                    if model is not None:
                        model.refresh_from_db()
                        if model.version != d.get("version"):
                            posted = request.POST.copy()
                            posted["version"] = str(model.version)
                            form = self.form(posted)
                            form.is_valid()
                            return self.show(form, model, stale=True, status=409)
                    add_errors(form, exc)
                else:
                    messages.success(request, _("Đã lưu mô hình “%(name)s”.") % {"name": saved})
                    return redirect("programme:model", pk=saved.pk)
        return self.show(form, model, status=400)


# --- Influencers -------------------------------------------------------------------------------


class InfluencerListView(PermissionRequiredMixin, View):
    """Named people for reporters (their agencies') and the coordinator; counts for everyone."""

    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        user = request.user
        groups = dict(InfluencerGroup.choices)
        counts = selectors.influencer_counts(user)
        by_commune: dict[str, dict[str, Any]] = {}
        for row in counts:
            entry = by_commune.setdefault(
                row["place__code"], {"name": row["place__name"], "groups": [], "total": 0}
            )
            entry["groups"].append((groups.get(row["group"], row["group"]), row["count"]))
            entry["total"] += row["count"]
        named = None
        if may_see_activities(user):
            named = list(selectors.influencer_list(user).order_by("place__name", "name"))
        context = {
            "by_commune": list(by_commune.values()),
            "total": sum(e["total"] for e in by_commune.values()),
            "people": named,
            "sexes": dict(Sex.choices),
            "may_add": may_keep_registry(user),
            **programme_nav(request, "influencers"),
        }
        return render(request, "programme/influencers.html", context)


class InfluencerFormView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def form(self, data: Any = None, initial: Any = None) -> forms.InfluencerForm:
        user = self.request.user
        return forms.InfluencerForm(
            data,
            initial=initial,
            agencies=keeper_agency_choices(user),
            communes=place_choices(user, with_province=False),
        )

    def instance(self, pk: Any) -> Influencer | None:
        if pk is None:
            return None
        person = selectors.influencer_list(self.request.user).filter(pk=pk).first()
        if person is None:
            raise Http404
        return person

    def show(self, form, person, status=200):
        context = {"form": form, "person": person, **programme_nav(self.request, "influencers")}
        return render(self.request, "programme/influencer_form.html", context, status=status)

    def get(self, request, pk=None):
        require_keeper(request)
        person = self.instance(pk)
        agencies = keeper_agency_choices(request.user)
        if person is None:
            initial: dict[str, Any] = {
                "commune": default_place_code(request.user),
                "agency": agencies[0][0] if len(agencies) == 1 else None,
            }
        else:
            initial = {
                "name": person.name,
                "group": person.group,
                "title": person.title,
                "sex": person.sex,
                "commune": person.place.code,
                "agency": person.agency_id,
                "active": person.active,
                "note": person.note,
                "version": person.version,
            }
        return self.show(self.form(initial=initial), person)

    def post(self, request, pk=None):
        require_keeper(request)
        person = self.instance(pk)
        form = self.form(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            place = place_by_code(d["commune"], timezone.localdate())
            agency = Agency.objects.filter(pk=d["agency"]).first()
            if place is None:
                form.add_error("commune", _("Hãy chọn xã, phường."))
            elif agency is not None:
                try:
                    saved = services.influencer_save(
                        actor=request.user,
                        name=d["name"],
                        group=d["group"],
                        place=place,
                        agency=agency,
                        title=d["title"],
                        sex=d["sex"],
                        active=d["active"],
                        note=d["note"],
                        instance=person,
                        version=d["version"] if person else None,
                        request=request,
                    )
                except ValidationError as exc:
                    add_errors(form, exc, {"place": "commune"})
                else:
                    messages.success(request, _("Đã lưu “%(name)s”.") % {"name": saved.name})
                    return redirect("programme:influencers")
        return self.show(form, person, status=400)
