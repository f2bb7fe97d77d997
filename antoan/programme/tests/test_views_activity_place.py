"""The activity's place is typed by name (or code), on the activity's first day."""

from __future__ import annotations

from antoan.programme.models import Activity

NEW = "/programme/activities/new/"


def test_the_place_box_offers_names_with_their_province(cast, client_for, plan64):
    page = client_for(cast["reporter1"]).get(NEW, {"kind": "training"}).content.decode()
    assert 'data-place-date="start_date"' in page
    assert '<option value="Phường Phố Hiến, Tỉnh Hưng Yên">' in page
    assert "hoặc mã đơn vị hành chính" not in page


def test_an_activity_is_recorded_at_a_place_typed_without_accents(
    cast, client_for, form_data, vietnamese
):
    response = client_for(cast["reporter1"]).post(NEW, form_data(commune="pho hien"))
    assert response.status_code == 302
    assert Activity.objects.get().place.name == "Phường Phố Hiến"


def test_an_unknown_place_is_refused_on_its_field(cast, client_for, form_data, vietnamese):
    response = client_for(cast["reporter1"]).post(NEW, form_data(commune="Bãi Sậy"))
    assert response.status_code == 400
    assert "Không tìm thấy đơn vị hành chính “Bãi Sậy”" in response.content.decode()
    assert not Activity.objects.exists()


def test_editing_shows_the_place_by_name(cast, client_for, activity_a, vietnamese):
    page = client_for(cast["reporter1"]).get(f"/programme/activities/{activity_a.pk}/edit/")
    html = page.content.decode()
    assert f'value="{activity_a.place.name}' in html
    assert f'name="commune" value="{activity_a.place.code}"' not in html


def test_an_old_units_activity_shows_its_place_by_its_name_of_then(
    cast, client_for, form_data, vietnamese, mini_places
):
    from antoan.places.models import Place

    Place.objects.create(
        code="11950",
        name="Phường Lê Lợi",
        search_name="phuong le loi",
        level="commune",
        parent=mini_places["old_province"],
        valid_to=mini_places["old_province"].valid_to,
    )
    client = client_for(cast["reporter1"])
    client.post(NEW, form_data(start_date="10/05/2024", end_date="", commune="le loi"))
    activity = Activity.objects.get()
    assert activity.place.code == "11950"
    page = client.get(f"/programme/activities/{activity.pk}/edit/").content.decode()
    assert 'name="commune" value="Phường Lê Lợi, Tỉnh Hưng Yên"' in page
