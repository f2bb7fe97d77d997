"""Shared test fixtures: a small map and the fixed cast of named users (see accounts/demo.py)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("ANTOAN_ENV", "test")

OLD_ERA_END = dt.date(2025, 6, 30)
NEW_ERA = dt.date(2025, 7, 1)


@pytest.fixture
def mini_places(db):
    """Just enough of the map for the cast: old and new Hưng Yên and the two demo communes."""
    from antoan.places.models import Place

    def make(**kwargs):
        place = Place(**kwargs)
        place.full_clean()
        place.save()
        return place

    old_hy = make(code="33", name="Tỉnh Hưng Yên", level="province", valid_to=OLD_ERA_END)
    new_hy = make(code="33", name="Tỉnh Hưng Yên", level="province", valid_from=NEW_ERA)
    a = make(
        code="11953", name="Phường Phố Hiến", level="commune", parent=new_hy, valid_from=NEW_ERA
    )
    b = make(
        code="12452",
        name="Phường Trần Hưng Đạo",
        level="commune",
        parent=new_hy,
        valid_from=NEW_ERA,
    )
    return {"old_province": old_hy, "province": new_hy, "commune_a": a, "commune_b": b}


@pytest.fixture
def cast(mini_places):
    """The named users of the demo (worker1, supervisor1, ...), keyed by username."""
    from antoan.accounts.demo import DEMO_PASSWORD, build_demo_world

    return build_demo_world(password=DEMO_PASSWORD)


@pytest.fixture
def client_for(client):
    """Log a named user into the test client: ``client_for(cast["worker1"])``."""

    def login(user):
        client.force_login(user)
        return client

    return login
