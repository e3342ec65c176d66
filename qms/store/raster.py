"""Rasterising PDF pages to PNG with poppler's ``pdftoppm`` (the Word export's flowchart pictures).

The PDF comes from WeasyPrint with the bundled fonts embedded, so the pictures do not depend on
the host's font configuration. ``pdftoppm`` runs on our own output only, in a throw-away folder,
with a timeout, and its output is bounded.

The pages are drawn on every core, one ``pdftoppm`` per page. pdftoppm writes a page as a plain
pixel map, which Pillow (already there for WeasyPrint) compresses to PNG: pdftoppm's own PNG writer
takes more than twice as long as drawing the page.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qms.errors import QmsError
from qms.i18n import _
from qms.store.cores import usable_cores

RASTER_TIMEOUT = 120  # seconds for one page
MAX_PNG_BYTES = 32 * 1024 * 1024  # a page at print resolution is far below this
MAX_PIXELS = 20000 * 20000  # an A0 sheet at 300 dpi is a third of this


def pdftoppm_path() -> str | None:
    return shutil.which("pdftoppm")


def _failed(reason: object) -> QmsError:
    return QmsError(_("cannot draw the flowchart picture: {reason}").format(reason=reason))


def check_pixels(width: int, height: int) -> None:
    """Refuse a picture of ``width`` × ``height`` pixels beyond :data:`MAX_PIXELS` (before it is drawn)."""
    if width * height > MAX_PIXELS:
        raise QmsError(_("cannot draw the flowchart picture: the image has {width} × {height} pixels, more "
                         "than {n} million").format(width=width, height=height, n=MAX_PIXELS // 1_000_000))


def _png(ppm: Path) -> bytes:
    """The pixel map ``ppm`` (pdftoppm's) as PNG bytes; its size is checked before it is read."""
    from io import BytesIO

    from PIL import Image

    with Image.open(ppm, formats=["PPM"]) as image:
        check_pixels(*image.size)
        out = BytesIO()
        image.save(out, "PNG", compress_level=6)
    data = out.getvalue()
    if len(data) > MAX_PNG_BYTES:
        raise QmsError(_("cannot draw the flowchart picture: the image is larger than {n} MiB").format(
            n=MAX_PNG_BYTES // (1024 * 1024)))
    return data


def pdf_pages_to_png(pdf: bytes, pages: int, dpi: int) -> list[bytes]:
    """The first ``pages`` pages of ``pdf`` as PNGs at ``dpi`` dots per inch, in page order."""
    tool = pdftoppm_path()
    if tool is None:
        raise QmsError(_("cannot draw the flowchart picture: pdftoppm is not installed"),
                       _("install poppler-utils (apt-get install poppler-utils)"))
    if pages <= 0:
        return []
    with tempfile.TemporaryDirectory(prefix="qms-raster-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)

        def page(n: int) -> bytes:
            """Page ``n``, drawn, compressed and its pixel map removed."""
            target = Path(tmp) / f"p{n}"
            try:
                proc = subprocess.run([tool, "-r", str(dpi), "-f", str(n), "-l", str(n), "-singlefile", str(source),
                                       str(target)], capture_output=True, stdin=subprocess.DEVNULL,
                                      timeout=RASTER_TIMEOUT, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise _failed(exc) from None
            ppm = target.with_suffix(".ppm")
            if proc.returncode != 0 or not ppm.is_file():
                detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                raise _failed(detail[-1] if detail else proc.returncode)
            try:
                return _png(ppm)
            finally:
                ppm.unlink()

        pool = ThreadPoolExecutor(max_workers=min(usable_cores(), pages))
        try:
            return list(pool.map(page, range(1, pages + 1)))
        finally:  # a failed page or Ctrl-C: the pages not started are not drawn
            pool.shutdown(wait=True, cancel_futures=True)
