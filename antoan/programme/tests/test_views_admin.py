"""Programme data in the admin: administrators look, nobody changes it there."""

from __future__ import annotations

import pytest

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.programme.demo import build_demo_programme
from antoan.programme.models import Activity

pytestmark = pytest.mark.django_db

MODELS = [
    "plan",
    "task",
    "assignment",
    "dutytransfer",
    "activity",
    "communitymodel",
    "influencer",
    "budgetline",
    "yearreport",
]


def test_administrators_read_programme_data_without_changing_it(cast, plan64, client_for):
    build_demo_programme(password=DEMO_PASSWORD)
    admin = client_for(cast["admin1"])
    for name in MODELS:
        assert admin.get(f"/admin/programme/{name}/").status_code == 200, name
        assert admin.get(f"/admin/programme/{name}/add/").status_code == 403, name
    activity = Activity.objects.first()
    assert admin.get(f"/admin/programme/activity/{activity.pk}/change/").status_code == 200
    response = admin.post(f"/admin/programme/activity/{activity.pk}/change/", {"title": "x"})
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.title != "x"
    assert client_for(cast["coordinator1"]).get("/admin/programme/activity/").status_code == 403
