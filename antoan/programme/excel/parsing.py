"""From cells to values: plan tasks, places on the activity's date, models, choices; and the
key that recognises a row already imported."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from antoan.places.exceptions import AmbiguousPlaceCode, PlaceNotFound
from antoan.places.models import Place
from antoan.places.selectors import place_from_text, place_get
from antoan.programme import services
from antoan.programme.choices import AGE_BANDS
from antoan.programme.excel import columns as cols
from antoan.programme.excel.reader import (
    CellError,
    Row,
    as_bool,
    as_choice,
    as_choices,
    as_date,
    as_int,
    as_score,
    as_text,
    choice_lookup,
    split_list,
)
from antoan.programme.models import CommunityModel, Plan, Task

AGE_FIELDS = [name for name, _label in AGE_BANDS]


class Lookups:
    """What cells are matched against, loaded once per file."""

    def __init__(self, plan: Plan, models: list[CommunityModel]):
        self.plan = plan
        self.tasks = {cols.normalise_header(t.code): t for t in plan.tasks.all()}
        self.models = {m.pk: m for m in models}
        self.choices: dict[Any, dict[str, str]] = {}
        self.places: dict[tuple[str, dt.date], Place] = {}

    def lookup(self, choices: Any) -> dict[str, str]:
        if choices not in self.choices:
            self.choices[choices] = choice_lookup(choices)
        return self.choices[choices]

    def task_list(self, value: Any) -> list[Task]:
        found, unknown = [], []
        for part in split_list(str(value).replace(",", cols.LIST_SEPARATOR)):
            task = self.tasks.get(cols.normalise_header(part))
            if task is None:
                unknown.append(part)
            else:
                found.append(task)
        if unknown:
            raise CellError(
                _("Kế hoạch %(plan)s không có nhiệm vụ mã %(codes)s.")
                % {"plan": self.plan.number, "codes": ", ".join(f"“{u}”" for u in unknown)}
            )
        return list(dict.fromkeys(found))

    def model(self, value: Any) -> CommunityModel:
        head = as_text(value).split("–")[0].split("-")[0].strip()
        model = self.models.get(int(head)) if head.isdigit() else None
        if model is None:
            raise CellError(
                _("Không có mô hình “%s” trong sổ mô hình. Hãy chọn trong danh sách.")
                % as_text(value)
            )
        return model

    def place(self, code: str, on: dt.date) -> Place:
        """The place with this statistics code on the activity's date; an old code is accepted
        for an old date, and a code valid at another time is accepted rather than refused."""
        if (code, on) not in self.places:
            self.places[(code, on)] = self._place(code, on)
        return self.places[(code, on)]

    def _place(self, code: str, on: dt.date) -> Place:
        if not code.strip().isdigit():  # a name: "Phố Hiến", "pho hien", "Tân Tiến, Hưng Yên"
            try:
                return place_from_text(code, on=on)
            except PlaceNotFound as exc:
                raise CellError(exc.messages[0]) from None
        candidates = [code]
        if code.isdigit():  # Excel drops leading zeros from codes typed as numbers
            candidates += [code.zfill(width) for width in (5, 3, 2) if code.zfill(width) != code]
        for candidate in candidates:
            try:
                return place_get(code=candidate, on=on)
            except AmbiguousPlaceCode as exc:
                raise CellError(exc.messages[0]) from None
            except PlaceNotFound:
                continue
        place = (
            Place.objects.filter(code__in=candidates)
            .order_by(F("valid_to").desc(nulls_first=True))
            .first()
        )
        if place is None:
            raise CellError(_("Không có địa bàn nào mang mã “%s”.") % code)
        return place


def parse_cells(row: Row, columns: list[cols.Column], lookups: Lookups) -> tuple[dict, dict]:
    """(values, errors) of one row, both keyed by column key."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column in columns:
        raw = row.values.get(column.key)
        if raw is None:
            if column.required and column.key != "participants_total":
                errors[column.key] = _("Ô này bắt buộc phải nhập.")
            continue
        try:
            values[column.key] = parse_value(column, raw, lookups)
        except CellError as exc:
            errors[column.key] = str(exc)
    return values, errors


def parse_value(column: cols.Column, raw: Any, lookups: Lookups) -> Any:
    kind = column.datatype
    if kind == "int":
        return as_int(raw)
    if kind == "money":
        return as_int(raw, grouped=True)
    if kind == "date":
        return as_date(raw)
    if kind == "score":
        return as_score(raw)
    if kind == "bool":
        return as_bool(raw)
    if kind == "choice":
        return as_choice(raw, lookups.lookup(column.choices))
    if kind == "choices":
        return as_choices(raw, lookups.lookup(column.choices))
    if kind == "tasks":
        return lookups.task_list(raw)
    if kind == "model":
        return lookups.model(raw)
    return as_text(raw)


def _canonical(value: Any) -> Any:
    if isinstance(value, Task):
        return value.code
    if isinstance(value, CommunityModel):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return sorted(str(_canonical(v)) for v in value)
    return value


def import_key(kind: str, plan: Plan, data: services.ActivityInput) -> str:
    """The same row content, of the same kind, for the same plan: the same key."""
    content = {
        "kind": kind,
        "plan": plan.code,
        "title": data.title.strip(),
        "tasks": data.tasks,
        "place": data.place.code,
        "start": data.start_date,
        "end": data.end_date,
        "groups": data.target_groups,
        "people": [
            data.participants_total,
            data.participants_female,
            data.participants_male,
            data.participants_other,
        ],
        "ages": [data.ages.get(name) for name in AGE_FIELDS],
        "spending": {k: v for k, v in sorted(data.spending.items()) if v},
        "partners": data.partners_other.strip(),
        "description": data.description.strip(),
        "details": {k: _canonical(v) for k, v in sorted(data.details.items())},
    }
    text = json.dumps(
        {k: _canonical(v) for k, v in content.items()}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
