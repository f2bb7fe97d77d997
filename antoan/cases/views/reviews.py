"""The provincial review of possible duplicates across agencies.

The reviewer decides from what is needed and no more: case numbers, agencies, the dates the
cases were opened, what matched (name and birth year, or phone), sex and birth year. Never a
name, a phone or an address, and no link to either case (the reviewer may open neither).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.roles import Perm
from antoan.cases import choices as c
from antoan.cases import forms, selectors
from antoan.cases.services import duplicates
from antoan.cases.views.common import apply_errors
from antoan.core.permissions import PermissionRequiredMixin, deny


class ReviewerMixin(PermissionRequiredMixin):
    permission = Perm.CASES_RECONCILE

    def check_reviewer(self) -> None:
        # The permission alone is not enough: only a provincial agency reviews.
        if selectors.reconciling_membership(self.request.user) is None:
            deny(self.request, self.permission)


class DuplicateReviewsView(ReviewerMixin, View):
    def get(self, request, *args, **kwargs):
        self.check_reviewer()
        status = request.GET.get("status", c.DuplicateStatus.OPEN)
        if status == "all":
            status = ""
        rows = list(selectors.duplicate_reviews_for(request.user, status=status, request=request))
        return render(
            request,
            "cases/duplicate_reviews.html",
            {"reviews": rows, "status": status or "all", "statuses": c.DuplicateStatus.choices},
        )


class DuplicateReviewDecideView(ReviewerMixin, View):
    def form_for(self, review, data=None):
        allowed = set(duplicates.DECISIONS[c.DuplicateStatus(review.status)])
        if not selectors.contact_allowed(review):
            allowed.discard(c.DuplicateStatus.IN_TOUCH)  # not offered without consent
        return forms.DuplicateDecisionForm(
            data, allowed=sorted(allowed), initial={"version": review.version}
        )

    def show(self, review, form, *, status: int = 200):
        context = {
            "review": review,
            "form": form,
            "can_decide": bool(form.fields["decision"].choices),
            # "In touch" would be possible from this status, but consent does not allow it.
            "no_consent": c.DuplicateStatus.IN_TOUCH
            in duplicates.DECISIONS[c.DuplicateStatus(review.status)]
            and c.DuplicateStatus.IN_TOUCH
            not in {value for value, _label in form.fields["decision"].choices},
        }
        return render(self.request, "cases/duplicate_review.html", context, status=status)

    def get(self, request, *args, **kwargs):
        self.check_reviewer()
        review = selectors.duplicate_review_get(request.user, kwargs["review_id"], request=request)
        return self.show(review, self.form_for(review))

    def post(self, request, *args, **kwargs):
        self.check_reviewer()
        review = selectors.duplicate_review_get(request.user, kwargs["review_id"], request=request)
        form = self.form_for(review, request.POST)
        if not form.is_valid():
            return self.show(review, form, status=400)
        try:
            duplicates.duplicate_review_decide(
                review=review,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except duplicates.ReviewConflict as conflict:
            messages.warning(
                request,
                _("Người khác vừa quyết định về cặp hồ sơ này; hãy xem lại trước khi quyết định."),
            )
            return self.show(conflict.review, self.form_for(conflict.review), status=409)
        except ValidationError as error:
            apply_errors(error, [form])
            return self.show(review, form, status=400)
        messages.success(request, _("Đã ghi nhận kết luận."))
        return redirect("cases:duplicate_reviews")
