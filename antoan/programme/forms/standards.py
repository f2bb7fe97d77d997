"""Forms of assessments against a checklist and of model reviews. They parse what was typed;
the services enforce the rules (a score within its criterion's range, every criterion scored
in a final assessment, a review period that has ended)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.cases.forms.base import StyledForm, date_field, text_area
from antoan.programme.choices import AssessmentStatus, ReviewDecision
from antoan.programme.forms.activity import number
from antoan.programme.models import Assessment, AssessmentScore, Criterion, ModelReview, text_limit


def score_field(criterion: Criterion) -> str:
    return f"score_{criterion.code}"


def note_field(criterion: Criterion) -> str:
    return f"note_{criterion.code}"


class AssessmentForm(StyledForm):
    """The assessment's header, then a score and an evidence note for each criterion."""

    assessed_on = date_field(_("Ngày đánh giá"))
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=AssessmentStatus.choices,
        initial=AssessmentStatus.DRAFT,
        widget=forms.RadioSelect,
        help_text=_(
            "Lưu nháp để chấm tiếp sau; khi hoàn thành, mọi tiêu chí phải có điểm và đánh giá "
            "không sửa được nữa."
        ),
    )
    note = forms.CharField(
        label=_("Nhận xét chung"),
        required=False,
        max_length=text_limit(Assessment, "note"),
        widget=text_area(3),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        note_limit = text_limit(AssessmentScore, "note")
        for c in criteria:
            self.fields[score_field(c)] = forms.IntegerField(
                label=_("Điểm (0-%(max)s)") % {"max": c.max_score},
                required=False,
                error_messages={"invalid": _("Nhập một số nguyên.")},
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control score-input",
                        "min": 0,
                        "max": c.max_score,
                        "inputmode": "numeric",
                    }
                ),
            )
            self.fields[note_field(c)] = forms.CharField(
                label=_("Minh chứng, ghi chú"),
                required=False,
                max_length=note_limit,
                widget=forms.Textarea(attrs={"rows": 1, "class": "form-control"}),
            )
        self.error_aliases = {f"scores.{c.code}": score_field(c) for c in criteria}

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each criterion with its bound fields, groups marked."""
        out, group = [], None
        for c in self.criteria:
            out.append(
                {
                    "criterion": c,
                    "new_group": c.group if c.group != group else None,
                    "score": self[score_field(c)],
                    "note": self[note_field(c)],
                }
            )
            group = c.group
        return out

    def header_fields(self) -> list[Any]:
        return [self[name] for name in ("assessed_on", "status", "note")]


class ReviewForm(StyledForm):
    period_start = date_field(_("Kỳ rà soát từ ngày"))
    period_end = date_field(_("đến ngày"))
    members_total = number(_("Số thành viên"))
    members_female = number(_("trong đó nữ"))
    people_served = number(
        _("Số người được mô hình phục vụ trong kỳ"),
        help_text=_("Người được tư vấn, hỗ trợ, tạm lánh… do mô hình ghi nhận."),
    )
    survivors_supported = number(
        _("Số người bị bạo lực được hỗ trợ"),
        help_text=_("Chỉ ghi số lượng; không ghi tên hay thông tin nhận dạng."),
    )
    decision = forms.ChoiceField(
        label=_("Quyết định"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Lý do"), max_length=text_limit(ModelReview, "reasons"), widget=text_area(4)
    )
    decided_on = date_field(_("Ngày quyết định"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("members_total", "members_female", "people_served", "survivors_supported"):
            self.fields[name].required = True
            self.fields[name].widget.attrs.update({"class": "form-control", "min": 0})
