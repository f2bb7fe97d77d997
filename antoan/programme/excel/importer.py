"""Importing a filled-in template: every row checked, then all rows saved, or none.

Each row becomes an ``ActivityInput`` and goes through ``services.activity_create`` like an
activity typed on a page, inside one transaction that is rolled back if any row of the file has
any problem. Each row carries an ``import_key`` (a hash of its content, kind and plan), so the
same file uploaded twice finds the rows it created the first time instead of adding them again.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.programme import services
from antoan.programme.choices import ActivityKind, RecommendationStatus
from antoan.programme.excel import columns as cols
from antoan.programme.excel.parsing import AGE_FIELDS, Lookups, import_key, parse_cells
from antoan.programme.excel.reader import (
    MAX_PROBLEMS,
    CellError,
    Problem,
    Refused,
    Row,
    Sheet,
    open_workbook,
    read_sheet,
    refuse,
    template_kind,
)
from antoan.programme.models import Activity, CommunityModel, Plan, Recommendation, Trainee
from antoan.programme.services.checks import validate_activity


@dataclass
class Outcome:
    row: int
    title: str
    status: str  # "created" | "existing" | "repeated"
    activity_id: int | None = None
    same_as: int | None = None


@dataclass
class ImportResult:
    kind: str
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    total_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def created(self) -> int:
        return sum(o.status == "created" for o in self.outcomes)

    @property
    def skipped(self) -> int:
        return sum(o.status != "created" for o in self.outcomes)


@dataclass
class Pending:
    row: Row
    values: dict[str, Any]
    kind: str | None = None  # from the row's "Loại hoạt động", else the template's
    trainees: list[services.TraineeInput] = field(default_factory=list)
    recommendations: list[services.RecommendationInput] = field(default_factory=list)


# Fields whose checks depend on each other: when one cell of a group is wrong, what the service
# would say about the group's sums is noise until that cell is fixed.
PEOPLE = {
    "participants_total",
    "participants_female",
    "participants_male",
    "participants_other",
    *AGE_FIELDS,
    "ages",
    "trainees",
}
DATES = {"start_date", "end_date"}


class FileImport:
    """One upload: read, check, then save in one transaction (or roll everything back).

    The kind of each row comes from the file: a one-kind template says its kind (a defined
    name), the all-kinds template has a "Loại hoạt động" column. ``kind``, when a caller gives
    it, is the kind the caller expects: a one-kind template of another kind is refused.
    """

    def __init__(
        self,
        *,
        actor: Any,
        plan: Plan,
        agency: Agency,
        models: list[CommunityModel],
        max_rows: int,
        request: Any = None,
        kind: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        on_saved: Callable[[ImportResult], None] | None = None,
    ):
        """``progress(done, total)`` is told of rows checked then saved (a job's bar);
        ``on_saved(result)`` runs inside the transaction that saved the rows, so what it
        records (a job done) is committed with them, or rolled back with them."""
        self.actor, self.plan, self.agency = actor, plan, agency
        self.progress = progress or (lambda done, total: None)
        self.on_saved = on_saved
        self.expected, self.kind = kind, kind
        self.request, self.max_rows = request, max_rows
        self.lookups = Lookups(plan, models)
        self.columns = cols.import_columns(kind)
        every = cols.template_columns(cols.ALL_KINDS)
        self.headers = {c.key: cols.in_format_language(c.header) for c in every}
        self.column_kinds = cols.kinds_of_column()
        self.result = ImportResult(kind or cols.ALL_KINDS)

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.result.total_problems += 1
        if len(self.result.problems) < MAX_PROBLEMS:
            self.result.problems.append(Problem(sheet, row, column, message))

    def run(self, data: bytes) -> ImportResult:
        try:
            main, children = self.read(data)
        except Refused as exc:
            for p in exc.problems:
                self.problem(p.sheet, p.row, p.column, p.message)
            return self.result
        for sheet in (main, *(child for child, _kind in children)):
            for p in sheet.problems:
                self.problem(p.sheet, p.row, p.column, p.message)
        pending = self.parse(main, children)
        self.save(pending)
        order = {cols.SHEET_DATA: 0}
        self.result.problems.sort(key=lambda p: (order.get(p.sheet, 1), p.row or 0))
        return self.result

    def read(self, data: bytes) -> tuple[Sheet, list[tuple[Sheet, str]]]:
        """The data sheet and the child sheets present, each with the kind its rows belong to."""
        wb = open_workbook(data)
        try:
            found = template_kind(wb)
            if found == cols.EXPORT_KIND:
                raise refuse(
                    _(
                        "Đây là tệp xuất dữ liệu, không phải mẫu nhập. Hãy tải mẫu “%(kind)s”, "
                        "chép các dòng cần nhập vào mẫu rồi tải lên."
                    )
                    % {"kind": _("Mọi loại hoạt động")}
                )
            if self.expected and found and found not in (self.expected, cols.ALL_KINDS):
                other = ActivityKind(found).label if found in ActivityKind.values else found
                raise refuse(
                    _(
                        "Tệp này là mẫu “%(found)s” nhưng bạn chọn loại hoạt động “%(kind)s”. "
                        "Hãy chọn đúng loại hoạt động, hoặc dùng đúng mẫu."
                    )
                    % {"found": other, "kind": ActivityKind(self.expected).label}
                )
            if found in ActivityKind.values:
                self.kind = found
            elif found == cols.ALL_KINDS:
                self.kind = None
            self.columns = cols.import_columns(self.kind)
            label = (
                cols.in_format_language(ActivityKind(self.kind).label)
                if self.kind
                else _("mọi loại hoạt động")
            )
            main = read_sheet(
                wb,
                cols.SHEET_DATA,
                self.columns,
                max_rows=self.max_rows,
                template=label,
                limits=cols.cell_limits(self.columns, Activity),
            )
            if main is None:
                raise refuse(
                    _(
                        "Không có trang tính “%(sheet)s” trong tệp (tệp có: %(found)s). Hãy dùng "
                        "mẫu tải từ hệ thống và nhập vào trang “%(sheet)s”."
                    )
                    % {"sheet": cols.SHEET_DATA, "found": ", ".join(wb.sheetnames)}
                )
            children = []
            for name, child_columns in cols.child_sheets(self.kind or cols.ALL_KINDS):
                training = name == cols.SHEET_TRAINEES
                child_kind = ActivityKind.TRAINING if training else ActivityKind.INSPECTION
                child_model = Trainee if training else Recommendation
                child = read_sheet(
                    wb,
                    name,
                    child_columns,
                    max_rows=self.max_rows,
                    template=label,
                    limits=cols.cell_limits(child_columns, child_model),
                )
                if child is not None:
                    children.append((child, child_kind))
        except (zipfile.BadZipFile, EOFError, zlib.error, SyntaxError, KeyError):
            # openpyxl reads a sheet only when its rows are asked for: a member whose content
            # does not match its checksum, or XML that does not parse, fails here.
            raise refuse(
                _("Không đọc được tệp: tệp bị hỏng hoặc không phải tệp Excel (.xlsx).")
            ) from None
        finally:
            wb.close()
        if not main.rows and not main.problems:
            raise refuse(
                _("Trang “%(sheet)s” chưa có dòng dữ liệu nào.") % {"sheet": cols.SHEET_DATA},
                sheet=cols.SHEET_DATA,
            )
        return main, children

    def parse(self, main: Sheet, children: list[tuple[Sheet, str]]) -> list[Pending]:
        # Cells the reader refused (a formula, too long): their row has a problem there already.
        key_of = {header: key for key, header in self.headers.items()}
        unread: dict[int, set[str]] = {}
        for p in main.problems:
            if p.row is not None and p.column in key_of:
                unread.setdefault(p.row, set()).add(key_of[p.column])
        pending: list[Pending] = []
        by_ref: dict[str, Pending] = {}
        ref_rows: dict[str, int] = {}
        total = 2 * len(main.rows)  # checked, then saved
        for done, row in enumerate(main.rows):
            self.progress(done, total)
            values, errors = parse_cells(row, main.columns, self.lookups)
            if "start_date" in values and values.get("end_date") is None:
                # A one-day activity: what is wrong with the day is said once, on "Từ ngày".
                values["end_date"] = values["start_date"]
                values["end_date_blank"] = True
            raw_place = values.get("place")
            if raw_place and "start_date" in values:
                try:
                    values["place"] = self.lookups.place(raw_place, values["start_date"])
                except CellError as exc:
                    errors["place"] = str(exc)
            ref = values.get("ref")
            if ref:
                if ref in ref_rows:
                    errors["ref"] = _("Mã dòng “%(ref)s” đã dùng ở dòng %(row)s.") % {
                        "ref": ref,
                        "row": ref_rows[ref],
                    }
                ref_rows.setdefault(ref, row.number)
            kind = self.row_kind(row, values, errors)
            more = (
                self.other_problems(row, values, {*errors, *unread.get(row.number, ())}, kind)
                if errors or row.broken
                else []
            )
            for key, message in errors.items():
                self.problem(main.name, row.number, self.headers.get(key, key), message)
            for column, message in more:
                self.problem(main.name, row.number, column, message)
            item = Pending(row, values, kind) if not errors and not row.broken else None
            if item is not None:
                pending.append(item)
            if ref and ref not in by_ref:
                by_ref[ref] = item or Pending(row, {}, kind)
        for child, child_kind in children:
            self.parse_children(child, child_kind, by_ref, ref_rows)
        return pending

    def row_kind(self, row: Row, values: dict, errors: dict) -> str | None:
        """The row's kind; a cell in a column of another kind is a problem, not lost silently."""
        kind = values.get("kind") or self.kind
        if not kind:
            return None
        own = services.KIND_FIELDS.get(kind, {})
        for key in row.values:
            kinds = self.column_kinds.get(key)
            if kinds is None or key in own:
                continue
            values.pop(key, None)
            errors[key] = _(
                "Cột này chỉ dành cho loại %(kinds)s; dòng này là “%(kind)s”. Hãy để trống ô "
                "này, hoặc sửa cột “%(column)s”."
            ) % {
                "kinds": ", ".join(f"“{ActivityKind(k).label}”" for k in kinds),
                "kind": ActivityKind(kind).label,
                "column": self.headers["kind"],
            }
        return kind

    def other_problems(
        self, row: Row, values: dict, known: set[str], kind: str | None
    ) -> list[tuple[str, str]]:
        """What the activity's rules also say about a row that already has a wrong cell, so
        that one upload reports every problem of the row, not the first one found.

        Cells that could not be read stand in as blanks (a date as the plan's first day) and
        the rules about them, or about sums that include them, are left out: those cells
        already have their problem.
        """
        if not kind:
            return []
        skip = set(known)
        if skip & PEOPLE:
            skip |= PEOPLE
        start = values.get("start_date")
        if start is None or skip & DATES or values.get("end_date_blank"):
            skip |= {"end_date"} if start is not None else DATES
        day = start or self.plan.period_start
        stand_in = {
            **values,
            "start_date": day,
            "end_date": values.get("end_date") or day,
            "place": values.get("place"),
        }
        data = self.activity_input(Pending(row, stand_in, kind))
        problems = validate_activity(self.plan, data)
        return [
            (self.column_of(name), message)
            for name, messages in problems.items()
            if name not in skip
            for message in messages
        ]

    def column_of(self, name: str) -> str:
        """The service names fields; the person sees the columns of their file."""
        special = {
            "ages": " / ".join(self.headers[n] for n in AGE_FIELDS),
            "spending": _("Kinh phí"),
            "trainees": _("Trang %(sheet)s") % {"sheet": cols.SHEET_TRAINEES},
            "recommendations": _("Trang %(sheet)s") % {"sheet": cols.SHEET_RECOMMENDATIONS},
            NON_FIELD_ERRORS: "",
        }
        return special.get(name, self.headers.get(name, ""))

    def parse_children(
        self, sheet: Sheet, kind: str, by_ref: dict[str, Pending], refs: dict
    ) -> None:
        headers = {c.key: cols.in_format_language(c.header) for c in sheet.columns}
        for row in sheet.rows:
            values, errors = parse_cells(row, sheet.columns, self.lookups)
            ref: str = values.get("ref") or ""
            if ref and ref not in refs:
                errors["ref"] = _("Không có dòng nào ở trang “%(sheet)s” có Mã dòng “%(ref)s”.") % {
                    "sheet": cols.SHEET_DATA,
                    "ref": ref,
                }
            elif ref and by_ref[ref].kind not in (None, kind):
                errors["ref"] = _(
                    "Mã dòng “%(ref)s” (dòng %(row)s của trang “%(sheet)s”) là hoạt động loại "
                    "“%(other)s”; trang này chỉ dành cho loại “%(kind)s”."
                ) % {
                    "ref": ref,
                    "row": refs[ref],
                    "sheet": cols.SHEET_DATA,
                    "other": ActivityKind(by_ref[ref].kind).label,
                    "kind": ActivityKind(kind).label,
                }
            for key, message in errors.items():
                self.problem(sheet.name, row.number, headers.get(key, key), message)
            if errors or row.broken:
                continue
            if kind == ActivityKind.TRAINING:
                by_ref[ref].trainees.append(
                    services.TraineeInput(
                        full_name=values["full_name"],
                        sex=values["sex"],
                        position=values.get("position", ""),
                        agency_name=values.get("agency_name", ""),
                        pre_score=values.get("pre_score"),
                        post_score=values.get("post_score"),
                    )
                )
            else:
                by_ref[ref].recommendations.append(
                    services.RecommendationInput(
                        text=values["text"],
                        responsible=values.get("responsible", ""),
                        due_date=values.get("due_date"),
                        status=values.get("status", RecommendationStatus.OPEN),
                        follow_up=values.get("follow_up", ""),
                    )
                )

    def activity_input(self, item: Pending) -> services.ActivityInput:
        v, kind = item.values, item.kind or ""
        trainees = recommendations = None
        if kind == ActivityKind.TRAINING:
            trainees = list(item.trainees)
        elif kind == ActivityKind.INSPECTION:
            recommendations = list(item.recommendations)
        people = {
            "participants_total": v.get("participants_total"),
            "participants_female": v.get("participants_female", 0),
            "participants_male": v.get("participants_male", 0),
            "participants_other": v.get("participants_other", 0),
        }
        if people["participants_total"] is None and trainees:
            people.update(services.trainee_totals(trainees))
        return services.ActivityInput(
            kind=kind,
            title=v.get("title", ""),
            tasks=v.get("tasks", []),
            agency=self.agency,
            place=v["place"],
            start_date=v["start_date"],
            end_date=v["end_date"],
            description=v.get("description", ""),
            partners_other=v.get("partners_other", ""),
            target_groups=v.get("target_groups", []),
            ages={name: v.get(name) for name in AGE_FIELDS},
            details={k: v[k] for k in services.KIND_FIELDS.get(kind, {}) if k in v},
            spending={
                key.split(":", 1)[1]: amount
                for key, amount in v.items()
                if key.startswith("spending:") and amount
            },
            trainees=trainees,
            recommendations=recommendations,
            **people,
        )

    def save(self, pending: list[Pending]) -> None:
        first: dict[str, Outcome] = {}  # import key -> the row that carried it first
        outcomes: list[Outcome] = []
        total = 2 * len(pending)
        with transaction.atomic():
            for done, item in enumerate(pending):
                self.progress(len(pending) + done, total)
                data = self.activity_input(item)
                key = import_key(data.kind, self.plan, data)
                number = item.row.number
                if key in first:
                    earlier = first[key]
                    outcomes.append(
                        Outcome(number, data.title, "repeated", earlier.activity_id, earlier.row)
                    )
                    continue
                try:
                    activity, created = services.activity_create(
                        actor=self.actor,
                        plan=self.plan,
                        data=data,
                        import_key=key,
                        request=self.request,
                    )
                except ValidationError as exc:
                    skip = {"end_date"} if item.values.get("end_date_blank") else set()
                    self.service_problems(number, exc, skip=skip)
                    continue
                status = "created" if created else "existing"
                first[key] = Outcome(number, data.title, status, activity.pk)
                outcomes.append(first[key])
            if self.result.problems:
                transaction.set_rollback(True)
                return
            self.result.outcomes = outcomes
            if self.on_saved is not None:
                self.on_saved(self.result)

    def service_problems(self, row: int, exc: ValidationError, skip: set[str]) -> None:
        """The service's refusal of a row, each message under its column."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.problem(cols.SHEET_DATA, row, "", message)
            return
        for name, messages in exc.message_dict.items():
            if name in skip:
                continue
            column = self.column_of(name)
            for message in messages:
                self.problem(cols.SHEET_DATA, row, column, message)


def run_import(
    *,
    actor: Any,
    plan: Plan,
    agency: Agency,
    data: bytes,
    models: list[CommunityModel],
    max_rows: int,
    request: Any = None,
    kind: str | None = None,
) -> ImportResult:
    """Check every row of an uploaded template and import them all, or none. The rows' kinds
    come from the file; ``kind`` only refuses a one-kind template of another kind."""
    return FileImport(
        actor=actor,
        plan=plan,
        kind=kind,
        agency=agency,
        models=models,
        max_rows=max_rows,
        request=request,
    ).run(data)
