"""PDF evidence: it must parse as a PDF, carry no active content, and leave without metadata.

A file that starts with ``%PDF-`` is not yet a PDF: it is parsed with pypdf, every object
reachable from the document is walked, and anything that makes a viewer act on its own is
refused rather than removed (a file that tries it is not evidence anyone should open):

- JavaScript anywhere (``/JS``, ``/JavaScript``), forms that run scripts (``/XFA``);
- automatic actions (``/AA`` on the document, a page, a field or an annotation);
- an ``/OpenAction`` that does anything but show a page (a destination or a ``/GoTo``);
- actions that leave the document (``/Launch``, ``/SubmitForm``, ``/ImportData``,
  ``/GoToE``, ``/RichMediaExecute``), embedded or attached files (``/EmbeddedFiles``,
  ``/EmbeddedFile``, file-attachment annotations), and rich media.

The kept copy is rewritten without the document information dictionary (author, creator,
producer, dates) and without XMP metadata streams (document and page level).
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# Walking stops here: an honest 10 MB PDF has tens of thousands of objects, not millions.
MAX_OBJECTS = 200_000
MAX_PAGES = 2_000

ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/XFA", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia"}
)
ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
        "/Sound",
        "/Movie",
    }
)
ACTIVE_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"})

# pypdf reports what it repairs through logging; a broken file is refused on its own errors.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _damaged() -> ValidationError:
    return ValidationError(
        _("Tệp PDF bị hỏng hoặc không phải PDF thật: không đọc được."), code="pdf_damaged"
    )


def _active(what: str) -> ValidationError:
    return ValidationError(
        _(
            "Tệp PDF có nội dung tự chạy (%(what)s) nên không được nhận. Hãy in lại tệp ra PDF "
            "(Microsoft Print to PDF hoặc “Lưu dưới dạng PDF”) rồi tải lên bản mới."
        )
        % {"what": what},
        code="pdf_active",
    )


def _open_action_is_harmless(value: Any) -> bool:
    # Many writers open on a page ("/OpenAction [3 0 R /Fit]"); that is a view, not an act.
    if isinstance(value, ArrayObject):
        return True
    if isinstance(value, DictionaryObject):
        return value.get("/S") == "/GoTo" and "/Next" not in value
    return False


def find_active_content(reader: PdfReader) -> str | None:
    """The first kind of active content found in the document, or None."""
    root = reader.trailer["/Root"]
    if not isinstance(root.get_object(), DictionaryObject):
        raise _damaged()
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise _damaged()
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in ACTIVE_KEYS:
                    return str(name).lstrip("/")
                if name == "/OpenAction" and not _open_action_is_harmless(value.get_object()):
                    return "OpenAction"
                if name == "/S" and value in ACTIVE_ACTIONS:
                    return str(value).lstrip("/")
                if name == "/Subtype" and value in ACTIVE_SUBTYPES:
                    return str(value).lstrip("/")
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def clean_pdf(data: bytes, *, strip_metadata: bool = True) -> bytes:
    """The PDF without metadata (or unchanged), after checking it parses and cannot act."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("Tệp PDF có mật khẩu hoặc bị mã hóa: hãy gỡ mật khẩu rồi tải lên lại."),
                code="pdf_encrypted",
            )
        pages = len(reader.pages)
        if pages == 0:
            raise _damaged()
        if pages > MAX_PAGES:
            raise ValidationError(
                _("Tệp PDF có %(pages)s trang, quá giới hạn %(max)s trang.")
                % {"pages": pages, "max": MAX_PAGES},
                code="pdf_pages",
            )
        active = find_active_content(reader)
        if active is not None:
            raise _active(active)
        if not strip_metadata:
            return data
        writer = PdfWriter(clone_from=reader)
        root = writer.root_object
        root.pop(NameObject("/Metadata"), None)
        root.pop(NameObject("/PieceInfo"), None)
        for page in writer.pages:
            page.pop(NameObject("/Metadata"), None)
            page.pop(NameObject("/PieceInfo"), None)
        writer.metadata = None
        # What was cut off above is still in the object table until dropped from it.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except ValidationError:
        raise
    # A crafted file can break the parser in many ways; each means "not a PDF we can vouch for".
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
    ):
        raise _damaged() from None
