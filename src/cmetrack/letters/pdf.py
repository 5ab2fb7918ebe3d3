"""The PDF of a letter: the filled DOCX converted by LibreOffice (Debian's `libreoffice-writer`),
so the PDF is the same letter, never a second layout kept in step by hand.

Each conversion runs in its own temporary directory with its own LibreOffice profile
(`-env:UserInstallation`): two at once (two officers, the worker and a command) would otherwise
fight over the one profile and one of them fail or hang.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

DEFAULT_TIMEOUT = 60  # seconds; a one-page letter takes about two


class PdfUnavailable(Exception):
    """No PDF could be made; the message says why. The DOCX is still there to download."""


def soffice_path() -> str | None:
    configured = getattr(settings, "CMETRACK_SOFFICE", "") or os.environ.get("CMETRACK_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(content: bytes, *, timeout: int | None = None) -> bytes:
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable(
            "PDFs cannot be made on this server: LibreOffice is not installed "
            "(apt-get install libreoffice-writer). Download the Word version instead."
        )
    limit = timeout or getattr(settings, "CMETRACK_PDF_TIMEOUT", DEFAULT_TIMEOUT)
    with tempfile.TemporaryDirectory(prefix="cmetrack-letter-") as work:
        folder = Path(work)
        source = folder / "letter.docx"
        source.write_bytes(content)
        profile = folder / "profile"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            finished = subprocess.run(  # noqa: S603 # nosec B603 (fixed arguments, no shell)
                command,
                capture_output=True,
                timeout=limit,
                check=False,
                cwd=folder,
                # Its own HOME: LibreOffice writes there too, and the service's may be read-only.
                env={**os.environ, "HOME": str(folder)},
            )
        except subprocess.TimeoutExpired as error:
            raise PdfUnavailable(
                f"The PDF took longer than {limit} seconds to make and was stopped. "
                "Try again, or download the Word version."
            ) from error
        except OSError as error:
            raise PdfUnavailable(f"LibreOffice could not be started ({error.strerror}).") from error
        made = folder / "letter.pdf"
        if finished.returncode != 0 or not made.exists():
            raise PdfUnavailable(
                "LibreOffice could not convert the letter to PDF "
                f"(exit code {finished.returncode}). Download the Word version instead."
            )
        pdf = made.read_bytes()
    if not pdf.startswith(b"%PDF-"):
        raise PdfUnavailable("LibreOffice made something that is not a PDF.")
    return pdf
