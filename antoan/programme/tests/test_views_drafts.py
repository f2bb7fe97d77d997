"""Drafts of the activity form: new (per kind) and changes to one activity, for the reporter
who may record it; deleted once the form is saved."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from antoan.core.models import AuditEvent, FormDraft
from antoan.programme.tests.test_views_activities import edit_data

pytestmark = pytest.mark.django_db

NEW = "programme:activity_new:training"


def save(client, key, fields=(("title", "Tập huấn"),)):
    return client.post(
        reverse("core:draft", args=[key]),
        json.dumps({"fields": [list(pair) for pair in fields]}),
        content_type="application/json",
    )


def test_the_reporter_keeps_a_draft_of_a_new_activity(cast, client_for, plan64, vietnamese):
    client = client_for(cast["reporter1"])
    page = client.get("/programme/activities/new/?kind=training").content.decode()
    assert f'data-draft-url="{reverse("core:draft", args=[NEW])}"' in page
    before = AuditEvent.objects.count()
    assert save(client, NEW).status_code == 200
    got = client.get(reverse("core:draft", args=[NEW])).json()
    assert got["fields"] == [["title", "Tập huấn"]]
    # Programme activities are not case data: their drafts are not audited.
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("key", ["programme:activity_new:nonsense", NEW])
def test_who_may_not_record_activities_keeps_no_draft(cast, client_for, plan64, key):
    client = client_for(cast["worker1"])
    assert save(client, key).status_code == 404
    assert not FormDraft.objects.exists()


def test_a_new_activity_saved_deletes_its_draft(cast, client_for, form_data, vietnamese):
    client = client_for(cast["reporter1"])
    save(client, NEW)
    response = client.post("/programme/activities/new/", form_data(client_uuid=str(uuid.uuid4())))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not FormDraft.objects.exists()


def test_drafts_of_changes_to_an_activity(cast, client_for, activity_a, activity_b, vietnamese):
    client = client_for(cast["reporter1"])
    key = f"programme:activity:{activity_a.pk}"
    assert save(client, key).status_code == 200
    # Another agency's activity: not found, as its page is.
    assert save(client, f"programme:activity:{activity_b.pk}").status_code == 404
    data = edit_data(client, activity_a)
    assert client.post(f"/programme/activities/{activity_a.pk}/edit/", data).status_code == 302
    assert not FormDraft.objects.exists()
