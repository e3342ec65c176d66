"""Hostile text in a procedure stays readable on the printed page (`qms render procedure`).

The PDF is read back with ``pdftotext -bbox``: what an auditor would see, not what the HTML says.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "render" / "data" / "mini"

#: A role title with no space in it: 95 letters that can only break between letters
NO_SPACE = "CôngchứcĐịachínhXâydựngĐôthịvàMôitrườngphụtráchtiếpnhậnhồsơđấtđaiKinhtếHạtầngvàĐôthịphường"
#: An address with no space in it, as a place of receipt may well give it
ADDRESS = "tiepnhanhoso.dangkykhaisinh.phuongsonglam@dichvucong.songlam.gov.vn"


def _words(pdf: Path) -> list[tuple[float, list[tuple[str, float, float, float, float]]]]:
    tool = shutil.which("pdftotext")
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run([tool, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', out, re.S):
        words = [(m.group(5), float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)))
                 for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                                      r"(.*?)</word>", page.group(2))]
        pages.append((float(page.group(1)), words))
    return pages


def test_words_without_spaces_never_push_a_table_off_the_page(tmp_path: Path) -> None:
    """R1: a role title of 95 letters with no space (the steps table's "Trách nhiệm" column), an e-mail address
    as the place of receipt and a 60-letter word in the title (the framed national header, a fixed table)
    once widened their tables past the page's right edge: "Thời gian" and "Biểu mẫu/Kết quả" were cut off
    the paper. Every word now prints inside the page, and the long words are printed whole."""
    from qms.render.documents import RenderOptions, render

    root = tmp_path / "repo"
    shutil.copytree(MINI, root)
    manifest = root / "qms.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("Công chức Tư pháp - Hộ tịch, en:", f"{NO_SPACE}, en:", 1), encoding="utf-8")
    proc = root / "processes" / "QT-HT-01.yaml"
    text = proc.read_text(encoding="utf-8")
    assert "Bộ phận Một cửa UBND thành phố" in text and "title: {vi: Đăng ký khai sinh," in text
    text = text.replace("Bộ phận Một cửa UBND thành phố", "Bộ phận Một cửa – " + ADDRESS, 1)
    text = text.replace("title: {vi: Đăng ký khai sinh,", "title: {vi: Đăng ký khai sinh " + NO_SPACE[:60] + ",", 1)
    proc.write_text(text, encoding="utf-8")
    out = tmp_path / "p.pdf"
    render(root, "procedure", "QT-HT-01", out, RenderOptions(lang="vi"))
    pages = _words(out)
    printed = ""
    for width, words in pages:
        for word, x0, _y0, x1, _y1 in words:
            # the right margin is 15 mm (42.5 pt): nothing may reach into its outer half
            assert x0 >= 0 and x1 <= width - 21, f"{word!r} is cut at the page's edge ({x1:.0f} of {width:.0f} pt)"
        printed += "".join(w[0] for w in words)
    assert "Biểumẫu/Kếtquả" in printed
    for long in (NO_SPACE, ADDRESS, NO_SPACE[:60]):
        assert long in printed
