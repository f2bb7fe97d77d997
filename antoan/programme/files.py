"""Uploaded files are judged by their content, never by their name.

Evidence (photos, attendance lists, documents) and filled-in Excel templates pass through
``check_upload``: the bytes must be one of the allowed types, match the extension the user gave
them, stay under the size limit and carry no macros; photos are re-encoded so that the camera's
metadata (GPS position, device, owner) does not travel with them.

Deeper checks (issue 9): an Office file's archive is inspected before anything unpacks it
(``inspect_zip``: members, unpacked sizes, compression ratio), so a 166 KB file cannot unfold
into 150 MiB of text; a PDF must parse as a PDF and carry no active content (JavaScript,
launch actions, embedded files, automatic actions); and PDF and Office files lose the metadata
that names people (author, last editor, company) as photos lose their EXIF.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from antoan.core.text import nfc
from antoan.programme import pdf as pdf_checks

MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photo; larger is a decompression bomb
MiB = 1024 * 1024
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
class ZipLimits:
    """What an Office archive may unpack to, read from its directory before anything unpacks.

    The sizes are those the archive declares; Python's ``zipfile`` (which openpyxl reads
    through) never returns more than a member declares and fails on the checksum when the
    content differs, so a member cannot lie its way past these bounds.
    """

    total: int  # bytes, all members unpacked
    member: int  # bytes, one member unpacked
    ratio: int  # unpacked / packed, for members larger than RATIO_FROM
    members: int


# A member this small cannot hurt whatever its ratio (styles and empty sheets compress well).
RATIO_FROM = 1 * MiB
# Evidence: a Word report with photos unpacks to tens of MB; photos do not compress.
EVIDENCE_ZIP = ZipLimits(total=100 * MiB, member=60 * MiB, ratio=100, members=2000)
# An import (a job in the worker, up to 100,000 rows): 100,000 ordinary template rows unpack
# to about 45 MiB of sheet XML, under 80 MiB; very long texts in every row meet this limit
# before the row limit. The 166 KB workbook that unfolded to 150 MiB (issue 9) is still
# refused, and its ratio near 1,000 too.
IMPORT_ZIP = ZipLimits(total=100 * MiB, member=80 * MiB, ratio=100, members=200)


def _mb(size: int) -> str:
    return f"{size / MiB:.1f}".replace(".", ",")


def inspect_zip(archive: zipfile.ZipFile, limits: ZipLimits) -> None:
    """Refuse an archive whose directory promises more than ``limits`` (nothing is unpacked)."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise ValidationError(
            _("Tệp có quá nhiều thành phần bên trong (%(count)s; tối đa %(max)s).")
            % {"count": len(infos), "max": limits.members},
            code="zip_members",
        )
    total = 0
    for info in infos:
        total += info.file_size
        name = info.filename[:60]
        if info.file_size > limits.member:
            raise ValidationError(
                _(
                    "Một phần của tệp (%(name)s) giải nén ra %(size)s MB, quá giới hạn %(max)s "
                    "MB. Tệp có thể chứa một ô hoặc đoạn văn bản dài bất thường."
                )
                % {"name": name, "size": _mb(info.file_size), "max": _mb(limits.member)},
                code="zip_member",
            )
        if info.file_size > RATIO_FROM and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise ValidationError(
                _(
                    "Tệp bị nén bất thường (phần %(name)s nén nhỏ đi %(ratio)s lần), dấu hiệu "
                    "của tệp được tạo ra để làm nghẽn hệ thống, nên không được nhận."
                )
                % {"name": name, "ratio": info.file_size // max(info.compress_size, 1)},
                code="zip_ratio",
            )
    if total > limits.total:
        raise ValidationError(
            _("Tệp giải nén ra %(size)s MB, quá giới hạn %(max)s MB.")
            % {"size": _mb(total), "max": _mb(limits.total)},
            code="zip_total",
        )


@dataclass(frozen=True)
class Checked:
    kind: str
    extension: str
    content_type: str
    data: bytes


def _office_kind(data: bytes, limits: ZipLimits) -> str:
    """'xlsx', 'docx', or raise: macro-enabled, encrypted, oversized or not an Office file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if any(i.flag_bits & 0x1 for i in infos):
            raise ValidationError(_("Tệp nén có mật khẩu: hãy gỡ mật khẩu rồi tải lên lại."))
        inspect_zip(archive, limits)
        types = (
            archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if "[Content_Types].xml" in names
            else ""
        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, ValueError):
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


def sniff(data: bytes, zip_limits: ZipLimits = EVIDENCE_ZIP) -> str:
    """The type the bytes really are: one of EXTENSIONS' keys, or 'other'."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        return _office_kind(data, zip_limits)
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


# docProps/core.xml and app.xml: who wrote the file, who last saved it, their company and
# manager, their printer... Emptied, not removed: Office expects the parts to exist.
_PERSONAL = ("creator", "lastModifiedBy", "Company", "Manager", "Template", "HyperlinkBase")
_PERSONAL_ELEMENT = re.compile(
    r"<((?:[A-Za-z]+:)?(?:" + "|".join(_PERSONAL) + r"))(\s[^>]*)?(?:/>|>.*?</\1>)", re.DOTALL
)
_OFFICE_METADATA = ("docProps/core.xml", "docProps/app.xml")


def strip_office_metadata(data: bytes) -> bytes:
    """The same .docx/.xlsx without the personal fields of its document properties.

    Only the two property parts change; every other member is copied byte for byte (already
    bounded by ``inspect_zip``), so the document itself is untouched.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename in _OFFICE_METADATA:
                text = content.decode("utf-8", "replace")
                text = _PERSONAL_ELEMENT.sub(lambda m: f"<{m[1]}/>", text)
                content = text.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def check_upload(
    upload: Any,
    *,
    allowed: Iterable[str],
    max_bytes: int,
    zip_limits: ZipLimits = EVIDENCE_ZIP,
    strip_metadata: bool = True,
) -> Checked:
    """Read ``upload`` (a Django UploadedFile) and return its checked content, or raise.

    ``strip_metadata`` is for files that are kept: an import is read and thrown away.
    """
    allowed = set(allowed)
    if upload.size > max_bytes:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s MB); tối đa %(max)s MB.")
            % {"size": round(upload.size / 1048576, 1), "max": round(max_bytes / 1048576, 1)}
        )
    data = upload.read()
    if not data:
        raise ValidationError(_("Tệp rỗng."))
    kind = sniff(data, zip_limits)
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
    elif kind == "pdf":
        # Parsed and checked for active content whether kept or not.
        data = pdf_checks.clean_pdf(data, strip_metadata=strip_metadata)
    elif kind in ("xlsx", "docx") and strip_metadata:
        data = strip_office_metadata(data)
    return Checked(kind, EXTENSIONS[kind][0], CONTENT_TYPES[kind], data)


def display_name(name: str, extension: str) -> str:
    """The uploader's file name for the list and the download, without any folder part.

    Control and format characters go too: a right-to-left override (U+202E) before "gnp.exe"
    makes it read "exe.png", and a file name is where such a trick would be believed.
    """
    name = "".join(ch for ch in nfc(name or "") if unicodedata.category(ch) not in ("Cc", "Cf"))
    base = PurePath(name.replace("\\", "/")).name.strip() or "tep"
    stem = PurePath(base).stem[:200] or "tep"
    return f"{stem}{extension}"


def store_with(instance: Any, checked: Checked, digest: str, save: Callable[[], Any]) -> None:
    """Write a checked file under its SHA-256 into ``instance.file``, then ``save`` the row
    (and whatever goes with it). Nothing of the upload stays behind when the row does not."""
    instance.file.save(f"{digest}{checked.extension}", ContentFile(checked.data), save=False)
    stored = instance.file.name
    try:
        save()
    except BaseException:
        instance.file.storage.delete(stored)
        raise
