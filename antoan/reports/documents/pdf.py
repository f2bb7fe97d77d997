"""A .docx to PDF through LibreOffice, headless: the same document, for those who only read it.

Each conversion runs in its own temporary folder with its own LibreOffice profile
(``-env:UserInstallation``), so conversions running at the same time never share a profile
(LibreOffice refuses a second instance on a profile in use). A conversion that takes longer
than ``ANTOAN_PDF_TIMEOUT`` seconds (default 120) is stopped, with everything it started.
The path to ``soffice`` may be set in ``ANTOAN_SOFFICE``; by default it is looked up on PATH.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _


class PdfUnavailable(RuntimeError):
    """The PDF could not be made; the message says why, translated, for the page to show."""


def soffice_path() -> str | None:
    configured = getattr(settings, "ANTOAN_SOFFICE", "") or ""
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def timeout_seconds() -> int:
    return int(getattr(settings, "ANTOAN_PDF_TIMEOUT", 120))


def docx_to_pdf(data: bytes, *, timeout: int | None = None) -> bytes:
    """The PDF of a .docx document. ``PdfUnavailable`` if LibreOffice is not installed, fails
    or takes too long."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable(
            _(
                "Không tạo được tệp PDF: máy chủ chưa cài LibreOffice. Hãy tải bản Word (.docx) "
                "hoặc báo quản trị hệ thống cài LibreOffice."
            )
        )
    limit = timeout or timeout_seconds()
    with tempfile.TemporaryDirectory(prefix="antoan-pdf-") as folder:
        work = Path(folder)
        source = work / "bao-cao.docx"
        source.write_bytes(data)
        out = work / "out"
        out.mkdir()
        profile = work / "profile"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ]
        env = {**os.environ, "HOME": str(work)}
        # A new session: on timeout the whole group goes (soffice starts soffice.bin).
        process = subprocess.Popen(  # noqa: S603 - a fixed command on a file we wrote
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=folder,
            start_new_session=True,
        )
        try:
            _stdout, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise PdfUnavailable(
                _(
                    "Không tạo được tệp PDF: LibreOffice chạy quá %(seconds)s giây. Hãy thử lại "
                    "sau hoặc tải bản Word (.docx)."
                )
                % {"seconds": limit}
            ) from None
        pdf = out / "bao-cao.pdf"
        if process.returncode != 0 or not pdf.exists():
            raise PdfUnavailable(
                _(
                    "Không tạo được tệp PDF: LibreOffice báo lỗi khi chuyển đổi. Hãy tải bản Word "
                    "(.docx) và báo quản trị hệ thống."
                )
            ) from RuntimeError(stderr.decode("utf-8", "replace")[-2000:])
        return pdf.read_bytes()


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
