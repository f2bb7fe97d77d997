"""The generator builds its rows with ``unsaved(Model, **fields)`` instead of ``Model(**fields)``
(antoan/indicators/synthetic/common.py): the instance must be the one the constructor builds,
or the data written would differ from what the services write."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import models

from antoan.cases.models import Case, Incident, Survivor
from antoan.indicators.synthetic.common import unsaved
from antoan.referrals.models import Referral, ServiceDelivery

AT = dt.datetime(2024, 3, 5, 2, 30, tzinfo=dt.UTC)


def field_values(obj: models.Model) -> dict[str, object]:
    """Every column's value, a fresh row key replaced by its type (each row draws its own)."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    if isinstance(values.get("row_key"), uuid.UUID):
        values["row_key"] = uuid.UUID
    return values


def both(model, **fields):
    return unsaved(model, **fields), model(**fields)


def test_a_row_has_the_constructors_values_and_defaults():
    ours, django = both(
        Survivor, full_name="Nguyễn Thị Lan", sex="female", date_of_birth="1990-04-02"
    )
    assert field_values(ours) == field_values(django)
    assert ours.full_name == "Nguyễn Thị Lan"  # through the encrypted field's descriptor
    assert ours._state.adding and ours._state.db is None


def test_each_row_gets_its_own_row_key_and_its_own_lists():
    first, second = (
        unsaved(Incident, occurred_on=AT.date()),
        unsaved(Incident, occurred_on=AT.date()),
    )
    assert first.row_key != second.row_key
    first.dv_forms.append("physical")
    assert second.dv_forms == []  # a callable default is called for each row, never shared


def test_a_related_row_is_kept_and_its_id_copied():
    survivor = unsaved(Survivor, full_name="Trần Văn Bình")
    survivor.pk = 41  # as if written
    case, django = both(Case, survivor=survivor, opened_at=AT, number="HY-2024-000001")
    assert field_values(case) == field_values(django)
    assert case.survivor_id == 41
    assert case.survivor is survivor  # no query to read it back


def test_an_unwritten_related_row_is_kept_until_the_writer_gives_it_an_id():
    survivor = unsaved(Survivor, full_name="Trần Văn Bình")
    case = unsaved(Case, survivor=survivor, opened_at=AT)
    assert case.survivor_id is None and case.survivor is survivor


def test_a_one_to_one_row_is_cached_on_both_sides():
    referral = unsaved(Referral, service="health")
    delivery = unsaved(ServiceDelivery, referral=referral, delivered_on=AT.date())
    assert referral.delivery is delivery  # as the constructor's descriptor leaves it
    django = ServiceDelivery(referral=unsaved(Referral, service="health"), delivered_on=AT.date())
    assert field_values(delivery) == field_values(django)


def test_anything_else_goes_through_the_constructor():
    with pytest.raises(TypeError, match="unexpected keyword"):
        unsaved(Case, no_such_field=1)
