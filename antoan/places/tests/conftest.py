"""Fixtures for places: the whole country as ``manage.py load_places`` loads it.

Loading takes about half a second, so each test gets a fresh copy inside its own transaction
rather than sharing one across tests (a shared copy would also leak its audit event).
Never combine ``country`` with ``mini_places``/``cast``: their codes would collide.
"""

from __future__ import annotations

import datetime as dt

import pytest

OLD_DAY = dt.date(2024, 12, 31)
NEW_DAY = dt.date(2025, 7, 1)
PASSWORD = "antoan-places-test-2025"


@pytest.fixture
def country(db):
    from antoan.places.services import places_load
    from antoan.places.sources import read_all

    return places_load(sources=read_all())


@pytest.fixture
def country_cast(country):
    """The named demo users, built on the real map instead of ``mini_places``."""
    from antoan.accounts.demo import build_demo_world

    return build_demo_world(password=PASSWORD)
