"""Rasterising a PDF page to PNG with poppler's ``pdftoppm`` (the Word export's flowchart picture).

The PDF comes from WeasyPrint with the bundled fonts embedded, so the picture does not depend on
the host's font configuration. ``pdftoppm`` runs on our own output only, in a throw-away folder,
with a timeout, and its output is bounded.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from qms.errors import QmsError
from qms.i18n import _

RASTER_TIMEOUT = 120  # seconds for one page
MAX_PNG_BYTES = 32 * 1024 * 1024  # a page at print resolution is far below this


def pdftoppm_path() -> str | None:
    return shutil.which("pdftoppm")


def pdf_page_to_png(pdf: bytes, dpi: int) -> bytes:
    """The first page of ``pdf`` as a PNG at ``dpi`` dots per inch."""
    tool = pdftoppm_path()
    if tool is None:
        raise QmsError(_("cannot draw the flowchart picture: pdftoppm is not installed"),
                       _("install poppler-utils (apt-get install poppler-utils)"))
    with tempfile.TemporaryDirectory(prefix="qms-raster-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        target = Path(tmp) / "out"
        try:
            proc = subprocess.run([tool, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                                   str(source), str(target)], capture_output=True, stdin=subprocess.DEVNULL,
                                  timeout=RASTER_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise QmsError(_("cannot draw the flowchart picture: {reason}").format(reason=exc)) from None
        png = target.with_suffix(".png")
        if proc.returncode != 0 or not png.is_file():
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise QmsError(_("cannot draw the flowchart picture: {reason}").format(
                reason=detail[-1] if detail else proc.returncode))
        if png.stat().st_size > MAX_PNG_BYTES:
            raise QmsError(_("cannot draw the flowchart picture: the image is larger than {n} MiB").format(
                n=MAX_PNG_BYTES // (1024 * 1024)))
        return png.read_bytes()
