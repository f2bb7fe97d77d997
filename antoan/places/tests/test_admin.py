"""Places in the admin: administrators browse and search them; nobody adds or deletes."""

from __future__ import annotations

from antoan.places.models import Place, PlaceSuccession
from antoan.places.tests.conftest import NEW_DAY

CHANGELIST = "/admin/places/place/"


def test_administrators_search_places_accent_insensitively(client, country_cast):
    client.force_login(country_cast["admin1"])
    response = client.get(CHANGELIST, {"q": "pho hien", "level__exact": "commune"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [
        Place.objects.get(code="11953", valid_from=NEW_DAY)
    ]


def test_places_cannot_be_added_or_deleted_in_the_admin(client, country_cast):
    client.force_login(country_cast["admin1"])
    place = Place.objects.get(code="11953", valid_from=NEW_DAY)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.get(f"{CHANGELIST}{place.pk}/delete/").status_code == 403
    assert client.get(f"{CHANGELIST}{place.pk}/change/").status_code == 200
    link = PlaceSuccession.objects.first()
    assert client.get(f"/admin/places/placesuccession/{link.pk}/delete/").status_code == 403


def test_other_roles_are_kept_out(client, country_cast):
    client.force_login(country_cast["worker1"])
    assert client.get(CHANGELIST).status_code == 403
