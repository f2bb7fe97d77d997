"""The incident's commune on intake is typed by name (or code), not looked up as a code."""

from __future__ import annotations

import datetime as dt

import pytest

from antoan.cases.models import Case
from antoan.cases.tests.test_views_intake import URL, intake_data

OLD_END = dt.date(2025, 6, 30)


@pytest.fixture
def worker1(client, cast, clock):
    client.force_login(cast["worker1"])
    return client


def test_the_commune_box_offers_names_labelled_with_the_province(worker1):
    page = worker1.get(URL).content.decode()
    assert 'name="incident-commune"' in page
    assert 'data-place-search="/places/search"' in page
    assert 'data-place-date="incident-occurred_on"' in page
    assert '<option value="Phường Phố Hiến, Tỉnh Hưng Yên">' in page
    assert "Mã xã, phường nơi xảy ra" not in page


@pytest.mark.parametrize(
    "typed", ["Phố Hiến", "pho hien", "Phường Phố Hiến, Tỉnh Hưng Yên", "11953"]
)
def test_intake_takes_the_commune_by_name_with_or_without_accents_or_by_code(worker1, clock, typed):
    response = worker1.post(URL, intake_data(clock.today(), **{"incident-commune": typed}))
    assert response.status_code == 302
    incident = Case.objects.get().incidents.get()
    assert (incident.commune.code, incident.commune.name) == ("11953", "Phường Phố Hiến")


def test_an_ambiguous_name_is_refused_with_the_candidates_and_nothing_saved(
    worker1, clock, mini_places
):
    from antoan.places.models import Place

    other = Place.objects.create(
        code="26", name="Tỉnh Thái Nguyên", level="province", valid_from=dt.date(2025, 7, 1)
    )
    Place.objects.create(
        code="09999",
        name="Xã Trần Hưng Đạo",
        search_name="xa tran hung dao",
        level="commune",
        parent=other,
        valid_from=dt.date(2025, 7, 1),
    )
    data = intake_data(clock.today(), **{"incident-commune": "tran hung dao"})
    response = worker1.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Có nhiều đơn vị hành chính tên “tran hung dao”" in page
    assert "Phường Trần Hưng Đạo, Tỉnh Hưng Yên" in page
    assert "Xã Trần Hưng Đạo, Tỉnh Thái Nguyên" in page
    assert Case.objects.count() == 0


def test_an_unknown_name_is_refused_on_its_field_and_nothing_saved(worker1, clock):
    data = intake_data(clock.today(), **{"incident-commune": "Bãi Sậy"})
    page = worker1.post(URL, data).content.decode()
    assert "Không tìm thấy đơn vị hành chính “Bãi Sậy”" in page
    assert 'value="Bãi Sậy"' in page  # what was typed is kept, to correct it
    assert Case.objects.count() == 0


def test_an_old_communes_name_resolves_for_an_old_date_only(worker1, clock, mini_places):
    from antoan.places.models import Place

    old_town = Place.objects.create(
        code="323",
        name="Thành phố Hưng Yên",
        search_name="thanh pho hung yen",
        level="district",
        parent=mini_places["old_province"],
        valid_to=OLD_END,
    )
    Place.objects.create(
        code="11953",
        name="Phường Hiến Nam",
        search_name="phuong hien nam",
        level="commune",
        parent=old_town,
        valid_to=OLD_END,
    )
    old_dates = {"incident-occurred_on": "10/03/2025", "incident-first_reported_on": "12/03/2025"}
    data = intake_data(clock.today(), **{"incident-commune": "hien nam", **old_dates})
    assert worker1.post(URL, data).status_code == 302
    commune = Case.objects.get().incidents.get().commune
    assert (commune.name, commune.valid_to) == ("Phường Hiến Nam", OLD_END)

    data = intake_data(clock.today(), **{"incident-commune": "hien nam"})
    page = worker1.post(URL, data).content.decode()
    assert "Không tìm thấy đơn vị hành chính “hien nam”" in page
    assert Case.objects.count() == 1


def test_an_incident_added_later_takes_the_commune_by_name_too(client, cast, clock, open_case):
    case = open_case(cast["worker1"], incident=None)
    client.force_login(cast["worker1"])
    url = f"/cases/{case.pk}/incidents/new/"
    page = client.get(url).content.decode()
    assert '<option value="Phường Phố Hiến, Tỉnh Hưng Yên">' in page
    day = clock.today().strftime("%d/%m/%Y")
    response = client.post(
        url,
        {
            "version": str(case.version),
            "occurred_on": day,
            "first_reported_on": day,
            "acts": ["physical_assault"],
            "commune": "pho hien",
            "perpetrators-TOTAL_FORMS": "3",
            "perpetrators-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert case.incidents.get().commune.name == "Phường Phố Hiến"
