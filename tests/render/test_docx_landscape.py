"""Word output, issue 13 "Lanes" decision: past six lanes the flowchart turns to landscape in Word too.

A procedure whose flowchart has more than six lanes gets a landscape section of its own for the
flowchart at the end of the procedure (orientation landscape, page size turned, the picture as wide as
the landscape text), as in the PDF; the next procedure of the manual starts in portrait. Checked on the .docx with python-docx and on the page LibreOffice
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


def _docx(n_lanes: int, lang: str = "vi") -> bytes:
    ws = d.load_for_render(ROOT)
    view, proc, _path = next(v for v in d.procedure_views(ws, lang) if v[1].id == "QT-XD-01")
    steps, lanes = stress_steps(n_lanes, n_steps=14, seed=3)
    view.flowchart = [Markup(s) for s in svg.swimlane("QT-XD-01", steps, lanes, lang=lang)]
    view.flowchart_landscape = svg.landscape(lanes)
    return procedure_docx(view, proc, lang, ROOT)


def _soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (libreoffice-writer-nogui) is required under CI: run `make setup` as root")
        pytest.skip("soffice is not installed (libreoffice-writer-nogui)")
    return found


def test_eight_lanes_get_a_landscape_section_filled_by_the_flowchart() -> None:
    """W-L1: the flowchart of an 8-lane procedure is in a landscape section (width > height, orientation
    landscape) at the end of the procedure, and each sheet is as wide as the landscape text (not shrunk
    to the portrait width) unless the page's height bounds it."""
    document = Document(BytesIO(_docx(8)))
    sections = document.sections
    turned = [s for s in sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(turned) == 1, [s.orientation for s in sections]
    landscape = turned[0]
    assert landscape.page_width is not None and landscape.page_height is not None
    assert landscape.page_width > landscape.page_height
    assert sections[0].orientation == WD_ORIENT.PORTRAIT and sections[-1].orientation == WD_ORIENT.LANDSCAPE
    assert sections[0].page_width is not None and sections[0].page_height is not None
    assert sections[0].page_width < sections[0].page_height
    text_width = landscape.page_width - (landscape.left_margin or 0) - (landscape.right_margin or 0)
    assert abs(text_width - Mm(LANDSCAPE_WIDTH_MM)) < Mm(1)
    pictures = list(document.inline_shapes)
    assert pictures
    portrait_text = Mm(165)
    for shape in pictures:
        # wider than a portrait page could hold, within the landscape text
        assert portrait_text < shape.width <= text_width + Mm(0.5), (shape.width.mm, text_width.mm)  # type: ignore[union-attr]
    # as in the PDF: after the steps table (5.7), 5.8 says the flowchart is at the end; sections 6 and 7
    # go on in portrait (a landscape section there left the steps table's page mostly empty), and the
    # landscape pages close the procedure under the same heading
    texts = [p.text for p in document.paragraphs]
    headings = [t for t in texts if t.startswith(("5.7.", "5.8.", "6.", "7."))]
    assert headings == ["5.7. Trình tự thực hiện", "5.8. Lưu đồ", "6. Biểu mẫu", "7. Hồ sơ cần lưu", "5.8. Lưu đồ"], \
        headings
    assert texts[texts.index("5.8. Lưu đồ") + 1] == "Lưu đồ được trình bày trên các trang khổ ngang ở cuối quy trình."


def test_a_landscape_flowchart_in_the_manual_turns_back_to_portrait_for_the_next_procedure() -> None:
    """W-L4: in the manual, the procedure after a landscape flowchart starts on a portrait page."""
    from qms.render.docx import WordWriter

    ws = d.load_for_render(ROOT)
    views = [(v, p) for v, p, _path in d.procedure_views(ws, "vi")][:2]
    steps, lanes = stress_steps(8, n_steps=14, seed=3)
    first = views[0][0]
    first.flowchart = [Markup(s) for s in svg.swimlane(views[0][1].id, steps, lanes, lang="vi")]
    first.flowchart_landscape = True
    writer = WordWriter("vi", ROOT)
    for view, proc in views:
        writer.procedure(view, proc, writer.new_section())
    document = Document(BytesIO(writer.save()))
    kinds = [s.orientation for s in document.sections]
    assert kinds[-2:] == [WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT], kinds
    last = document.sections[-1]
    assert last.page_width is not None and last.page_height is not None and last.page_width < last.page_height


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
    # the landscape flowchart closes the procedure: its pages come after section 7 (records), whose
    # pages are portrait like those of the steps table and the forms
    turned = [i for i, (width, height) in enumerate(sizes) if width > height]
    records = [i for i, text in enumerate(texts) if "Hồ sơ cần lưu" in text]
    steps = [i for i, text in enumerate(texts) if "Trình tự thực hiện" in text]
    assert turned and records and steps, texts
    start = turned[0]
    assert steps[0] <= records[-1] < start
    assert turned == list(range(start, len(sizes)))  # the last pages, and only those
    for i in turned:
        width, height = sizes[i]
        assert abs(width - 842) < 3 and abs(height - 595) < 3, (i, sizes[i])
        assert reader.pages[i].images, i  # each holds a sheet of the flowchart
    assert "Lưu đồ" in texts[start]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_import_reads_the_landscape_layout_back_without_leftovers(tmp_path: Path, lang: str) -> None:
    """W-L5: `qms import docx` reads qms's own Word file with a landscape flowchart back with nothing
    unmapped: the line that says the flowchart is at the end is passed over like its pictures."""
    import json

    docx = tmp_path / "QT-XD-01.docx"
    docx.write_bytes(_docx(8, lang))
    run = subprocess.run([sys.executable, "-m", "qms", "--root", str(ROOT), "import", "docx", str(docx), "--dry-run",
                          "--format", "json", "--out", str(tmp_path / "drafts")], capture_output=True, text=True,
                         timeout=300, check=False)
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)["documents"][0]
    assert report["unmapped"] == [], report["unmapped"]
    assert any("images" in line for line in report["dropped"]), report["dropped"]
