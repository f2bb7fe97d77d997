"""The lead department fills in the document's number and signer before downloading: the
page and the API put them where Decree 30 wants them; bad values change nothing."""

from __future__ import annotations

import io

import pytest
from docx import Document

from antoan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def texts(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    found = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            found += [cell.text for cell in row.cells]
    return found


def test_the_page_puts_the_number_and_the_signer_in_the_document(
    cast, client_for, cycle2025, catalogue
):
    client = client_for(cast["coordinator1"])
    page = client.get(f"/reports/cycles/{cycle2025.pk}/").content.decode()
    assert 'data-testid="document-options"' in page
    response = client.get(
        f"/reports/cycles/{cycle2025.pk}/consolidated.docx",
        {"number": "125", "signer_title": "Phó Giám đốc", "signer_name": "Nguyễn Văn An"},
    )
    assert response.status_code == 200
    found = " ".join(texts(response.content))
    assert "Số: 125/BC-SNV" in found
    assert "PHÓ GIÁM ĐỐC" in found and "Nguyễn Văn An" in found
    # Without them: dots to fill at registration.
    plain = " ".join(texts(client.get(f"/reports/cycles/{cycle2025.pk}/consolidated.docx").content))
    assert "Số: ……/BC-SNV" in plain and "Nguyễn Văn An" not in plain


def test_a_bad_number_is_a_message_and_no_file(cast, client_for, cycle2025, catalogue):
    client = client_for(cast["coordinator1"])
    response = client.get(
        f"/reports/cycles/{cycle2025.pk}/consolidated.docx", {"number": "1" * 31}, follow=True
    )
    assert "Dài quá 30 ký tự." in response.content.decode()
    assert not AuditEvent.objects.filter(action="export", object_type="reports.cycle").exists()


def test_the_api_takes_the_same_options_and_refuses_bad_ones(
    cast, client_for, cycle2025, catalogue
):
    client = client_for(cast["coordinator1"])
    url = f"/api/v1/reports/cycles/{cycle2025.pk}/consolidated.docx"
    good = client.get(url, {"number": "7/BC-SNV", "signer_name": "Trần Thị Bình"})
    assert good.status_code == 200
    assert "Số: 7/BC-SNV" in " ".join(texts(good.content))
    bad = client.get(url, {"signer_name": "Trần\u0007Bình"})
    assert bad.status_code == 400
    assert "signer_name" in bad.json()["error"]["fields"]
