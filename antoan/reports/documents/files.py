"""The documents as downloads, for the pages and the API alike: which file a format is, its
content type and name, and the options the lead department fills in before issuing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from antoan.core.text import nfc
from antoan.programme.models import Plan
from antoan.reports.documents.annex import consolidated_xlsx
from antoan.reports.documents.consolidated import (
    consolidated_docx,
    consolidated_filename,
    consolidated_pdf,
)
from antoan.reports.documents.final_review import (
    final_review_docx,
    final_review_filename,
    final_review_pdf,
)
from antoan.reports.models import Cycle

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
CONTENT_TYPES = {"docx": DOCX, "pdf": PDF, "xlsx": XLSX}
# The formats that carry the agencies' narratives (free text): they ask for step-up.
WITH_TEXT = ("docx", "pdf")
# What may be filled in before issuing, with its longest length.
OPTIONS = {"number": 30, "signer_name": 120, "signer_title": 120}


@dataclass(frozen=True)
class DocumentFile:
    data: bytes
    content_type: str
    filename: str


def document_options(params: Any) -> dict[str, str]:
    """The number given at registration and the signer, from a query string. Optional; blank
    leaves the dots and the space for a handwritten name. A ValidationError names the field."""
    errors: dict[str, list[str]] = {}
    options: dict[str, str] = {}
    for name, limit in OPTIONS.items():
        value = nfc(str(params.get(name) or "")).strip()
        if not value:
            continue
        if len(value) > limit:
            errors[name] = [_("Dài quá %(max)s ký tự.") % {"max": limit}]
        elif any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
            errors[name] = [_("Nội dung chứa ký tự điều khiển không hợp lệ.")]
        else:
            options[name] = value.upper() if name == "signer_title" else value
    if errors:
        raise ValidationError(errors)
    return options


def consolidated_file(cycle: Cycle, fmt: str, *, user: Any, **options: Any) -> DocumentFile:
    """The consolidated report as ``fmt`` (docx, pdf, xlsx); KeyError for another format,
    ``PdfUnavailable`` without LibreOffice."""
    if fmt == "xlsx":
        data = consolidated_xlsx(cycle, user=user)
    else:
        data = {"docx": consolidated_docx, "pdf": consolidated_pdf}[fmt](
            cycle, user=user, **options
        )
    return DocumentFile(data, CONTENT_TYPES[fmt], consolidated_filename(cycle, fmt))


def final_review_file(plan: Plan, fmt: str, *, user: Any, **options: Any) -> DocumentFile:
    make = {"docx": final_review_docx, "pdf": final_review_pdf}[fmt]
    return DocumentFile(
        make(plan, user=user, **options), CONTENT_TYPES[fmt], final_review_filename(plan, fmt)
    )
