"""Issue 13 item 6: the framed national header on every page, the logo, copies and distribution (7.5.3.2).

Real PDFs of a small repository, read back with pypdf and pdftotext.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_repo, pdftotext_pages
from PIL import Image


def _needs_pdftotext() -> None:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")


def _with_logo(root: Path, logo: str = "assets/logo.png") -> Path:
    manifest = root / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("  short_name:", f"  logo: {logo}\n  short_name:", 1), encoding="utf-8")
    return root


def _png(path: Path, size: tuple[int, int] = (120, 120)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())


def _qms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], capture_output=True, text=True, timeout=300,
                          check=False)


def _distribute(root: Path) -> None:
    proc = root / "processes" / "QT-HT-01.yaml"
    text = proc.read_text(encoding="utf-8")
    proc.write_text(text.replace("  effective_date: 2026-01-05\n", "  effective_date: 2026-01-05\n  distribution:\n"
                                 "    - {to: Phòng Tư pháp, copies: 2}\n    - {to: Bộ phận Một cửa}\n", 1),
                    encoding="utf-8")


def test_header_table_logo_copy_mark_and_distribution_on_every_page(tmp_path: Path) -> None:
    """B1: every page carries the agency (with its logo), the title, Mã hiệu, Lần ban hành, Ngày ban hành,
    Ngày hiệu lực and Trang x/y; the cover lists the distribution and the copy is marked controlled."""
    _needs_pdftotext()
    from pypdf import PdfReader

    root = _with_logo(make_repo(tmp_path / "repo"))
    _png(root / "assets" / "logo.png")
    _distribute(root)
    out = tmp_path / "p.pdf"
    done = _qms("--root", str(root), "render", "procedure", "QT-HT-01", "-o", str(out), "--lang", "vi")
    assert done.returncode == 0, done.stderr
    assert "refused" not in done.stderr
    pages = pdftotext_pages(out)
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):
        for label in ("Ủy ban nhân dân thành phố Sông Lam", "Đăng ký khai sinh", "Mã hiệu: QT-HT-01",
                      "Lần ban hành: 01", "Ngày ban hành:", "Ngày hiệu lực: 05/01/2026",
                      f"Trang {n}/{len(pages)}", "Bản có kiểm soát"):
            assert label in page, (n, label)
    assert "Phòng Tư pháp" in pages[0] and "Bộ phận Một cửa" in pages[0]
    reader = PdfReader(str(out))
    for page in reader.pages:  # the logo is drawn in every page's header
        assert any(img.image is not None and img.image.size == (120, 120) for img in page.images)


def test_a_draft_is_an_uncontrolled_copy(tmp_path: Path) -> None:
    """B2: a draft revision is never marked as a controlled copy."""
    _needs_pdftotext()
    root = make_repo(tmp_path / "repo")
    proc = root / "processes" / "QT-HT-01.yaml"
    proc.write_text(proc.read_text(encoding="utf-8").replace("  revision: 1\n", "  revision: 1\n  state: draft\n", 1),
                    encoding="utf-8")
    out = tmp_path / "p.pdf"
    done = _qms("--root", str(root), "render", "procedure", "QT-HT-01", "-o", str(out), "--lang", "en")
    assert done.returncode == 0, done.stderr
    text = "\n".join(pdftotext_pages(out))
    assert "Uncontrolled copy" in text
    assert "Controlled copy" not in text.replace("Uncontrolled copy", "")


def test_tagged_procedure_with_the_running_header(tmp_path: Path) -> None:
    """B3: `render procedure --tagged` writes a tagged PDF (structure tree, /MarkInfo) with the header table."""
    from pypdf import PdfReader

    root = _with_logo(make_repo(tmp_path / "repo"))
    _png(root / "assets" / "logo.png")
    out = tmp_path / "t.pdf"
    done = _qms("--root", str(root), "render", "procedure", "QT-HT-01", "--tagged", "-o", str(out))
    assert done.returncode == 0, done.stderr
    catalog = PdfReader(str(out)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
