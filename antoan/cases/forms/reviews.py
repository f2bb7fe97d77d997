"""The provincial reviewer's decision on a possible duplicate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.cases import choices as c
from antoan.cases.forms.base import VersionedForm, text_area


class DuplicateDecisionForm(VersionedForm):
    decision = forms.ChoiceField(label=_("Kết luận"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=2000,
        widget=text_area(2),
        help_text=_("Căn cứ để kết luận. Không ghi họ tên, số điện thoại."),
    )

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the decisions open from the review's status; "in touch" only with consent.
        self.fields["decision"].choices = [
            (value, label) for value, label in c.DuplicateStatus.choices if value in allowed
        ]
