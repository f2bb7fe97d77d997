"""Dates are bounded everywhere (issue 9, item 5): 01/01/1900 to today + 10 years.

The bug: a protection measure decided with a start in year 9999 crashed the decision page and
the API (``starts_at + 3 days`` is past ``date.max``: OverflowError, a 500).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from antoan.api.cases.fields import Day, Moment
from antoan.api.tests.test_cases_helpers import fields_of, open_case, send
from antoan.cases import services
from antoan.cases.models import ProtectionMeasure
from antoan.core import dates
from antoan.core.forms import AuditSearchForm
from antoan.programme.excel.reader import CellError, as_date
from antoan.referrals.forms import DeliverForm

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Ngày phải trong khoảng từ 01/01/1900 đến"


def test_the_range_runs_from_1900_to_ten_years_ahead():
    today = dt.date(2026, 3, 16)
    assert dates.check_date_range(dt.date(1900, 1, 1), today=today) == dt.date(1900, 1, 1)
    assert dates.check_date_range(dt.date(2036, 3, 16), today=today) == dt.date(2036, 3, 16)
    for day in (dt.date(1899, 12, 31), dt.date(2036, 3, 17), dt.date(9999, 12, 31), dt.date.min):
        with pytest.raises(ValidationError) as refused:
            dates.check_date_range(day, today=today)
        assert refused.value.messages == [
            "Ngày phải trong khoảng từ 01/01/1900 đến 16/03/2036. Hãy kiểm tra lại năm đã nhập."
        ]
    # 29/02 ten years on is not a date; the last day accepted is 28/02.
    assert dates.latest(dt.date(2028, 2, 29)) == dt.date(2038, 2, 28)


def test_a_moment_at_the_very_end_of_time_is_refused_not_a_crash():
    # 31/12/9999 23:00 UTC is already year 10000 in Việt Nam.
    moment = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        dates.check_date_range(moment)


@pytest.mark.parametrize("form_class", [DeliverForm, AuditSearchForm])
def test_forms_outside_the_cases_app_are_bounded_too(form_class):
    name = "delivered_on" if form_class is DeliverForm else "date_from"
    # The audit search has its own floor (2000) and the common ceiling.
    form = form_class(data={name: "31/12/9999", "description": "x"})
    assert not form.is_valid()
    assert any(OUT_OF_RANGE in message for message in form.errors[name])


def test_an_import_cell_in_year_9999_names_the_range():
    with pytest.raises(CellError, match=OUT_OF_RANGE):
        as_date("31/12/9999")
    assert as_date("10/11/2025") == dt.date(2025, 11, 10)


# --- The measure decision that crashed ---------------------------------------------------------


def _measure(case, user):
    return services.measure_request(
        case=case,
        actor=user,
        type="no_contact_commune",
        deciding_body="commune_chair",
        requested_at=timezone.now() - dt.timedelta(hours=1),
    )


def test_a_measure_starting_in_year_9999_is_a_form_error_not_a_500(client_for, cast):
    case = open_case(cast["worker1"])
    measure = _measure(case, cast["worker1"])
    case.refresh_from_db()
    client = client_for(cast["worker1"])
    now = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    response = client.post(
        reverse("cases:measure_decide", args=[case.pk, measure.pk]),
        {
            "version": case.version,
            "decision": "granted",
            "decided_at": now,
            "starts_at": "31/12/9999 23:00",
            "ends_at": "31/12/9999 23:59",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_starts_at_errors"' in page
    assert OUT_OF_RANGE in page
    assert ProtectionMeasure.objects.get(pk=measure.pk).decision == "pending"


@pytest.mark.parametrize(
    "starts_at", ["9999-12-31T23:00:00+07:00", "9999-12-31T23:00:00Z", "1899-12-31T08:00:00+07:00"]
)
def test_a_measure_starting_in_year_9999_is_a_400_over_the_api(client_for, cast, starts_at):
    case = open_case(cast["worker1"])
    measure = _measure(case, cast["worker1"])
    now = timezone.localtime().isoformat()
    response = send(
        client_for(cast["worker1"]),
        "post",
        f"/api/v1/cases/{case.pk}/measures/{measure.pk}/decision",
        {"decision": "granted", "decided_at": now, "starts_at": starts_at, "ends_at": starts_at},
    )
    assert response.status_code == 400
    # Past date.max once moved to Việt Nam's time: DRF's own "overflow", in our words.
    expected = "nằm ngoài khoảng cho phép" if starts_at.endswith("Z") else OUT_OF_RANGE
    assert any(expected in message for message in fields_of(response)["starts_at"])
    assert ProtectionMeasure.objects.get(pk=measure.pk).decision == "pending"


@pytest.mark.parametrize("field", [Day(), Moment()])
def test_every_api_date_field_is_bounded(field):
    value = "9999-12-31" if isinstance(field, Day) else "9999-12-31T08:00:00+07:00"
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(value)
    assert OUT_OF_RANGE in str(refused.value.detail[0])
    good = "2026-01-02" if isinstance(field, Day) else "2026-01-02T08:00:00+07:00"
    assert field.run_validation(good)
