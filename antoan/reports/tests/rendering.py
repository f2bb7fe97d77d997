"""Render a PDF's first page to PNG for tests with poppler's ``pdftoppm`` (poppler-utils, a
test-only tool; LibreOffice's Writer-only install cannot open a PDF)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PDFTOPPM = shutil.which("pdftoppm")


def first_page_png(pdf: bytes, folder: Path) -> bytes:
    source = folder / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - a fixed command on a file the test wrote
        [
            *(str(PDFTOPPM), "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile"),
            *(str(source), str(folder / "page")),
        ],
        check=True,
        timeout=60,
        capture_output=True,
    )
    return (folder / "page.png").read_bytes()
