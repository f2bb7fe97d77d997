"""Uploads are judged by content: what a reporter sends is what is stored, minus metadata."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from antoan.programme.files import check_upload

EVERYTHING = {"jpeg", "png", "pdf", "xlsx", "docx"}


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (20.0, 39.0, 0.0)}  # GPSInfo: latitude of Hưng Yên
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def workbook(*, macro: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        kind = "application/vnd.ms-excel.sheet.macroEnabled.main+xml" if macro else "sheet"
        z.writestr("[Content_Types].xml", f'<Types><Override ContentType="{kind}"/></Types>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        if macro:
            z.writestr("xl/vbaProject.bin", b"\x00macro")
    return out.getvalue()


def test_a_photo_loses_its_camera_and_gps_metadata():
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original
    photo = upload("lop-tap-huan.JPG", original)
    checked = check_upload(photo, allowed=EVERYTHING, max_bytes=10**6)
    assert checked.kind == "jpeg" and checked.content_type == "image/jpeg"
    assert b"PhoneMaker" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.size == (40, 30)
        assert not image.getexif()


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Nguyễn Văn A")
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG", pnginfo=info)
    checked = check_upload(upload("a.png", out.getvalue()), allowed=EVERYTHING, max_bytes=10**6)
    assert b"Author" not in checked.data


def test_content_that_is_not_what_the_extension_claims_is_refused():
    with pytest.raises(ValidationError, match="nội dung là tệp PDF"):
        check_upload(upload("anh.jpg", b"%PDF-1.7 ..."), allowed=EVERYTHING, max_bytes=10**6)


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused():
    with pytest.raises(ValidationError, match="macro"):
        check_upload(upload("mau.xlsx", workbook(macro=True)), allowed={"xlsx"}, max_bytes=10**6)
    ok = check_upload(upload("mau.xlsx", workbook()), allowed={"xlsx"}, max_bytes=10**6)
    assert ok.kind == "xlsx" and ok.extension == ".xlsx"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.pdf", b"", "rỗng"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "định dạng cũ"),
        ("a.exe", b"MZ\x90\x00", "không phải là loại được nhận"),
        ("a.xlsx", b"PK\x03\x04broken", "hỏng"),
        ("a.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "hỏng"),
    ],
)
def test_broken_or_foreign_files_are_refused(name, data, message):
    with pytest.raises(ValidationError, match=message):
        check_upload(upload(name, data), allowed=EVERYTHING, max_bytes=10**6)


def test_size_limit_is_checked_before_reading():
    with pytest.raises(ValidationError, match="quá lớn"):
        check_upload(upload("a.pdf", b"%PDF-" + b"0" * 2048), allowed=EVERYTHING, max_bytes=1024)


def test_a_type_allowed_elsewhere_is_refused_where_it_is_not():
    with pytest.raises(ValidationError, match="Excel"):
        check_upload(upload("a.pdf", b"%PDF-1.4"), allowed={"xlsx"}, max_bytes=10**6)
