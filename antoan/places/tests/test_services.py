"""Writing places: one at a time (validated) and the idempotent bulk load."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from antoan.core.models import AuditEvent
from antoan.places.models import Place, PlaceSuccession, overlapping_pairs
from antoan.places.services import place_create, place_succession_create, places_load
from antoan.places.sources import PlaceRow, Sources
from antoan.places.tests.conftest import NEW_DAY


def _load() -> str:
    out = StringIO()
    call_command("load_places", stdout=out)
    return out.getvalue()


def _snapshot() -> tuple[list[tuple], list[tuple]]:
    places = list(
        Place.objects.order_by("pk").values_list(
            "pk", "level", "code", "name", "search_name", "division_type", "parent_id",
            "valid_from", "valid_to",
        )
    )  # fmt: skip
    links = list(
        PlaceSuccession.objects.order_by("pk").values_list(
            "pk", "predecessor_id", "successor_id", "effective_on"
        )
    )
    return places, links


def test_load_places_twice_changes_nothing(db):
    first = _load()
    assert "Places: created 3756, updated 0, unchanged 0." in first
    assert "Successions: created 383, updated 0, unchanged 0." in first
    before = _snapshot()
    second = _load()
    assert "Places: created 0, updated 0, unchanged 3756." in second
    assert "Successions: created 0, updated 0, unchanged 383." in second
    assert _snapshot() == before
    # Only the run that changed something is in the audit log.
    loads = AuditEvent.objects.filter(extra__via="load_places")
    assert loads.count() == 1


def test_load_places_stores_what_the_sources_say(country):
    assert Place.objects.count() == 34 + 3321 + 2 + 18 + 381
    # 381 communes plus old Hưng Yên and Thái Bình, both into new Hưng Yên.
    assert PlaceSuccession.objects.count() == 383
    city = Place.objects.get(level="district", code="323")
    assert (city.name, city.division_type, city.search_name) == (
        "Thành phố Hưng Yên",
        "thành phố",
        "thanh pho hung yen",
    )
    town = Place.objects.get(level="commune", code="11986", valid_to__isnull=False)
    assert (town.name, town.division_type) == ("Thị trấn Như Quỳnh", "thị trấn")
    special = Place.objects.filter(level="commune", division_type="đặc khu")
    assert special.count() == 13
    assert set(PlaceSuccession.objects.values_list("effective_on", flat=True).distinct()) == {
        NEW_DAY
    }


def test_load_places_repairs_a_changed_row(country):
    Place.objects.filter(code="11953", valid_from=NEW_DAY).update(name="Phường Sai Tên")
    assert "Places: created 0, updated 1, unchanged 3755." in _load()
    assert Place.objects.get(code="11953", valid_from=NEW_DAY).name == "Phường Phố Hiến"


def test_place_create_refuses_an_overlapping_period(mini_places):
    with pytest.raises(ValidationError) as excinfo:
        place_create(
            code="33", name="Tỉnh Hưng Yên", level="province", valid_from=dt.date(2025, 1, 1)
        )
    assert "valid_from" in excinfo.value.message_dict
    assert Place.objects.filter(code="33").count() == 2


def test_place_create_accepts_a_period_after_the_last_one_ends(mini_places):
    old = mini_places["old_province"]
    Place.objects.filter(pk=mini_places["province"].pk).update(valid_to=dt.date(2030, 12, 31))
    later = place_create(
        code="33", name="Tỉnh Hưng Yên", level="province", valid_from=dt.date(2031, 1, 1)
    )
    assert later.pk and later.search_name == "tinh hung yen"
    assert AuditEvent.objects.filter(
        action="create", object_type="places.place", object_id=str(later.pk)
    ).exists()
    assert old.valid_to == dt.date(2025, 6, 30)


def test_place_create_refuses_a_parent_at_the_same_level(mini_places):
    with pytest.raises(ValidationError) as excinfo:
        place_create(
            code="12345",
            name="Xã Thử",
            level="commune",
            parent=mini_places["commune_a"],
            valid_from=NEW_DAY,
        )
    assert "parent" in excinfo.value.message_dict


def test_a_succession_must_go_from_an_ended_place_to_a_valid_one(mini_places):
    old, new = mini_places["old_province"], mini_places["province"]
    link = place_succession_create(predecessor=old, successor=new, effective_on=NEW_DAY)
    assert link.pk
    with pytest.raises(ValidationError) as excinfo:
        place_succession_create(
            predecessor=mini_places["commune_a"],
            successor=mini_places["commune_b"],
            effective_on=NEW_DAY,
        )
    assert "predecessor" in excinfo.value.message_dict  # commune_a is still valid


def test_load_refuses_to_overlap_a_place_already_there_and_loads_nothing(db):
    place_create(code="11953", name="Phường Thử", level="commune", valid_from=dt.date(2025, 1, 1))
    with pytest.raises(CommandError, match=r"11953.*Mã 11953 đã được dùng"):
        _load()
    assert Place.objects.count() == 1
    assert not PlaceSuccession.objects.exists()


def test_load_refuses_a_crosswalk_with_unknown_new_codes(db, tmp_path):
    path = tmp_path / "crosswalk.csv"
    path.write_text(
        "new_ward_code,new_ward_name,old_ward_code,old_ward_name,old_district_code,"
        "old_district_name,old_province_code,old_province_name\n"
        "99999,Phường Không Có,11953,Phường Hiến Nam,323,Thành Phố Hưng Yên,33,Tỉnh Hưng Yên\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="new commune 99999"):
        call_command("load_places", crosswalk=path, stdout=StringIO())
    assert not Place.objects.exists()


def test_load_places_repairs_a_changed_succession(country):
    old = Place.objects.get(level="commune", code="11956", valid_to__isnull=False)
    elsewhere = Place.objects.get(level="commune", code="12452", valid_from=NEW_DAY)
    PlaceSuccession.objects.filter(predecessor=old).update(successor=elsewhere)
    assert "Successions: created 0, updated 1, unchanged 382." in _load()
    assert old.succession.successor.code == "11953"


def test_load_refuses_overlapping_rows_in_its_sources_and_writes_nothing(db):
    def province(valid_from, valid_to):
        return PlaceRow("province", "99", "Tỉnh Thử", "tỉnh", valid_from, valid_to)

    sources = Sources(
        [province(None, dt.date(2025, 6, 30)), province(dt.date(2025, 6, 1), None)], []
    )
    with pytest.raises(ValidationError, match="Mã 99 đã được dùng"):
        places_load(sources=sources)
    assert not Place.objects.exists()


def _place(valid_from, valid_to, code="01"):
    return Place(level="province", code=code, valid_from=valid_from, valid_to=valid_to)


D = dt.date


@pytest.mark.parametrize(
    ("periods", "overlaps"),
    [
        ([(None, D(2025, 6, 30)), (D(2025, 7, 1), None)], 0),
        ([(None, D(2025, 6, 30)), (D(2025, 6, 30), None)], 1),  # one shared day is an overlap
        ([(None, None), (D(2030, 1, 1), D(2030, 12, 31))], 1),
        ([(None, D(2020, 12, 31)), (None, D(2010, 1, 1))], 1),  # two open starts
        # A long period covers a later short one even after an earlier one in between.
        (
            [(D(2000, 1, 1), D(2030, 1, 1)), (D(2001, 1, 1), D(2001, 2, 1)), (D(2020, 1, 1), None)],
            2,
        ),
        ([(D(2000, 1, 1), D(2000, 12, 31)), (D(2001, 1, 1), D(2001, 12, 31))], 0),
    ],
)
def test_overlapping_pairs(periods, overlaps):
    places = [_place(start, end) for start, end in periods]
    places.append(_place(None, None, code="02"))  # other codes never overlap these
    assert len(overlapping_pairs(places)) == overlaps
