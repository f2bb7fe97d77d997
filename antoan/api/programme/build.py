"""From a validated request body to the services' ``ActivityInput``.

Ids and codes become objects here (the plan's tasks, the place valid on the start date, the
model); every lookup that fails is reported at once, under the request's field names.
For a change (PATCH) the stored activity is the starting point and only what was sent moves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from typing import Any

from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rest_framework import exceptions

from antoan.api.programme.inputs import AGE_KEYS
from antoan.places.exceptions import PlaceNotFound
from antoan.places.models import Place
from antoan.places.selectors import place_get
from antoan.programme import selectors, services
from antoan.programme.choices import ActivityKind
from antoan.programme.models import Activity, Plan, Task
from antoan.programme.services import (
    AGE_FIELDS,
    KIND_FIELDS,
    ActivityInput,
    MemberInput,
    RecommendationInput,
    TraineeInput,
)

KIND_FIELD_NAMES = sorted({name for fields in KIND_FIELDS.values() for name in fields})
# Lists that belong to one kind only.
KIND_LISTS = {"trainees": ActivityKind.TRAINING, "members": ActivityKind.INSPECTION}
KIND_LISTS["recommendations"] = ActivityKind.INSPECTION


def nfc(value: Any) -> Any:
    """Text as stored (NFC) all through a parsed body: "II.2.đ" typed either way is one code."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    return value


