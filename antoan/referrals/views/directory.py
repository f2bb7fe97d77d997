"""The service directory, a provider's page and the printable referral pathway."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases.views.common import commune_choices
from antoan.core.audit import audit_record
from antoan.core.permissions import PermissionRequiredMixin
from antoan.places.models import Place
from antoan.referrals import forms, selectors, services


def commune_by_code(code: str) -> Place | None:
    if not code:
        return None
    return Place.objects.valid_on(timezone.localdate()).filter(code=code, level="commune").first()


class DirectoryView(PermissionRequiredMixin, View):
    permission = Perm.PROVIDERS_VIEW

    def get(self, request):
        choices = commune_choices(request.user, Perm.PROVIDERS_VIEW)
        form = forms.DirectoryFilter(request.GET or None, communes=choices)
        service, commune = "", None
        if form.is_valid():
            service = form.cleaned_data["service"]
            commune = commune_by_code(form.cleaned_data["commune"])
        providers = list(selectors.providers_list(service=service, commune=commune))
        return render(
            request,
            "referrals/directory.html",
            {"form": form, "providers": providers, "commune": commune},
        )


class ProviderView(PermissionRequiredMixin, View):
    permission = Perm.PROVIDERS_VIEW

    def show(self, request, provider, form=None):
        see_location = selectors.can_see_location(request.user, provider)
        if see_location:
            audit_record(
                action="view",
                request=request,
                object_type="provider_location",
                object_id=provider.pk,
            )
        can_update = selectors.can_update_occupancy(request.user, provider)
        if can_update and form is None:
            form = forms.OccupancyForm(
                initial={"occupancy": provider.occupancy, "version": provider.version}
            )
        return render(
            request,
            "referrals/provider.html",
            {
                "provider": provider,
                "see_location": see_location,
                "occupancy_form": form if can_update else None,
            },
        )

    def get(self, request, pk):
        return self.show(request, selectors.provider_get(pk))

    def post(self, request, pk):
        provider = selectors.provider_get(pk)
        if not selectors.can_update_occupancy(request.user, provider):
            raise Http404
        form = forms.OccupancyForm(request.POST)
        if form.is_valid():
            try:
                services.shelter_occupancy_set(
                    provider=provider,
                    actor=request.user,
                    occupancy=form.cleaned_data["occupancy"],
                    version=form.cleaned_data["version"],
                    request=request,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Đã cập nhật số người đang ở."))
                return redirect("referrals:provider", pk=provider.pk)
        return self.show(request, selectors.provider_get(pk), form)


class PathwayView(PermissionRequiredMixin, View):
    """A printable sheet: for each service, who serves the commune, when and on which phone."""

    permission = Perm.PROVIDERS_VIEW

    def get(self, request, code):
        commune = commune_by_code(code)
        if commune is None:
            raise Http404
        return render(
            request,
            "referrals/pathway.html",
            {
                "commune": commune,
                "rows": selectors.referral_pathway(commune),
                "emergency": selectors.emergency_contacts(commune),
                "printed_at": timezone.localtime(),
            },
        )
