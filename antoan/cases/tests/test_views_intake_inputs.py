"""The intake takes dates and phone numbers the way people type them (docs/forms.md)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from antoan.cases.models import Case
from antoan.cases.tests.test_views_intake import intake_data


def test_a_phone_with_the_country_code_and_dates_with_dots_are_taken(client, cast, clock):
    client.force_login(cast["worker1"])
    day = clock.today() - dt.timedelta(days=2)
    response = client.post(
        reverse("cases:intake"),
        intake_data(
            clock.today(),
            **{
                "survivor-phone": "+84 912.345.678",
                "survivor-guardian_phone": "84-987-654-321",
                "incident-occurred_on": f"{day.day}.{day.month}.{day.year}",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.survivor.phone == "0912345678"
    assert case.survivor.guardian_phone == "0987654321"
    assert case.incidents.get().occurred_on == day


def test_a_phone_a_digit_short_says_how_long_it_should_be_next_to_the_field(client, cast, clock):
    client.force_login(cast["worker1"])
    response = client.post(
        reverse("cases:intake"), intake_data(clock.today(), **{"survivor-phone": "0912 345 67"})
    )
    assert response.status_code == 200
    page = response.content.decode()
    errors = page.split('id="id_survivor-phone_errors"', 1)[1][:400]
    assert "Số điện thoại trong nước có 10 chữ số" in errors
    assert not Case.objects.exists()
