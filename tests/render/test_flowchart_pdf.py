"""Issue 13 item 2 on paper: the flowchart as WeasyPrint prints it (``pdftotext -bbox`` of the PDF).

The geometry test checks the SVG; this one checks that the page prints it as laid out: one SVG unit is
one point (so no text prints under 7 pt), nothing is clipped at the page's edge, every step's whole name
is on the page, and more than six lanes turn the flowchart's pages to landscape.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qms.render import documents as d
from qms.render import svg
from qms.render.pdf import html_to_pdf

sys.path.insert(0, str(Path(__file__).parent))
import itertools

from test_flowchart_geometry import stress_steps

ROOT = Path(__file__).resolve().parents[2]


def _need_pdftotext() -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return tool


def _pages(pdf: Path) -> list[tuple[float, float, list[tuple[str, float, float, float, float]]]]:
    out = subprocess.run([_need_pdftotext(), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True,
                         timeout=120).stdout
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = [(m.group(5), float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)))
                 for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                                      page.group(3))]
        pages.append((float(page.group(1)), float(page.group(2)), words))
    return pages


def _render(tmp_path: Path, n_lanes: int | None) -> tuple[Path, list[svg.FlowStep]]:
    ws = d.load_for_render(ROOT)
    view, proc, _path = next(v for v in d.procedure_views(ws, "vi") if v[1].id == "QT-XD-01")
    steps = [svg.FlowStep(s.id, i + 1, s.name.get("vi"), s.kind, s.responsible or "", "") for i, s in
             enumerate(proc.steps)]
    if n_lanes is not None:
        steps, lanes = stress_steps(n_lanes, n_steps=14, seed=3)
        from markupsafe import Markup

        view.flowchart = [Markup(s) for s in svg.swimlane("QT-XD-01", steps, lanes, lang="vi")]
        view.flowchart_landscape = svg.landscape(lanes)
    out = tmp_path / "p.pdf"
    out.write_bytes(html_to_pdf(d.procedure_html(view, "vi"), ROOT).data)
    return out, steps


@pytest.mark.parametrize("n_lanes", [None, 8])
def test_flowchart_prints_whole_at_size(tmp_path: Path, n_lanes: int | None) -> None:
    """Item 2: on the printed page no flowchart text is under 7 pt or clipped, every step's name is whole,
    and past six lanes the flowchart's pages are landscape (the others, and the steps table after it, stay
    portrait)."""
    pdf, steps = _render(tmp_path, n_lanes)
    pages = _pages(pdf)
    # the flowchart runs from its heading ("5.7. Lưu đồ") to the next one ("5.8. Trình tự thực hiện"); a landscape
    # one closes the procedure (after section 7; its place after the steps table gives its page)
    wide = n_lanes is not None and n_lanes > 6
    after = ("Trình", "tự")
    if wide:
        start = next(i for i, p in enumerate(pages) if p[0] > p[1])
        end = len(pages) - 1
    else:
        start = next(i for i, p in enumerate(pages) if _heading(p, ("Lưu", "đồ")) is not None)
        end = next(i for i, p in enumerate(pages) if i >= start and _heading(p, after) is not None)
    chart = []
    for i in range(start, end + 1):
        width, height, words = pages[i]
        top = _heading(pages[i], ("Lưu", "đồ")) if i == start else None
        bottom = _heading(pages[i], after) if i == end and not wide else None
        chart.append((width, height, [w for w in words if (top is None or w[2] > top)
                                      and (bottom is None or w[4] < bottom) and w[2] > 100]))
    if wide:  # the portrait sections are all before it, none begins on a landscape page
        assert all(p[0] < p[1] for p in pages[:start]), "a landscape page before the flowchart"
        assert _heading(pages[start], ("Lưu", "đồ")) is not None
    for width, height, words in chart:
        if not words:
            continue
        assert (width > height) == wide
        for text, x0, y0, x1, y1 in words:
            assert x0 >= 0 and x1 <= width and y0 >= 0 and y1 <= height, f"clipped: {text}"
            # a word box is (ascent + descent) = 1.36 em high: 7 pt text is at least 9.5 pt high
            assert y1 - y0 >= 7 * 1.3, f"{text!r} prints under 7 pt ({y1 - y0:.1f} pt high)"
    text = " ".join(w[0] for _w, _h, words in chart for w in words)
    assert "…" not in text
    for s in steps:
        for word in s.label.split()[:3] + s.label.split()[-2:]:
            assert word in text, (s.number, word)
    assert all(w < h for w, h, _words in pages[:start] + pages[end + 1:])


def _heading(page: tuple[float, float, list[tuple[str, float, float, float, float]]],
             pair: tuple[str, str]) -> float | None:
    """The top of the heading whose words are ``pair`` on ``page``, if any."""
    words = page[2]
    for a, b in itertools.pairwise(words):
        if (a[0], b[0]) == pair and abs(a[2] - b[2]) < 1:
            return a[2]
    return None
