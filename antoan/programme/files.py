"""Uploaded files are judged by their content, never by their name.

Evidence (photos, attendance lists, documents) and filled-in Excel templates pass through
``check_upload``: the bytes must be one of the allowed types, match the extension the user gave
them, stay under the size limit and carry no macros; photos are re-encoded so that the camera's
metadata (GPS position, device, owner) does not travel with them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photo; larger is a decompression bomb
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

EXTENSIONS = {
    "jpeg": (".jpg", ".jpeg"),
    "png": (".png",),
    "pdf": (".pdf",),
    "xlsx": (".xlsx",),
    "docx": (".docx",),
}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
LABELS = {"jpeg": "JPEG", "png": "PNG", "pdf": "PDF", "xlsx": "Excel (.xlsx)", "docx": "Word"}


@dataclass(frozen=True)
class Checked:
    kind: str
    extension: str
    content_type: str
    data: bytes


def _office_kind(data: bytes) -> str:
    """'xlsx', 'docx', or raise: macro-enabled, encrypted, oversized or not an Office file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if any(i.flag_bits & 0x1 for i in infos):
            raise ValidationError(_("Tệp nén có mật khẩu: hãy gỡ mật khẩu rồi tải lên lại."))
        if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
            raise ValidationError(_("Tệp giải nén ra quá lớn."))
        types = (
            archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if "[Content_Types].xml" in names
            else ""
        )
    except zipfile.BadZipFile:
        raise ValidationError(_("Tệp bị hỏng: không đọc được.")) from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or "macroEnabled" in types:
        raise ValidationError(
            _(
                "Tệp có chứa macro nên không được nhận, dù tên tệp là gì. Hãy lưu lại dưới "
                "dạng Excel Workbook (.xlsx) hoặc Word Document (.docx) không có macro."
            )
        )
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


def sniff(data: bytes) -> str:
    """The type the bytes really are: one of EXTENSIONS' keys, or 'other'."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        return _office_kind(data)
    if data.startswith(OLE_MAGIC):
        raise ValidationError(
            _(
                "Đây là tệp Office định dạng cũ (.xls, .doc) hoặc tệp có mật khẩu. Hãy lưu lại "
                "dưới dạng .xlsx hoặc .docx, không đặt mật khẩu."
            )
        )
    return "other"


def strip_image_metadata(data: bytes, kind: str) -> bytes:
    """Re-encode a photo: upright as the camera meant, without EXIF, GPS or comments."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("Ảnh quá lớn (quá 40 triệu điểm ảnh)."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "jpeg":
                upright.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
            else:
                upright.save(out, "PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("Ảnh bị hỏng: không đọc được.")) from None


def check_upload(upload: Any, *, allowed: Iterable[str], max_bytes: int) -> Checked:
    """Read ``upload`` (a Django UploadedFile) and return its checked content, or raise."""
    allowed = set(allowed)
    if upload.size > max_bytes:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s MB); tối đa %(max)s MB.")
            % {"size": round(upload.size / 1048576, 1), "max": round(max_bytes / 1048576, 1)}
        )
    data = upload.read()
    if not data:
        raise ValidationError(_("Tệp rỗng."))
    kind = sniff(data)
    accepted = ", ".join(LABELS[k] for k in sorted(allowed))
    if kind not in allowed:
        raise ValidationError(
            _("Nội dung tệp không phải là loại được nhận (%(accepted)s).") % {"accepted": accepted}
        )
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in EXTENSIONS[kind]:
        raise ValidationError(
            _(
                "Tên tệp có đuôi “%(ext)s” nhưng nội dung là tệp %(kind)s. Hãy kiểm tra lại "
                "tệp đã chọn."
            )
            % {"ext": extension or _("(không có)"), "kind": LABELS[kind]}
        )
    if kind in ("jpeg", "png"):
        data = strip_image_metadata(data, kind)
    return Checked(kind, EXTENSIONS[kind][0], CONTENT_TYPES[kind], data)
