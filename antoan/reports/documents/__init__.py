"""The documents of the reporting cycle: the lead department's consolidated report of a cycle
(.docx in the layout of Decree 30/2020/NĐ-CP, its PDF, an .xlsx annex with every table) and
the plan's final review (.docx, PDF). Plain functions: the pages and the API serve them, and
audit each download (the reports hold figures derived from case records)."""

from antoan.reports.documents.annex import consolidated_xlsx
from antoan.reports.documents.consolidated import (
    consolidated_data,
    consolidated_docx,
    consolidated_filename,
    consolidated_pdf,
)
from antoan.reports.documents.files import (
    CONTENT_TYPES,
    DOCX,
    PDF,
    WITH_TEXT,
    XLSX,
    DocumentFile,
    consolidated_file,
    document_options,
    final_review_file,
)
from antoan.reports.documents.final_review import (
    final_review_data,
    final_review_docx,
    final_review_filename,
    final_review_pdf,
)
from antoan.reports.documents.pdf import PdfUnavailable, docx_to_pdf

__all__ = [
    "CONTENT_TYPES",
    "DOCX",
    "PDF",
    "WITH_TEXT",
    "XLSX",
    "DocumentFile",
    "PdfUnavailable",
    "consolidated_data",
    "consolidated_docx",
    "consolidated_file",
    "consolidated_filename",
    "consolidated_pdf",
    "consolidated_xlsx",
    "document_options",
    "docx_to_pdf",
    "final_review_data",
    "final_review_docx",
    "final_review_file",
    "final_review_filename",
    "final_review_pdf",
]
