"""Statistical exports from suppressed aggregates (and one restricted row-level workbook).

Each function takes the caller's province (``user_province``) and a calendar year and returns
an :class:`Export` (content, file name, content type) that a page or the API hands back; the
caller checks permissions, step-up and audits (``antoan/api/exports.py``). See
docs/interop/exports.md.
"""

from __future__ import annotations

from antoan.reports.exports.circular07 import circular07_xlsx
from antoan.reports.exports.common import Export, export_record, may_export_rows, parse_year
from antoan.reports.exports.decree110 import decree110_json
from antoan.reports.exports.dhis2 import dhis2_json
from antoan.reports.exports.gbvims import gbvims_file, gbvims_xlsx, write_gbvims

# The exports by the name the page and the API use.
BUILDERS = {
    "dhis2": dhis2_json,
    "circular07": circular07_xlsx,
    "decree110": decree110_json,
    # Streamed into a temporary file, sent with FileResponse (docs/performance.md).
    "gbvims": gbvims_file,
}
# The one that holds rows (de-identified incidents): analysts only, with step-up.
ROW_LEVEL = "gbvims"

__all__ = [
    "BUILDERS",
    "ROW_LEVEL",
    "Export",
    "circular07_xlsx",
    "decree110_json",
    "dhis2_json",
    "export_record",
    "gbvims_file",
    "gbvims_xlsx",
    "may_export_rows",
    "parse_year",
    "write_gbvims",
]
