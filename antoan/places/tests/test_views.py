"""The place search behind the place boxes: names for a date, for signed-in users only."""

from __future__ import annotations

import pytest

SEARCH = "/places/search"


def test_the_search_finds_a_commune_typed_without_accents_with_its_province(client, cast):
    client.force_login(cast["worker1"])
    data = client.get(SEARCH, {"q": "pho hien", "level": "commune", "on": "2026-01-05"}).json()
    assert data["results"][0] == {
        "code": "11953",
        "name": "Phường Phố Hiến",
        "label": "Phường Phố Hiến, Tỉnh Hưng Yên",
    }


def test_the_search_offers_the_units_of_the_date_asked(client, cast, mini_places):
    from antoan.places.models import Place

    Place.objects.create(
        code="11953",
        name="Phường Hiến Nam",
        search_name="phuong hien nam",
        level="commune",
        parent=mini_places["old_province"],
        valid_to=mini_places["old_province"].valid_to,
    )
    client.force_login(cast["reporter1"])
    old = client.get(SEARCH, {"q": "hien", "on": "2025-03-10"}).json()["results"]
    new = client.get(SEARCH, {"q": "hien", "on": "2025-07-01"}).json()["results"]
    assert [p["name"] for p in old] == ["Phường Hiến Nam"]
    assert [p["name"] for p in new] == ["Phường Phố Hiến"]


@pytest.mark.parametrize("query", [{"q": "p"}, {"q": "pho", "on": "not-a-date", "level": "x"}])
def test_short_or_odd_queries_are_answered_not_refused(client, cast, query):
    client.force_login(cast["worker1"])
    response = client.get(SEARCH, query)
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    response = client.get(SEARCH, {"q": "pho hien"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_same_name_comes_first_and_words_must_start_as_typed(client, cast, mini_places):
    from antoan.places.models import Place

    Place.objects.create(
        code="11999",
        name="Phường Phố Hiến Mới",
        search_name="phuong pho hien moi",
        level="commune",
        parent=mini_places["province"],
        valid_from=mini_places["province"].valid_from,
    )
    client.force_login(cast["worker1"])
    names = [p["name"] for p in client.get(SEARCH, {"q": "Phố Hiến"}).json()["results"]]
    assert names == ["Phường Phố Hiến", "Phường Phố Hiến Mới"]
    assert client.get(SEARCH, {"q": "ien"}).json()["results"] == []  # not inside a word
