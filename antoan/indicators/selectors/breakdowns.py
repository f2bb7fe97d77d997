"""Breakdowns (disaggregations): their categories, in a fixed order, and their labels.

Every category is listed even when nothing falls in it, so that a table always has the same
rows and a zero is shown as a zero.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antoan.accounts.models import Agency
from antoan.cases import choices as c
from antoan.hotline import choices as h

# Codes of the ``by`` parameter besides "commune", with their names.
BREAKDOWNS = {
    "sex": gettext_lazy("Giới tính"),
    "age_band": gettext_lazy("Nhóm tuổi"),
    "gbv_type": gettext_lazy("Loại bạo lực"),
    "category": gettext_lazy("Loại vụ việc"),
    "outcome": gettext_lazy("Kết quả cuộc gọi"),
    "hour": gettext_lazy("Giờ trong ngày"),
    "agency": gettext_lazy("Cơ quan nhận"),
    "service": gettext_lazy("Dịch vụ"),
    "overdue": gettext_lazy("Loại việc quá hạn"),
    "source": gettext_lazy("Nguồn kinh phí"),
}
# The breakdowns that describe a person: filters and ``by`` of the public API.
PERSONAL = ("sex", "age_band", "gbv_type")

AGE_BANDS = [value for value, _label in c.AgeGroup.choices]
PENDING_OUTCOME = "pending"
# A hotline contact answered but not classified yet (the operator records the category while
# or after talking): its own category, never mixed with "other".
UNCLASSIFIED = "unclassified"
OVERDUE_KINDS = {
    "assessment": gettext_lazy("Chưa đánh giá quá 3 ngày"),
    "case_plan": gettext_lazy("Chưa lập kế hoạch quá 7 ngày"),
    "follow_up": gettext_lazy("Quá hạn theo dõi"),
    "measure_decision": gettext_lazy("Quá hạn quyết định biện pháp"),
}


def categories(dim: str, found: list[str] | None = None) -> list[str]:
    """The categories of a breakdown in display order; ``found`` adds data-driven ones."""
    found = found or []
    fixed: list[str]
    if dim == "sex":
        fixed = list(c.Sex.values)
    elif dim == "age_band":
        fixed = AGE_BANDS
    elif dim == "gbv_type":
        fixed = list(c.GbvType.values)
    elif dim == "category":
        fixed = [*h.Category.values, UNCLASSIFIED]
    elif dim == "outcome":
        fixed = [*h.Outcome.values, PENDING_OUTCOME]
    elif dim == "hour":
        fixed = [str(hour) for hour in range(24)]
    elif dim == "service":
        fixed = list(c.Need.values)
    elif dim == "overdue":
        fixed = list(OVERDUE_KINDS)
    else:
        return sorted(found, key=lambda v: (len(v), v))
    return fixed + sorted(set(found) - set(fixed))


def category_labels(dim: str, values: list[str]) -> dict[str, str]:
    """Labels of categories in the request's language."""
    labels: dict[str, Any]
    if dim == "sex":
        labels = dict(c.Sex.choices)
    elif dim == "age_band":
        labels = dict(c.AgeGroup.choices)
    elif dim == "gbv_type":
        labels = dict(c.GbvType.choices)
    elif dim == "category":
        labels = {**dict(h.Category.choices), UNCLASSIFIED: _("Chưa phân loại")}
    elif dim == "outcome":
        labels = {**dict(h.Outcome.choices), PENDING_OUTCOME: _("Chưa kết thúc")}
    elif dim == "hour":
        labels = {v: f"{int(v):02d}:00–{int(v):02d}:59" for v in values}
    elif dim == "service":
        labels = dict(c.Need.choices)
    elif dim == "overdue":
        labels = dict(OVERDUE_KINDS)
    elif dim == "agency":
        ids = [int(v) for v in values if v.isdigit()]
        labels = {
            str(pk): name
            for pk, name in Agency.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    elif dim == "source":
        from antoan.programme.choices import FundingSource

        labels = dict(FundingSource.choices)
    else:
        labels = {}
    return {v: str(labels.get(v, v)) for v in values}
