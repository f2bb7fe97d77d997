"""Queries kept as SQL per shape (antoan/core/prepared.py): the same objects as Django's, built
once, and every way a kept query could go wrong refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext, override_settings

from antoan.core import prepared
from antoan.places.models import Place


@pytest.fixture(autouse=True)
def _empty():
    prepared.forget()
    yield
    prepared.forget()


def places(v):
    """Places by code, with their parent, the name and the level only."""
    return (
        Place.objects.filter(code__in=v["codes"], level=v["level"])
        .select_related("parent")
        .only("code", "name", "parent__name")
        .order_by("code", "pk")
    )


def codes(mini_places):
    return [p.code for p in Place.objects.filter(level="commune").order_by("pk")][:2]


@override_settings(PREPARED_QUERIES_CHECK=False)
def test_the_objects_are_the_ones_django_builds(mini_places):
    values = {"codes": codes(mini_places), "level": "commune"}
    ours = prepared.run(("places",), places, values)
    theirs = list(places(values))
    assert len(theirs) == 2
    assert [(p.pk, p.code, p.name) for p in ours] == [(p.pk, p.code, p.name) for p in theirs]
    assert [p.parent.name for p in ours] == [p.parent.name for p in theirs]
    # The columns left out are deferred, as with only(): read on demand.
    assert ours[0].get_deferred_fields() == theirs[0].get_deferred_fields()
    assert "valid_from" in ours[0].get_deferred_fields()


@override_settings(PREPARED_QUERIES_CHECK=False)
def test_a_shape_is_built_once_and_sent_as_one_statement(mini_places):
    built = []

    def build(v):
        built.append(v)
        return places(v)

    first, second = codes(mini_places)
    prepared.run(("places",), build, {"codes": [first, second], "level": "commune"})
    with CaptureQueriesContext(connection) as queries:
        again = prepared.run(("places",), build, {"codes": [second, "99999"], "level": "commune"})
    assert len(built) == 1
    assert [p.code for p in again] == [second]
    assert len(queries.captured_queries) == 1


@override_settings(PREPARED_QUERIES_CHECK=False)
def test_values_given_and_their_lengths_are_part_of_the_shape(mini_places):
    first, second = codes(mini_places)
    both = prepared.run(("places",), places, {"codes": [first, second], "level": "commune"})
    one = prepared.run(("places",), places, {"codes": [first], "level": "commune"})
    assert len(both) == 2 and [p.code for p in one] == [first]
    assert len(prepared._kept) == 2  # one list item fewer: another SQL, kept apart


def test_a_value_django_rewrites_is_refused(mini_places):
    # "starts with" sends "value%" (escaped): the value itself is not a parameter.
    with pytest.raises(prepared.PreparedQueryError, match="not sent as parameters"):
        prepared.run(("like",), lambda v: Place.objects.filter(name__startswith=v["n"]), {"n": "X"})


def test_a_value_written_into_the_sql_is_refused(mini_places):
    def inlined(v):
        return Place.objects.extra(where=[f"code <> '{v['code']}'"], params=[]).filter(  # noqa: S610
            level=v["code"]
        )

    with pytest.raises(prepared.PreparedQueryError, match="written into the SQL"):
        prepared.run(("inlined",), inlined, {"code": "12064"})


@pytest.mark.parametrize("value", [True, None, 1.5, b"x"])
def test_only_integers_and_strings(mini_places, value):
    with pytest.raises(prepared.PreparedQueryError, match="only int and str"):
        prepared.run(("typed",), lambda v: Place.objects.filter(code=v["x"]), {"x": value})


def test_a_shape_that_matches_nothing_sends_nothing(mini_places):
    def nothing(v):
        return Place.objects.filter(Q(pk__in=[]) & Q(code=v["code"]))

    with CaptureQueriesContext(connection) as queries:
        assert prepared.run(("nothing",), nothing, {"code": "12064"}) == []
        assert prepared.run(("nothing",), nothing, {"code": "12452"}) == []
    assert queries.captured_queries == []


def test_the_check_catches_a_builder_that_branches_on_a_value(mini_places):
    """A builder whose SQL depends on a value, not only on the shape: with the stand-ins it
    takes one branch and with the real value the other; the test profile's check fails."""

    def branching(v):
        if v["code"].isdigit():
            return Place.objects.filter(code=v["code"])
        return Place.objects.filter(name=v["code"])

    with pytest.raises(prepared.PreparedQueryError, match="differs"):
        prepared.run(("branching",), branching, {"code": "12064"})


def test_the_kept_shapes_are_bounded(mini_places, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_SHAPES", 3)
    for n in range(5):
        prepared.run(("bounded", n), places, {"codes": ["12064"], "level": "commune"})
    assert len(prepared._kept) <= 3
