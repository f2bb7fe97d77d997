"""Forms of the reporting pages. The submission form is built from the cycle's template: one
text area per narrative section, one number per editable cell of each table."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from antoan.cases.forms.base import StyledForm, date_field
from antoan.programme.forms.activity import MoneyField
from antoan.reports.models import NARRATIVE_MAX
from antoan.reports.template import TABLES, sections_of, tables_of


def cell_name(table: str, row: str, col: str) -> str:
    return f"f__{table}__{row}__{col}"


class SubmissionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, submission: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.sections = sections_of(submission.cycle.template)
        # Text written under a section the coordinator later renamed or that came from an
        # earlier template stays editable: nothing a reporter wrote is dropped.
        known = {s["key"] for s in self.sections}
        self.sections += [
            {"key": key, "title": str(_("Mục khác (theo mẫu cũ)")), "task": ""}
            for key, text in submission.narratives.items()
            if key not in known and (text or "").strip()
        ]
        for s in self.sections:
            self.fields[f"n__{s['key']}"] = forms.CharField(
                label=s["title"],
                required=False,
                max_length=NARRATIVE_MAX,
                widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
                initial=submission.narratives.get(s["key"], ""),
            )
        self.cells: dict[str, dict[str, dict[str, str]]] = {}
        for table in tables_of(submission.cycle.template):
            spec = TABLES[table]
            for row, row_label in spec["rows"]:
                for col, col_label in spec["columns"]:
                    if col not in spec["editable"]:
                        continue
                    name = cell_name(table, row, col)
                    value = submission.figures.get(table, {}).get(row, {}).get(col, 0)
                    money = table == "budget"
                    # Money as people write it ("15.000.000"); counts as plain numbers.
                    field_class = MoneyField if money else forms.IntegerField
                    self.fields[name] = field_class(
                        label=f"{row_label} – {col_label}",
                        min_value=0,
                        max_value=10**16 - 1,
                        required=False,
                        initial=number_format(value, force_grouping=True) if money else value,
                        error_messages={"invalid": _("Nhập một số nguyên, ví dụ 15.000.000.")},
                        widget=forms.TextInput(
                            attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}
                        ),
                    )
        self.fields["version"].initial = submission.version

    def narrative_fields(self) -> list[Any]:
        return [self[f"n__{s['key']}"] for s in self.sections]

    def narratives(self) -> dict[str, str]:
        return {s["key"]: self.cleaned_data.get(f"n__{s['key']}") or "" for s in self.sections}

    def figures(self) -> dict[str, dict[str, dict[str, int]]]:
        """The typed numbers; a cell left empty takes the recorded figure (an empty cell is
        no claim that contradicts the records)."""
        recorded = self.submission.recorded
        out: dict[str, dict[str, dict[str, int]]] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("f__"):
                _prefix, table, row, col = name.split("__")
                if value is None:
                    value = recorded.get(table, {}).get(row, {}).get(col) or 0
                out.setdefault(table, {}).setdefault(row, {})[col] = value
        return out


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("Lý do"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AttachmentForm(StyledForm):
    file = forms.FileField(
        label=_("Tệp đính kèm"),
        help_text=_("PDF, Word (.docx), Excel (.xlsx), ảnh JPEG hoặc PNG."),
    )


class CycleForm(StyledForm):
    period_start = date_field(_("Số liệu từ ngày"))
    period_end = date_field(_("Số liệu đến ngày"))
    due_date = date_field(_("Hạn nộp"))
    sections = forms.CharField(
        label=_("Các mục nội dung"),
        help_text=_(
            "Mỗi dòng một mục. Sửa tên mục ngay trên dòng của nó; thêm dòng để thêm mục. Mục "
            "đã có cơ quan viết nội dung thì không bỏ được."
        ),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20_000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def sections_input(self, old: list[dict[str, str]]) -> list[dict[str, str]]:
        """The typed lines as sections. While the count is kept, a line keeps the key of the
        section at its place (renaming in place keeps what agencies wrote under it); with
        fewer lines, a line keeps the key of the section with its exact title; new ones get
        a new key from the service."""
        lines = [line.strip() for line in self.cleaned_data["sections"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) < len(old):
            keys = {s["title"]: s["key"] for s in old}
            return [{"key": keys.get(title, ""), "title": title} for title in lines]
        return [
            {"key": old[i]["key"] if i < len(old) else "", "title": title}
            for i, title in enumerate(lines)
        ]
