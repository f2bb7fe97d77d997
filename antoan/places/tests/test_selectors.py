"""Lookups by code and date, successors and roll-ups, on the real map."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from antoan.places.exceptions import NoSuccessor, PlaceNotFound
from antoan.places.models import Place
from antoan.places.selectors import current_successor, place_get, places_valid_on, roll_up
from antoan.places.sources import default_crosswalk
from antoan.places.tests.conftest import NEW_DAY, OLD_DAY


def _crosswalk() -> list[dict[str, str]]:
    with default_crosswalk().open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_province_33_is_two_records_and_34_ended_with_the_merger(country):
    old = place_get(code="33", on=OLD_DAY)
    new = place_get(code="33", on=NEW_DAY)
    assert old.pk != new.pk
    assert (old.valid_to, new.valid_from) == (dt.date(2025, 6, 30), NEW_DAY)
    assert place_get(code="34", on=OLD_DAY).name == "Tỉnh Thái Bình"
    with pytest.raises(PlaceNotFound) as excinfo:
        place_get(code="34", on=NEW_DAY)
    assert excinfo.value.messages == ["Không có đơn vị hành chính mã 34 vào ngày 01/07/2025."]


def test_a_reused_commune_code_names_different_communes_by_date(country):
    assert place_get(code="11953", on=OLD_DAY).name == "Phường Hiến Nam"
    assert place_get(code="11953", on=NEW_DAY).name == "Phường Phố Hiến"
    assert place_get(code="11953").name == "Phường Phố Hiến"  # today by default
    assert place_get(code="11953", level="commune", on=NEW_DAY).parent.code == "33"


def test_place_get_refuses_unknown_codes_and_wrong_levels(country):
    with pytest.raises(PlaceNotFound):
        place_get(code="99999", on=NEW_DAY)
    with pytest.raises(PlaceNotFound):
        place_get(code="11953", level="district", on=NEW_DAY)
    with pytest.raises(PlaceNotFound):
        place_get(code="323", on=NEW_DAY)  # districts were abolished


def test_units_valid_on_each_side_of_the_reorganisation(country):
    def count(day, level):
        return places_valid_on(on=day, level=level).count()

    assert (count(OLD_DAY, "province"), count(OLD_DAY, "district")) == (2, 18)
    assert count(OLD_DAY, "commune") == 381
    assert (count(NEW_DAY, "province"), count(NEW_DAY, "district")) == (34, 0)
    assert count(NEW_DAY, "commune") == 3321


def test_parents_follow_the_structure_of_each_era(country):
    old_hy = place_get(code="33", on=OLD_DAY)
    districts = places_valid_on(on=OLD_DAY, level="district", parent=old_hy)
    assert districts.count() == 10
    old = place_get(code="11956", on=OLD_DAY)
    assert (old.parent.code, old.parent.name, old.parent.parent_id) == (
        "323",
        "Thành phố Hưng Yên",
        old_hy.pk,
    )
    new_hy = place_get(code="33", on=NEW_DAY)
    assert places_valid_on(on=NEW_DAY, level="commune", parent=new_hy).count() == 104


def test_current_successor_of_old_communes(country):
    an_tao = current_successor("11956", on=OLD_DAY)
    assert (an_tao.code, an_tao.name, an_tao.valid_from) == ("11953", "Phường Phố Hiến", NEW_DAY)
    # Old Thái Bình city ward → the new ward named in the crosswalk.
    assert current_successor("12439", on=OLD_DAY).name == "Phường Trần Hưng Đạo"
    # Old 12478 (Xã An Đồng) went to Xã A Sào while the new 12478 is another commune:
    # the date is what tells them apart.
    assert current_successor("12478", on=OLD_DAY).name == "Xã A Sào"
    assert current_successor("12478").name == "Xã Tân Tiến"


def test_current_successor_of_places_not_codes(country):
    current = place_get(code="11953", on=NEW_DAY)
    assert current_successor(current) == current
    old = place_get(code="11953", on=OLD_DAY)
    assert current_successor(old) == current
    # Thái Bình merged into Hưng Yên.
    assert current_successor("34", on=OLD_DAY) == place_get(code="33", on=NEW_DAY)


def test_current_successor_refuses_what_has_none(country):
    with pytest.raises(NoSuccessor) as excinfo:
        current_successor("323", on=OLD_DAY)
    assert excinfo.value.code == "place_no_successor"
    with pytest.raises(PlaceNotFound):
        current_successor("11956")  # an old code, asked about today


def test_all_old_communes_roll_up_to_the_104_communes_of_new_hung_yen(country):
    rows = _crosswalk()
    totals = roll_up({row["old_ward_code"]: 1 for row in rows}, on=OLD_DAY)
    new_hy = place_get(code="33", on=NEW_DAY)
    expected = set(
        places_valid_on(on=NEW_DAY, level="commune", parent=new_hy).values_list("code", flat=True)
    )
    assert len(totals) == 104
    assert set(totals) == expected
    assert sum(totals.values()) == 381
    # Each new commune received exactly the old communes the crosswalk lists for it.
    for code, total in totals.items():
        assert total == sum(1 for row in rows if row["new_ward_code"] == code), code


def test_roll_up_sums_counts(country):
    counts = {"11953": 2, "11956": 3, "11959": 4, "12478": 5, "12439": 1}
    assert roll_up(counts, on=OLD_DAY) == {"11953": 9, "12452": 1, "12499": 5}
    # Today's codes roll up to themselves.
    assert roll_up({"11953": 7, "12478": 1}) == {"11953": 7, "12478": 1}
    assert roll_up({}) == {}


def test_roll_up_refuses_unknown_codes_whole(country):
    with pytest.raises(PlaceNotFound) as excinfo:
        roll_up({"11953": 1, "99999": 2}, on=OLD_DAY)
    assert "99999" in excinfo.value.messages[0]
    with pytest.raises(PlaceNotFound):
        roll_up({"11956": 1})  # old code read as today's
    with pytest.raises(PlaceNotFound):
        roll_up({"33": 1}, on=OLD_DAY)  # a province is not a commune


def test_roll_up_queries_do_not_grow_with_the_number_of_codes(
    country, django_assert_max_num_queries
):
    codes = list(
        Place.objects.valid_on(OLD_DAY).filter(level="commune").values_list("code", flat=True)
    )
    with django_assert_max_num_queries(3):
        roll_up(dict.fromkeys(codes, 1), on=OLD_DAY)
