"""Places typed by name (with or without accents) or by code, on the real map."""

from __future__ import annotations

import pytest

from antoan.places.exceptions import AmbiguousPlaceName, PlaceNameNotFound, PlaceNotFound
from antoan.places.selectors import place_choices, place_from_text, place_get, place_label
from antoan.places.tests.conftest import NEW_DAY, OLD_DAY


@pytest.mark.parametrize("text", ["Phố Hiến", "pho hien", "PHƯỜNG PHỐ HIẾN", "  phuong  pho hien "])
def test_a_name_with_or_without_accents_and_type_finds_the_commune(country, text):
    place = place_from_text(text, on=NEW_DAY)
    assert (place.code, place.name) == ("11953", "Phường Phố Hiến")


def test_a_code_is_still_accepted_and_excel_zeros_restored(country):
    assert place_from_text("11953", on=NEW_DAY).name == "Phường Phố Hiến"
    assert place_from_text("33", on=NEW_DAY).level == "province"


def test_an_old_name_resolves_for_an_old_date_only(country):
    old = place_from_text("hien nam", on=OLD_DAY)
    assert old == place_get(code="11953", on=OLD_DAY)
    assert old.name == "Phường Hiến Nam"
    with pytest.raises(PlaceNameNotFound):
        place_from_text("hien nam", on=NEW_DAY)


def test_an_ambiguous_name_lists_the_candidates_with_their_province(country):
    with pytest.raises(AmbiguousPlaceName) as caught:
        place_from_text("Tân Tiến", on=NEW_DAY)
    message = caught.value.messages[0]
    assert "Có nhiều đơn vị hành chính tên “Tân Tiến”" in message
    assert "Xã Tân Tiến, Tỉnh Hưng Yên" in message
    assert "Xã Tân Tiến, Tỉnh Lạng Sơn" in message
    assert isinstance(caught.value, PlaceNotFound)  # callers catching every lookup failure


def test_the_province_or_the_listed_label_tells_them_apart(country):
    hung_yen = place_get(code="33", on=NEW_DAY)
    assert place_from_text("Tân Tiến", on=NEW_DAY, within=hung_yen).code == "12478"
    assert place_from_text("Xã Tân Tiến, Tỉnh Hưng Yên", on=NEW_DAY).code == "12478"
    assert place_from_text("tan tien (hung yen)", on=NEW_DAY).code == "12478"


def test_the_full_name_beats_a_same_named_unit_of_another_type(country):
    with pytest.raises(AmbiguousPlaceName):
        place_from_text("Hưng Yên", on=OLD_DAY)  # the province and its town, before 2025
    assert place_from_text("Tỉnh Hưng Yên", on=OLD_DAY).level == "province"
    assert place_from_text("Hưng Yên", on=OLD_DAY, level="district").code == "323"


def test_an_unknown_name_suggests_words_that_start_alike(country):
    with pytest.raises(PlaceNameNotFound) as caught:
        place_from_text("hien", on=NEW_DAY)
    message = caught.value.messages[0]
    assert message.startswith("Không tìm thấy đơn vị hành chính “hien” vào ngày 01/07/2025.")
    assert "Phường Phố Hiến, Tỉnh Hưng Yên" in message
    assert "Chiềng" not in message  # "chieng" contains "hien", but no word starts with it
    with pytest.raises(PlaceNameNotFound):
        place_from_text("", on=NEW_DAY)


def test_choices_label_each_place_with_the_units_above_it(country):
    hung_yen = place_get(code="33", on=OLD_DAY)
    choices = dict(place_choices(on=OLD_DAY, within=hung_yen, level="commune"))
    assert choices["11953"] == "Phường Hiến Nam, Thành phố Hưng Yên, Tỉnh Hưng Yên"
    assert place_label(place_get(code="11953", on=NEW_DAY)) == "Phường Phố Hiến, Tỉnh Hưng Yên"
