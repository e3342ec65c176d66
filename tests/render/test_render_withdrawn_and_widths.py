"""A withdrawn procedure says so on every page, and a long cell never squeezes the other columns.

One real WeasyPrint PDF (and the HTML site page) of the mini repository's procedure, made obsolete and
given a very long step description and record title.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import make_repo
from pypdf import PdfReader

from qms.render.documents import RenderOptions, render, render_site
from qms.store.workspace import load_workspace

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")

LONG_VI = " ".join(["Đối chiếu tờ khai, giấy chứng sinh và giấy tờ xuất trình với thành phần hồ sơ đã công bố"] * 12)


def _obsolete_repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    path = root / "processes" / "QT-HT-01.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  revision: 1\n", "  revision: 1\n  state: obsolete\n", 1)
    text = text.replace("title: {vi: Sổ đăng ký khai sinh,", f'title: {{vi: "Sổ đăng ký khai sinh {LONG_VI[:300]}",', 1)
    text = text.replace("  - id: B2\n", f'  - id: B2\n    description: {{vi: "{LONG_VI}", en: Long}}\n', 1)
    assert "state: obsolete" in text and LONG_VI in text
    path.write_text(text, encoding="utf-8")
    manifest = root / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("what: {vi: Theo dõi tiến độ hồ sơ hằng ngày trên hệ thống một cửa điện tử,",
                        f'what: {{vi: "{LONG_VI}",', 1)
    assert LONG_VI in text
    manifest.write_text(text, encoding="utf-8")
    return root


def _header_words(pdf: Path, first: str, *others: str) -> dict[str, float]:
    """x of the words of the table header row that holds ``first`` and every one of ``others``."""
    xml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    for page in xml.split("<page ")[1:]:
        words = [(float(m.group(1)), float(m.group(2)), m.group(3)) for m in
                 re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page)]
        for _x, y, w in words:
            if w == first:
                row = {word: x for x, yy, word in words if abs(yy - y) < 1.5}
                if all(o in row for o in others):
                    return row
    raise AssertionError(f"no table header with {first} and {others} in {pdf.name}")


def test_withdrawn_procedure_is_marked_everywhere_and_columns_stay_readable(tmp_path: Path) -> None:
    """R8-5: an obsolete procedure carries the "HẾT HIỆU LỰC" watermark on every PDF page and in the HTML
    page; R8-4: a very long description and record title (and, in the manual, a very long objective plan)
    leave the other columns wide enough to read."""
    root = _obsolete_repo(tmp_path)
    pdf = tmp_path / "QT-HT-01.pdf"
    render(root, "procedure", "QT-HT-01", pdf, RenderOptions(lang="vi"))
    pages = [p.extract_text() or "" for p in PdfReader(str(pdf)).pages]
    assert len(pages) >= 2
    missing = [i + 1 for i, text in enumerate(pages) if "HẾT HIỆU LỰC" not in text]
    assert not missing, f"pages without the withdrawn watermark: {missing}"

    x = _header_words(pdf, "Trách", "Thời", "Biểu")
    mm = 72 / 25.4
    # on main the long text took the width: Trách nhiệm and Thời gian shrank to a word per line
    assert x["Thời"] - x["Trách"] >= 25 * mm, x
    assert x["Biểu"] - x["Thời"] >= 14 * mm, x
    # the manual's objectives table: a very long plan leaves the objective and its owner readable
    manual = tmp_path / "manual.pdf"
    render(root, "manual", None, manual, RenderOptions(lang="vi"))
    x = _header_words(manual, "Kế", "Mục", "Chỉ", "Trách")
    assert x["Chỉ"] - x["Mục"] >= 30 * mm and x["Thời"] - x["Trách"] >= 20 * mm, x
    site = tmp_path / "site"
    render_site(root, load_workspace(root), "procedure", "QT-HT-01", site, RenderOptions(lang="vi", fmt="html"))
    html = (site / "QT-HT-01.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="draft-watermark" role="note">Hết hiệu lực</div>', html), "no watermark in HTML"
