"""The statistical exports page: the same files as the API, from the browser, audited; the
incident workbook only for analysts."""

from __future__ import annotations

import json

import pytest

from antoan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def test_an_analyst_downloads_each_export_and_each_is_audited(cast, client_for, plan64, catalogue):
    client = client_for(cast["analyst1"])
    page = client.get("/reports/exports/").content.decode()
    assert "DHIS2" in page and "Thông tư 07/2017/TT-BVHTTDL" in page and "GBVIMS" in page
    dhis2 = client.get("/reports/exports/dhis2?year=2025")
    assert dhis2.status_code == 200
    body = json.loads(dhis2.content)
    assert body["period"] == "2025" and isinstance(body["dataValues"], list)
    for kind in ("circular07", "gbvims"):
        response = client.get(f"/reports/exports/{kind}?year=2025")
        # The incident workbook is streamed from a temporary file (FileResponse).
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 and content[:2] == b"PK"
    assert "groups" in json.loads(client.get("/reports/exports/decree110?year=2025").content)
    exported = set(
        AuditEvent.objects.filter(action="export", object_type="statistics_export").values_list(
            "object_id", flat=True
        )
    )
    assert exported == {"dhis2", "circular07", "gbvims", "decree110"}


def test_a_bad_year_is_a_message_not_a_file(cast, client_for, plan64, catalogue):
    client = client_for(cast["analyst1"])
    response = client.get("/reports/exports/dhis2?year=abc", follow=True)
    assert "Năm phải là một số" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_incident_workbook_is_for_analysts_only(cast, client_for, plan64, catalogue):
    client = client_for(cast["coordinator1"])
    assert "gbvims" not in client.get("/reports/exports/").content.decode()
    assert client.get("/reports/exports/gbvims?year=2025").status_code == 403
    assert client.get("/reports/exports/dhis2?year=2025").status_code == 200
    assert client_for(cast["reporter1"]).get("/reports/exports/").status_code == 403
