"""What a cycle asks each agency to report: narrative sections and numeric tables.

The template is data on the cycle (``Cycle.template``) so the coordinator can add sections;
the numeric tables are defined here, because their figures come from what agencies recorded
(``prefill.recorded_figures``) and are checked against it.

Shape::

    {"sections": [{"key": "results-II.2", "title": "…", "task": "II.2"}, …],
     "tables": ["activities", "budget", "cases"]}
"""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antoan.programme.choices import ActivityKind, FundingSource
from antoan.programme.models import Plan

# The numeric tables, in order: (key, title, rows, columns, editable columns). A row or
# column is (key, label). Cases are never editable: they come from case records, counted and
# suppressed by the system.
ACTIVITY_COLUMNS = [
    ("count", gettext_lazy("Số hoạt động")),
    ("participants", gettext_lazy("Lượt người tham gia")),
    ("female", gettext_lazy("Trong đó nữ")),
    ("male", gettext_lazy("Trong đó nam")),
]
BUDGET_COLUMNS = [
    ("planned", gettext_lazy("Dự toán (đồng)")),
    ("allocated", gettext_lazy("Được giao (đồng)")),
    ("spent", gettext_lazy("Đã chi (đồng)")),
]
CASE_ROWS = [
    ("cases_opened", gettext_lazy("Hồ sơ vụ việc tiếp nhận trong kỳ")),
    ("cases_closed", gettext_lazy("Hồ sơ vụ việc đóng trong kỳ")),
    ("referrals_sent", gettext_lazy("Chuyển gửi đi")),
    ("referrals_received", gettext_lazy("Chuyển gửi đến")),
]
CASE_COLUMNS = [("value", gettext_lazy("Số lượng"))]

TABLES: dict[str, dict[str, Any]] = {
    "activities": {
        "title": gettext_lazy("Hoạt động đã thực hiện"),
        "rows": list(ActivityKind.choices),
        "columns": ACTIVITY_COLUMNS,
        "editable": {"count", "participants", "female", "male"},
    },
    "budget": {
        "title": gettext_lazy("Kinh phí"),
        "rows": list(FundingSource.choices),
        "columns": BUDGET_COLUMNS,
        "editable": {"spent"},
    },
    "cases": {
        "title": gettext_lazy("Tiếp nhận, hỗ trợ người bị bạo lực (số liệu đã ẩn số nhỏ)"),
        "rows": CASE_ROWS,
        "columns": CASE_COLUMNS,
        "editable": set(),
    },
}

FIXED_SECTIONS = [
    ("difficulties", gettext_lazy("Khó khăn, vướng mắc")),
    ("recommendations", gettext_lazy("Đề xuất, kiến nghị")),
    ("next_year", gettext_lazy("Nhiệm vụ năm tiếp theo")),
]


def task_sections(plan: Plan) -> list[dict[str, str]]:
    """One "results" section per group of tasks: the second level of the plan's task tree
    under its first top-level item ("II. Nhiệm vụ và giải pháp" → II.1 … II.7)."""
    roots = list(plan.tasks.filter(parent__isnull=True).order_by("order", "pk"))
    root = next((r for r in roots if r.children.exists()), None)
    if root is None:
        return []
    return [
        {
            "key": f"results-{t.code}",
            "title": _("Kết quả thực hiện: %(code)s. %(title)s")
            % {"code": t.code, "title": (t.title or t.text)[:160].rstrip()},
            "task": t.code,
        }
        for t in root.children.order_by("order", "pk")
    ]


def default_template(plan: Plan) -> dict[str, Any]:
    sections = task_sections(plan) or [
        {"key": "results", "title": _("Kết quả thực hiện"), "task": ""}
    ]
    sections += [{"key": key, "title": str(title), "task": ""} for key, title in FIXED_SECTIONS]
    return {"sections": sections, "tables": list(TABLES)}


def section_key(title: str, taken: set[str]) -> str:
    base = f"extra-{slugify(title)[:40] or 'muc'}"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def sections_of(template: dict[str, Any]) -> list[dict[str, str]]:
    return [s for s in template.get("sections", []) if isinstance(s, dict) and s.get("key")]


def tables_of(template: dict[str, Any]) -> list[str]:
    return [t for t in template.get("tables", list(TABLES)) if t in TABLES]
