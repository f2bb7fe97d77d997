"""Evidence files: checked by content, photos stored without their metadata, served only to
users who may see the activity, as downloads."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from antoan.core.models import AuditEvent
from antoan.programme.models import Evidence

pytestmark = pytest.mark.django_db


def png_with_metadata() -> bytes:
    """A photo as a phone leaves it: a GPS position in its EXIF and a text comment."""
    image = Image.new("RGB", (40, 30), (200, 50, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (20.0, 38.0, 51.0)}  # GPS: a place in Hưng Yên
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "nha cua chi Lan, to 3")
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif, pnginfo=info)
    return out.getvalue()


def upload(client, activity, name: str, data: bytes, kind: str = "photo"):
    return client.post(
        f"/programme/activities/{activity.pk}/evidence/",
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
    )


def test_a_photo_is_stored_without_its_metadata(cast, client_for, activity_a, media, vietnamese):
    original = png_with_metadata()
    assert b"PhoneMaker" in original and b"nha cua chi Lan" in original
    response = upload(client_for(cast["reporter1"]), activity_a, "IMG_2025 Chị Lan.png", original)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    stored = Path(evidence.file.path).read_bytes()
    assert b"PhoneMaker" not in stored and b"nha cua chi Lan" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 30)
        assert dict(image.getexif()) == {}
    # Stored under the content's hash, never the uploader's file name.
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert Path(evidence.file.name).name == f"{evidence.sha256}.png"
    assert evidence.size == len(stored) and evidence.content_type == "image/png"
    assert evidence.original_name == "IMG_2025 Chị Lan.png"
    assert AuditEvent.objects.filter(action="create", object_type="programme.evidence").exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bao-cao.pdf", png_with_metadata()),  # a photo calling itself a PDF
        ("anh.jpg", b"%PDF-1.4\n%fake pdf\n"),  # a PDF calling itself a photo
        ("virus.png", b"MZ\x90\x00 this is a program"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    cast, client_for, activity_a, media, vietnamese, name, data
):
    response = upload(client_for(cast["reporter1"]), activity_a, name, data, kind="document")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tên tệp có đuôi" in page or "không phải là loại được nhận" in page
    assert not Evidence.objects.exists()
    assert not Path(media).exists() or not any(p.is_file() for p in Path(media).rglob("*"))


@pytest.mark.parametrize("who", ["coordinator1", "analyst1"])
def test_only_the_organising_agency_uploads(cast, client_for, activity_a, media, who):
    response = upload(client_for(cast[who]), activity_a, "a.png", png_with_metadata())
    assert response.status_code in (403, 404)
    assert not Evidence.objects.exists()


def test_another_agency_gets_404_on_upload(client_for, reporter2, activity_a, media):
    response = upload(client_for(reporter2), activity_a, "a.png", png_with_metadata())
    assert response.status_code == 404


def test_download_for_the_agency_and_the_coordinator_only(
    cast, client_for, reporter2, activity_a, media
):
    upload(client_for(cast["reporter1"]), activity_a, "Danh sách.png", png_with_metadata())
    evidence = Evidence.objects.get()
    url = f"/programme/activities/{activity_a.pk}/evidence/{evidence.pk}/"
    for who in ("reporter1", "coordinator1"):
        response = client_for(cast[who]).get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == evidence.sha256
    assert client_for(reporter2).get(url).status_code == 404
    assert client_for(cast["analyst1"]).get(url).status_code == 404
    assert client_for(cast["manager1"]).get(url).status_code == 404
    assert client_for(cast["worker1"]).get(url).status_code == 403
    downloads = AuditEvent.objects.filter(object_type="programme.evidence", action="view")
    assert downloads.count() == 2
    assert (
        client_for(cast["reporter1"]).get(url.replace(f"/{evidence.pk}/", "/999/")).status_code
        == 404
    )


def test_the_activity_page_lists_evidence_with_download_links(
    cast, client_for, activity_a, media, vietnamese
):
    client = client_for(cast["reporter1"])
    upload(client, activity_a, "Danh sach diem danh.png", png_with_metadata(), kind="attendance")
    page = client.get(f"/programme/activities/{activity_a.pk}/").content.decode()
    evidence = Evidence.objects.get()
    assert f"/programme/activities/{activity_a.pk}/evidence/{evidence.pk}/" in page
    assert "Danh sach diem danh.png" in page and "Danh sách tham dự" in page
    # The same file twice is refused, not stored twice.
    again = upload(client, activity_a, "lan-2.png", png_with_metadata())
    assert again.status_code == 400
    assert Evidence.objects.count() == 1


def test_uploads_past_the_monthly_quota_are_refused(
    cast, client_for, activity_a, media, settings, vietnamese
):
    settings.ANTOAN_UPLOAD_QUOTA_FILES = 2
    client = client_for(cast["reporter1"])
    for n in (1, 2):
        image = Image.new("RGB", (10 + n, 10), (n, 0, 0))
        out = io.BytesIO()
        image.save(out, "PNG")
        assert upload(client, activity_a, f"anh-{n}.png", out.getvalue()).status_code == 302

    response = upload(client, activity_a, "anh-3.png", png_with_metadata())

    assert response.status_code == 400
    assert "chạm hạn mức" in response.content.decode()
    assert Evidence.objects.count() == 2


def test_the_byte_quota_counts_what_was_uploaded(
    cast, client_for, activity_a, media, settings, vietnamese
):
    data = png_with_metadata()
    settings.ANTOAN_UPLOAD_QUOTA_BYTES = len(data) + 10
    client = client_for(cast["reporter1"])
    assert upload(client, activity_a, "anh-1.png", data).status_code == 302

    response = upload(client, activity_a, "anh-2.png", data)

    assert response.status_code == 400
    assert "chạm hạn mức" in response.content.decode()
    assert Evidence.objects.count() == 1
