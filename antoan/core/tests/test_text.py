"""Ids typed into a query string: what is taken as an id, what is ignored."""

from __future__ import annotations

import pytest

from antoan.core.text import positive_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("000040", 40), ("9" * 18, int("9" * 18))],
)
def test_a_positive_number_is_an_id(raw, expected):
    assert positive_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [None, "", "0", "-3", "1.5", " 12", "12abc", "١٢", "²", "9" * 19, "\x00"],
)
def test_anything_else_is_not_given(raw):
    # Not an error page: the list simply starts at its first page.
    assert positive_id(raw) is None
