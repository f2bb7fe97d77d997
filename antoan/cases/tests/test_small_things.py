"""Small things a user meets every day (issue 12): the new case number is a link, the case page
shows no internal version number, empty choices read "— Chọn —", and the support plan starts
from the needs already assessed."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from antoan.accounts.models import Agency
from antoan.cases import services
from antoan.cases.forms.base import StyledForm
from antoan.cases.models import Case, CasePlan
from antoan.cases.tests.conftest import fresh
from antoan.cases.tests.test_views_intake import URL as INTAKE_URL
from antoan.cases.tests.test_views_intake import intake_data

pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture
def worker1(client, cast, clock):
    client.force_login(cast["worker1"])
    return client


def test_the_new_case_number_after_intake_is_a_link_to_the_case(worker1, clock):
    response = worker1.post(INTAKE_URL, intake_data(clock.today()), follow=True)
    case = Case.objects.get()
    page = response.content.decode()
    link = re.search(r'<a href="([^"]+)"[^>]*data-testid="new-case-link">([^<]+)</a>', page)
    assert link, "the success message names the case without a link"
    assert link.groups() == (reverse("cases:detail", args=[case.pk]), case.number)
    assert f"Đã tạo hồ sơ {link.group(0)}." in page


def test_the_case_page_shows_no_version_number_but_its_forms_carry_it(worker1, cast, open_case):
    case = open_case(cast["worker1"])
    for _ in range(3):
        services.note_add(case=fresh(case), actor=cast["worker1"], body="Gọi lại sau")
    case = fresh(case)
    assert case.version > 3
    page = worker1.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Phiên bản" not in page
    assert 'data-testid="case-version"' not in page
    form = worker1.get(reverse("cases:note_add", args=[case.pk])).content.decode()
    assert f'<input type="hidden" name="version" value="{case.version}"' in form


class _Example(StyledForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.all(), required=False)
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
    every = forms.ChoiceField(choices=[("", "Tất cả"), ("a", "A")], required=False)


def test_empty_choices_read_chon_instead_of_dashes(cast):
    html = str(_Example().as_p())
    assert "---------" not in html
    assert html.count("— Chọn —") == 2
    # An empty entry a form names itself stays as named.
    assert "Tất cả" in html


def test_the_hotline_notification_form_offers_chon_for_its_agency(cast):
    from antoan.hotline.forms import NotificationForm

    html = str(NotificationForm(agencies=Agency.objects.all())["agency"])
    assert "— Chọn —" in html and "---------" not in html


def test_the_support_plan_offers_the_needs_already_assessed(worker1, cast, agencies, open_case):
    worker = cast["worker1"]
    case = open_case(worker, needs=["health"])
    services.assessment_add(
        case=fresh(case), actor=worker, needs=["legal", "psychosocial"], answers={}
    )
    url = reverse("cases:case_plan_add", args=[case.pk])
    page = worker1.get(url).content.decode()
    assert 'data-testid="suggested-needs"' in page
    selected = re.findall(
        r'name="items-(\d)-service"[^>]*>.*?<option value="(\w+)" selected>', page, re.S
    )
    # The latest assessment's needs, in the form's order of needs.
    assert selected == [("0", "psychosocial"), ("1", "legal")]

    # A suggested row completed is saved; one left as suggested is not.
    data = {
        "version": fresh(case).version,
        "goals": "Tư vấn tâm lý",
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "5",
        "items-0-service": "psychosocial",
        "items-0-responsible_agency": str(agencies["a"].pk),
        "items-0-due_on": "30/03/2026",
        "items-1-service": "legal",
    }
    response = worker1.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    (plan,) = CasePlan.objects.filter(case=case)
    assert [item.service for item in plan.items.all()] == ["psychosocial"]
