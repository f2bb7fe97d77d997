"""The case lists' markup for phones (issue 12): each row can become a card whose first line is
the case number and its risk, every other cell labelled (tests/browser/test_case_lists_phone.py
checks the result at 360 px)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.mark.parametrize(
    ("username", "name"), [("worker1", "cases:mine"), ("supervisor1", "cases:team")]
)
def test_each_case_row_carries_its_risk_next_to_its_number_and_labels_its_cells(
    client, cast, open_case, username, name
):
    case = open_case(cast["worker1"], risk_level="high")
    client.force_login(cast[username])
    page = client.get(reverse(name)).content.decode()
    assert 'class="table table-hover align-middle case-table case-cards"' in page
    (row,) = re.findall(r'<tr role="row" data-testid="case-row">(.*?)</tr>', page, re.S)
    cells = re.findall(r"<td ([^>]*)>(.*?)</td>", row, re.S)
    assert len(cells) == 7
    assert all('data-label="' in attrs for attrs, _html in cells)
    (_number_attrs, number), (risk_attrs, risk) = cells[:2]
    assert case.number in number
    assert 'data-label="Nguy cơ"' in risk_attrs
    assert ">Cao</span>" in risk