def _fmt(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def plan_for(user: Any, plan_id: int | None, start_date: dt.date) -> Plan:
    """The plan named, or the one whose period contains ``start_date``."""
    if plan_id is not None:
        try:
            return selectors.plan_get_for_user(user, plan_id)
        except Http404:
            raise exceptions.ValidationError(
                {"plan": [_("Không có kế hoạch với mã số %(id)s.") % {"id": plan_id}]}
            ) from None
    plans = list(
        selectors.provincial_plans(user).filter(
            period_start__lte=start_date, period_end__gte=start_date
        )[:2]
    )
    if not plans:
        raise exceptions.ValidationError(
            {
                "start_date": [
                    _("Ngày %(day)s không thuộc thời gian thực hiện của kế hoạch nào.")
                    % {"day": _fmt(start_date)}
                ]
            }
        )
    if len(plans) > 1:
        raise exceptions.ValidationError(
            {"plan": [_("Có nhiều kế hoạch đang thực hiện vào ngày này: hãy chọn một kế hoạch.")]}
        )
    return plans[0]


def tasks_of(plan: Plan, codes: list[str]) -> tuple[list[Task], list[str]]:
    """The plan's tasks with these codes, and the codes it does not have."""
    wanted = list(dict.fromkeys(c.strip() for c in codes))
    found = {t.code: t for t in plan.tasks.filter(code__in=wanted)}
    return [found[c] for c in wanted if c in found], [c for c in wanted if c not in found]


def stored_input(activity: Activity, *, with_trainees: bool = False) -> ActivityInput:
    """The activity as it is, as an input to change. Lists of the kind's own records are left
    alone (``None``) unless asked for, so a change re-checks them against new totals."""
    trainees = None
    if with_trainees and activity.kind == ActivityKind.TRAINING:
        trainees = [
            TraineeInput(
                full_name=t.full_name,
                sex=t.sex,
                position=t.position,
                agency_name=t.agency_name,
                pre_score=t.pre_score,
                post_score=t.post_score,
            )
            for t in activity.trainees.all()
        ] or None
    return ActivityInput(
        kind=activity.kind,
        title=activity.title,
        tasks=list(activity.tasks.all()),
        agency=activity.agency,
        place=activity.place,
        start_date=activity.start_date,
        end_date=activity.end_date,
        participants_total=activity.participants_total,
        participants_female=activity.participants_female,
        participants_male=activity.participants_male,
        participants_other=activity.participants_other,
        description=activity.description,
        partners=list(activity.partners.all()),
        partners_other=activity.partners_other,
        target_groups=list(activity.target_groups),
        ages={name: getattr(activity, name) for name in AGE_FIELDS},
        details={name: getattr(activity, name) for name in KIND_FIELDS.get(activity.kind, {})},
        spending={s.source: s.amount for s in activity.spending.all()},
        trainees=trainees,
    )


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def activity_input(
    *, user: Any, plan: Plan, data: dict[str, Any], stored: ActivityInput | None = None
) -> ActivityInput:
    """``data`` (validated, NFC) over ``stored`` (a change) or over nothing (a new activity)."""
    errors = _Errors()
    if stored is None:
        values: dict[str, Any] = {
            "participants_total": None,
            "ages": dict.fromkeys(AGE_FIELDS),
            "details": {},
            "spending": {},
        }
    else:
        values = {f.name: getattr(stored, f.name) for f in dataclasses.fields(stored)}
        values["ages"] = dict(values["ages"])
    for name in (
        "kind",
        "title",
        "agency",
        "start_date",
        "end_date",
        "description",
        "partners",
        "partners_other",
        "target_groups",
    ):
        if name in data:
            values[name] = data[name]

    if "tasks" in data:
        values["tasks"], unknown = tasks_of(plan, data["tasks"])
        if unknown:
            errors.add(
                "tasks",
                _("Kế hoạch %(plan)s không có nhiệm vụ: %(codes)s.")
                % {"plan": plan.number, "codes": ", ".join(unknown)},
            )
    if "place" in data:
        values["place"] = _place(data["place"], values["start_date"], errors)

    _kind_fields(user, data, values, stored, errors)
    _lists(data, values, errors)
    _participants(data, values, stored)
    if "spent" in data:
        spending: dict[str, int] = {}
        for item in data["spent"]:
            if item["source"] in spending:
                errors.add(
                    "spent", _("Nguồn kinh phí %(source)s bị lặp.") % {"source": item["source"]}
                )
            spending[item["source"]] = item["amount"]
        values["spending"] = spending
    if errors:
        raise exceptions.ValidationError(dict(errors))
    return ActivityInput(**values)


def _place(code: str, on: dt.date, errors: _Errors) -> Place | None:
    try:
        return place_get(code=code.strip(), on=on)
    except PlaceNotFound as exc:  # also AmbiguousPlaceCode
        errors.add("place", " ".join(exc.messages))
    return None


def _kind_fields(
    user: Any, data: dict[str, Any], values: dict[str, Any], stored: Any, errors: _Errors
) -> None:
    kind = values["kind"]
    own = KIND_FIELDS.get(kind, {})
    # A change of kind leaves the old kind's fields behind; the services blank them.
    details = dict(values["details"]) if stored is not None and stored.kind == kind else {}
    for name in KIND_FIELD_NAMES:
        if name not in data:
            continue
        value = data[name]
        if name not in own:
            if value not in (None, "", False):
                errors.add(name, _not_for_kind(kind))
            continue
        if name == "community_model" and value is not None:
            value = selectors.community_model_list(user).filter(pk=value).first()
            if value is None:
                errors.add(
                    name, _("Không có mô hình với mã số %(id)s.") % {"id": data["community_model"]}
                )
        details[name] = value
    values["details"] = details


def _not_for_kind(kind: str) -> str:
    label = ActivityKind(kind).label if kind in ActivityKind.values else kind
    return _("Trường này không dùng cho loại hoạt động “%(kind)s”.") % {"kind": label}


def _lists(data: dict[str, Any], values: dict[str, Any], errors: _Errors) -> None:
    for name, kind in KIND_LISTS.items():
        if data.get(name) and values["kind"] != kind:
            errors.add(name, _not_for_kind(values["kind"]))
    if "trainees" in data:
        values["trainees"] = [TraineeInput(**t) for t in data["trainees"]]
    if "members" in data:
        values["members"] = [MemberInput(**m) for m in data["members"]]
    if "recommendations" in data:
        values["recommendations"] = [RecommendationInput(**r) for r in data["recommendations"]]


def _participants(data: dict[str, Any], values: dict[str, Any], stored: Any) -> None:
    given = data.get("participants")
    if given is None:
        if stored is None and values.get("trainees") and values["kind"] == ActivityKind.TRAINING:
            # A course with its list of trainees: the list is the count.
            values.update(services.trainee_totals(values["trainees"]))
        return
    for key in ("total", "female", "male", "other"):
        if key in given:
            values[f"participants_{key}"] = given[key]
    if "ages" in given:
        ages = given["ages"]
        if ages is None:
            values["ages"] = dict.fromkeys(AGE_FIELDS)
        else:
            values["ages"].update({AGE_KEYS[k]: v for k, v in ages.items()})
