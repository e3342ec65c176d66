"""Issue 13 on paper: no page is left mostly empty before a flowchart, and landscape flowchart pages
can be A3 (``qms render --flowchart-paper a3``).

Emptiness is measured on the printed page: ``pdftoppm`` draws it in grey at 20 dpi and the share of
blank pixel rows between the running header and the footer is counted.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import Markup
from pypdf import PdfReader

from qms.render import documents as d
from qms.render import svg
from qms.render.pdf import flowchart_room, html_to_pdf, layout

sys.path.insert(0, str(Path(__file__).parent))
from test_flowchart_geometry import stress_steps

ROOT = Path(__file__).resolve().parents[2]
#: A page whose text block is blanker than this is "mostly empty"
MOSTLY_EMPTY = 0.85


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} (poppler-utils) is required under CI")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return found


def blank_shares(pdf: bytes) -> list[float]:
    """Per page, the share of the text block's pixel rows (below the 34 mm header band, above the
    18 mm footer band) with no ink."""
    raw = subprocess.run([_need("pdftoppm"), "-gray", "-r", "20", "-"], input=pdf, capture_output=True,
                         check=True, timeout=120).stdout
    shares: list[float] = []
    pos = 0
    while pos < len(raw):
        m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", raw[pos:])
        assert m is not None, "pdftoppm wrote no PGM page"
        w, h = int(m.group(1)), int(m.group(2))
        data = raw[pos + m.end():pos + m.end() + w * h]
        pos += m.end() + w * h
        mm = h / (297 if h > w else 210)
        rows = range(int(36 * mm), h - int(18 * mm))
        shares.append(sum(1 for r in rows if min(data[r * w:(r + 1) * w]) > 235) / len(rows))
    return shares


@pytest.mark.parametrize("code", ["QT-HT-03", "QT-XD-01"])
def test_no_page_is_left_mostly_empty_before_a_flowchart(code: str) -> None:
    """The flowchart is a block that is never split: laid out as it comes, it moves to the next page
    and leaves the page before it mostly empty (checked, so this test cannot pass vacuously). The
    rendered procedure starts the flowchart on that page instead (its first sheet shortened, the
    rest continued through paired connectors), so only the procedure's last page may be mostly empty."""
    ws = d.load_for_render(ROOT)
    view = next(v for v, p, _path in d.procedure_views(ws, "vi") if p.document.code == code)
    html = d.procedure_html(view, "vi")
    first, _fetcher = layout(html, ROOT)
    assert flowchart_room(first) is not None, f"{code} no longer leaves a page empty: pick another example"
    result = html_to_pdf(html, ROOT, refit=d.procedure_refit(view, "vi"))
    shares = blank_shares(result.data)
    assert len(shares) == result.pages
    for number, share in enumerate(shares[:-1], start=1):
        assert share <= MOSTLY_EMPTY, f"{code} page {number} is {share:.0%} empty"
    # the heading of the flowchart and the text before it share a page
    text = subprocess.run([_need("pdftotext"), "-", "-"], input=result.data, capture_output=True, check=True,
                          timeout=120).stdout.decode("utf-8").split("\f")
    page = next(p for p in text if "Lưu đồ" in p)
    assert "5.6." in page, page[:400]


def test_a3_landscape_flowchart_pages(tmp_path: Path) -> None:
    """Past six lanes the flowchart's pages turn landscape; with --flowchart-paper a3 they are A3
    landscape (420 x 297 mm) while the rest of the procedure stays A4 portrait."""
    ws = d.load_for_render(ROOT)
    view = next(v for v, p, _path in d.procedure_views(ws, "vi") if p.id == "QT-XD-01")
    # two rows more make the steps table end near the top of a page (where it left that page blank)
    view.steps = [*view.steps, *view.steps[:2]]
    steps, lanes = stress_steps(8, n_steps=14, seed=3)
    sizes: dict[bool, set[tuple[int, int]]] = {}
    for a3 in (False, True):
        view.flowchart = [Markup(s) for s in svg.swimlane("QT-XD-01", steps, lanes, lang="vi", a3=a3)]
        view.flowchart_landscape, view.flowchart_a3 = True, a3
        data = html_to_pdf(d.procedure_html(view, "vi"), ROOT).data
        reader = PdfReader(io.BytesIO(data))
        sizes[a3] = {(round(float(p.mediabox.width) / 72 * 25.4), round(float(p.mediabox.height) / 72 * 25.4))
                     for p in reader.pages}
        if not a3:
            _no_empty_page_before_landscape(data, reader)
    assert sizes[False] == {(210, 297), (297, 210)}
    assert sizes[True] == {(210, 297), (420, 297)}


def _no_empty_page_before_landscape(data: bytes, reader: PdfReader) -> None:
    """R10-5: with seven or more lanes "5.6 Kết quả giải quyết" sat alone on a mostly empty portrait page
    before the landscape flowchart. R11-4: placed after the steps table, the flowchart still left the page
    where that table ended near the top 93 % blank. The landscape flowchart now closes the procedure:
    sections 6 and 7 flow on after the steps table, and where the flowchart would have been, "5.8. Lưu đồ"
    gives the page it is on (the page number printed on the paper)."""
    landscape = [p.mediabox.width > p.mediabox.height for p in reader.pages]
    first = landscape.index(True)
    assert all(landscape[first:]), "a portrait page follows the landscape flowchart"
    shares = blank_shares(data)
    for number, share in enumerate(shares[:first - 1], start=1):  # the last portrait page ends section 7
        assert share <= MOSTLY_EMPTY, f"page {number} is {share:.0%} empty"
    text = subprocess.run([_need("pdftotext"), "-", "-"], input=data, capture_output=True, check=True,
                          timeout=120).stdout.decode("utf-8").split("\f")
    assert "7. Hồ sơ cần lưu" in text[first - 1] and "5.8. Lưu đồ" in text[first]
    assert f"Trang {first + 1}/{len(landscape)}" in text[first]
    ref = next(n for n, page in enumerate(text) if "5.8. Lưu đồ" in page)
    assert ref < first and "6. Biểu mẫu" in " ".join(text[ref:first])
    squeezed = " ".join(text[ref].split())
    assert f"ở cuối quy trình: xem trang {first + 1}." in squeezed, squeezed[-600:]
    # not a link: the manual's assembler keeps no named destination of a procedure, so it would dangle there
    assert not [a for p in reader.pages for a in (p.get("/Annots") or []) if a.get_object().get("/Subtype") == "/Link"]


def test_flowchart_paper_option_in_both_languages(tmp_path: Path) -> None:
    """`qms render --help` offers --flowchart-paper a4|a3, explained in English and in Vietnamese; a wrong
    value is a usage error (exit 2)."""
    env = {k: v for k, v in os.environ.items() if k != "QMS_LANG"}
    for lang, words in (("en", "landscape flowchart pages"), ("vi", "trang lưu đồ khổ ngang")):
        out = subprocess.run([sys.executable, "-m", "qms", "--lang", lang, "render", "--help"], capture_output=True,
                             text=True, check=True, env=env, timeout=120).stdout
        assert "--flowchart-paper [a4|a3]" in out
        assert words in " ".join(out.split()), out
    bad = subprocess.run([sys.executable, "-m", "qms", "--root", str(ROOT), "render", "manual", "--flowchart-paper",
                          "a5", "-o", str(tmp_path / "m.pdf")], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2
    assert not (tmp_path / "m.pdf").exists()
