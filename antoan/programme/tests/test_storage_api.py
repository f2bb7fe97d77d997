"""Uploaded files go through Django's storage API only: with an object store in place of the
disk (here Django's in-memory storage), evidence uploads and downloads work unchanged, so app
servers need no shared folder (docs/operations/scaling.md)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage, storages

from antoan.programme.models import Evidence
from antoan.programme.tests.test_views_evidence import png_with_metadata, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def object_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "no-disk"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return settings.MEDIA_ROOT


def test_evidence_round_trips_through_a_storage_that_is_not_a_disk(
    cast, client_for, activity_a, object_store
):
    assert type(storages["default"]).__name__ == "InMemoryStorage"
    response = upload(client_for(cast["reporter1"]), activity_a, "anh.png", png_with_metadata())
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert default_storage.exists(evidence.file.name)
    url = f"/programme/activities/{activity_a.pk}/evidence/{evidence.pk}/"
    body = b"".join(client_for(cast["coordinator1"]).get(url).streaming_content)
    assert hashlib.sha256(body).hexdigest() == evidence.sha256
    assert not object_store.exists()  # nothing was written to the local disk
