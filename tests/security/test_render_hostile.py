"""Hostile text in a procedure stays readable on the printed page (`qms render procedure`).

The PDF is read back with ``pdftotext -bbox``: what an auditor would see, not what the HTML says.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "render" / "data" / "mini"

#: A role title with no space in it: 95 letters that can only break between letters
NO_SPACE = "CôngchứcĐịachínhXâydựngĐôthịvàMôitrườngphụtráchtiếpnhậnhồsơđấtđaiKinhtếHạtầngvàĐôthịphường"
#: The name of a real administrative procedure (297 characters)
LONG_TITLE = ("Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở "
              "và tài sản khác gắn liền với đất lần đầu đối với tổ chức đang sử dụng đất, cơ sở tôn giáo, người Việt "
              "Nam định cư ở nước ngoài được sở hữu nhà ở tại Việt Nam, doanh nghiệp có vốn đầu tư nước ngoài")
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


def test_long_words_and_titles_stay_on_the_paper(tmp_path: Path) -> None:
    """R1: a role title of 95 letters with no space (the steps table's "Trách nhiệm" column), an e-mail address
    as the place of receipt and a 40-letter word in the title (the framed national header, a fixed table)
    once widened their tables past the page's right edge: "Thời gian" and "Biểu mẫu/Kết quả" were cut off
    the paper. Every word now prints inside the page, and the long words are printed whole.
    R2: the name of a real procedure (297 characters) made the running header grow up to the paper's top
    edge (longer ones were cut there); the header now keeps at least 4 mm of paper above it."""
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
    text = text.replace("title: {vi: Đăng ký khai sinh,", f"title: {{vi: '{LONG_TITLE} {NO_SPACE[:40]}',", 1)
    proc.write_text(text, encoding="utf-8")
    out = tmp_path / "p.pdf"
    render(root, "procedure", "QT-HT-01", out, RenderOptions(lang="vi"))
    pages = _words(out)
    printed = ""
    for width, words in pages:
        for word, x0, y0, x1, _y1 in words:
            # the right margin is 15 mm (42.5 pt): nothing may reach into its outer half
            assert x0 >= 0 and x1 <= width - 21, f"{word!r} is cut at the page's edge ({x1:.0f} of {width:.0f} pt)"
            assert y0 >= 11.3, f"{word!r} prints {y0:.1f} pt from the paper's top edge"
        printed += "".join(w[0] for w in words)
    assert "Biểumẫu/Kếtquả" in printed
    for long in (NO_SPACE, ADDRESS, NO_SPACE[:40], LONG_TITLE.replace(" ", "")):
        assert long in printed


def test_a_title_no_header_can_hold_is_a_clear_error(tmp_path: Path, run_qms: Callable[..., Any]) -> None:
    """R3: a title that fits the running header at no size (twice a real procedure's name, 595 characters) is
    refused with exit 2, the title's start and a hint, and no PDF is written."""
    root = tmp_path / "repo"
    shutil.copytree(MINI, root)
    proc = root / "processes" / "QT-HT-01.yaml"
    text = proc.read_text(encoding="utf-8")
    proc.write_text(text.replace("title: {vi: Đăng ký khai sinh,", f"title: {{vi: '{LONG_TITLE} {LONG_TITLE}',", 1),
                    encoding="utf-8")
    out = tmp_path / "p.pdf"
    result = run_qms("--root", str(root), "render", "procedure", "QT-HT-01", "-o", str(out), "--no-progress",
                     "--lang", "vi")  # the document in Vietnamese, the title that is too long
    assert result.exit_code == 2, result.stderr
    assert "too long for the page header (595 characters): Đăng ký đất đai" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
