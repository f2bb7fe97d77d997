"""Phone numbers typed every common way are one number; what cannot be a number says why."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from antoan.core.crypto import phone_index
from antoan.core.phones import PhoneField, format_phone, parse_phone


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84 912 345 678",
        "+84912345678",
        "+84 (0) 912 345 678",
        "84 912 345 678",
        "84912345678",
        "0084 912 345 678",
        " 0912\u00a0345\u00a0678 ",
    ],
)
def test_a_vietnamese_mobile_number_typed_any_way_is_stored_one_way(typed):
    assert parse_phone(typed) == "0912345678"


def test_the_stored_number_is_the_one_duplicate_search_finds():
    assert phone_index(parse_phone("+84 912.345.678")) == phone_index("0912345678")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(024) 3825 1234", "02438251234"),
        ("0221 3862 115", "02213862115"),
        ("+44 20 7946 0958", "442079460958"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_landlines_and_numbers_abroad(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "0912 345 67",  # a digit short
        "0912 345 6789 0",  # two too many
        "+84 912 345 67",
    ],
)
def test_a_domestic_number_of_the_wrong_length_says_how_long_it_should_be(typed):
    with pytest.raises(ValidationError) as caught:
        parse_phone(typed)
    assert "10 chữ số" in caught.value.messages[0]


@pytest.mark.parametrize(
    "typed", ["0912 abc 678", "113", "1234567", "++84912345678", "0912345678\x00", "٠٩١٢٣٤٥٦٧٨"]
)
def test_what_cannot_be_a_number_gives_an_example_of_one(typed):
    with pytest.raises(ValidationError) as caught:
        parse_phone(typed)
    assert caught.value.messages == [
        "Số điện thoại không hợp lệ: cần từ 8 đến 15 chữ số, ví dụ 0912 345 678 hoặc "
        "+84 912 345 678."
    ]
    assert caught.value.code == "invalid_phone"


@pytest.mark.parametrize(
    ("typed", "stored"), [("113", "113"), ("1800 1567", "18001567"), ("1900 969 680", "1900969680")]
)
def test_the_directory_may_list_short_numbers_of_public_services(typed, stored):
    assert parse_phone(typed, allow_service=True) == stored


class _Form(forms.Form):
    phone = PhoneField(required=False)


def test_the_form_field_cleans_and_refuses():
    good = _Form({"phone": "+84 987-654-321"})
    assert good.is_valid() and good.cleaned_data["phone"] == "0987654321"
    bad = _Form({"phone": "12ab"})
    assert not bad.is_valid()
    assert "Số điện thoại không hợp lệ" in bad.errors["phone"][0]
    assert 'inputmode="tel"' in str(bad["phone"])


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("0912345678", "0912 345 678"),
        ("02438251234", "024 3825 1234"),
        ("02213862115", "0221 3862 115"),
        ("18001567", "1800 1567"),
        ("1900123456", "1900 123 456"),
        ("113", "113"),
        ("+4420794600", "+4420794600"),
        ("", ""),
    ],
)
def test_stored_numbers_are_shown_grouped_as_people_read_them(stored, shown):
    assert format_phone(stored) == shown
