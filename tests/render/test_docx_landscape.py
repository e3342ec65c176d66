"""Word output, issue 13 "Lanes" decision: past six lanes the flowchart turns to landscape in Word too.

A procedure whose flowchart has more than six lanes gets a landscape section of its own for the
flowchart (orientation landscape, page size turned, the picture as wide as the landscape text), and the
steps table goes back to portrait. Checked on the .docx with python-docx and on the page LibreOffice
prints (headless, `--convert-to pdf`) with pypdf.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from markupsafe import Markup
from pypdf import PdfReader

from qms.render import documents as d
from qms.render import svg
from qms.render.docx import LANDSCAPE_WIDTH_MM, procedure_docx

sys.path.insert(0, str(Path(__file__).parent))
from test_flowchart_geometry import stress_steps

ROOT = Path(__file__).resolve().parents[2]


def _docx(n_lanes: int) -> bytes:
    ws = d.load_for_render(ROOT)
    view, proc, _path = next(v for v in d.procedure_views(ws, "vi") if v[1].id == "QT-XD-01")
    steps, lanes = stress_steps(n_lanes, n_steps=14, seed=3)
    view.flowchart = [Markup(s) for s in svg.swimlane("QT-XD-01", steps, lanes, lang="vi")]
    view.flowchart_landscape = svg.landscape(lanes)
    return procedure_docx(view, proc, "vi", ROOT)


def _soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (libreoffice-writer-nogui) is required under CI: run `make setup` as root")
        pytest.skip("soffice is not installed (libreoffice-writer-nogui)")
    return found


def test_eight_lanes_get_a_landscape_section_filled_by_the_flowchart() -> None:
    """W-L1: the flowchart of an 8-lane procedure is in a landscape section (width > height, orientation
    landscape) between portrait ones, and each sheet is as wide as the landscape text (not shrunk to the
    portrait width) unless the page's height bounds it."""
    document = Document(BytesIO(_docx(8)))
    sections = document.sections
    turned = [s for s in sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(turned) == 1, [s.orientation for s in sections]
    landscape = turned[0]
    assert landscape.page_width is not None and landscape.page_height is not None
    assert landscape.page_width > landscape.page_height
    assert sections[0].orientation == WD_ORIENT.PORTRAIT and sections[-1].orientation == WD_ORIENT.PORTRAIT
    assert sections[-1].page_width is not None and sections[-1].page_height is not None
    assert sections[-1].page_width < sections[-1].page_height
    text_width = landscape.page_width - (landscape.left_margin or 0) - (landscape.right_margin or 0)
    assert abs(text_width - Mm(LANDSCAPE_WIDTH_MM)) < Mm(1)
    pictures = list(document.inline_shapes)
    assert pictures
    portrait_text = Mm(165)
    for shape in pictures:
        # wider than a portrait page could hold, within the landscape text
        assert portrait_text < shape.width <= text_width + Mm(0.5), (shape.width.mm, text_width.mm)  # type: ignore[union-attr]
    # R10-5: as in the PDF, the steps table (5.7) comes before the landscape flowchart (5.8), filling the
    # portrait page the short sections 5.4–5.6 would otherwise leave mostly empty
    headings = [p.text for p in document.paragraphs if p.text.startswith("5.")]
    assert headings[-2:] == ["5.7. Trình tự thực hiện", "5.8. Lưu đồ"], headings


def test_six_lanes_stay_portrait() -> None:
    """W-L2: six lanes or fewer keep the flowchart on portrait pages (one section, no landscape)."""
    document = Document(BytesIO(_docx(6)))
    assert all(s.orientation == WD_ORIENT.PORTRAIT for s in document.sections)
    assert all(shape.width <= Mm(165) for shape in document.inline_shapes)


def test_libreoffice_prints_the_flowchart_page_landscape(tmp_path: Path) -> None:
    """W-L3: LibreOffice prints the flowchart's pages landscape (A4 turned) and the others portrait."""
    soffice = _soffice()
    docx = tmp_path / "QT-XD-01.docx"
    docx.write_bytes(_docx(8))
    profile = tmp_path / "lo-profile"
    run = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                          "--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(docx)],
                         capture_output=True, text=True, timeout=300, check=False, env={**os.environ, "HOME": str(tmp_path)})
    pdf = tmp_path / "out" / "QT-XD-01.pdf"
    assert pdf.is_file(), run.stderr
    reader = PdfReader(str(pdf))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    texts = [p.extract_text() or "" for p in reader.pages]
    chart = [i for i, text in enumerate(texts) if "Lưu đồ" in text]
    # the landscape flowchart comes after the steps table and runs to section 6 (forms), in portrait again
    steps = [i for i, text in enumerate(texts) if "Trình tự thực hiện" in text]
    forms = [i for i, text in enumerate(texts) if "Biểu mẫu" in text]
    assert chart and steps and forms, texts
    start, end = chart[0], forms[-1]
    assert steps[0] < start < end
    for i in range(start, end):
        width, height = sizes[i]
        assert width > height and abs(width - 842) < 3 and abs(height - 595) < 3, (i, sizes[i])
    for i in [*range(start), *range(end, len(sizes))]:
        width, height = sizes[i]
        assert width < height, (i, sizes[i])
    # the flowchart's pictures are on the landscape pages (their width is checked on the .docx above)
    images = [img for i in range(start, end) for img in reader.pages[i].images]
    assert images
