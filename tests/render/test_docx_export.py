"""Issue 14, item 6 and item 13: `qms render manual|procedure --format docx`.

The example organisation at the repository root is copied and rendered with the real command
(`python -m qms render … --format docx`), once per session: the whole manual in Vietnamese and one
procedure in English. LibreOffice (headless, throw-away profile) converts both to PDF, once; the
PDF's text must hold the header table and every step. The .docx packages are walked for dangling
relationships, the steps table is read back with python-docx against the contract of the Word
importer, and the Vietnamese document is searched for ids and English labels.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from qms.analysis.people import Directory
from qms.models.common import Duration
from qms.render.docx import next_steps, step_columns, word_duration
from qms.store.workspace import Workspace, load_workspace

REPO = Path(__file__).resolve().parents[2]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
SOFFICE_TIMEOUT = 300

#: English words a Vietnamese document must never show: the labels the writer puts on it
ENGLISH = ("Step", "Activity", "Responsibility", "Forms/Records", "Next step", "Purpose", "Scope",
           "Referenced documents", "Definitions", "Content", "Forms", "Records to keep", "Revision history",
           "Prepared by", "Reviewed by", "Approved by", "Code", "Issue", "Effective date", "Date issued",
           "Page", "working day", "working days", "hour", "hours", "calendar days", "Procedure", "Flowchart",
           "None.", "Table of contents", "Quality manual", "Signature", "Full name", "Position")


def _copy_example(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("qms.yaml", "processes", "records", "audits"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        elif src.is_file():
            shutil.copy2(src, target / name)
    return target


def _qms(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          timeout=600, check=False, env=env)


def _need(tool: str, package: str) -> str:
    """The path of ``tool``; a skip when it is missing, a failure under CI=true."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} ({package}) is required under CI: run `make setup` as root")
        pytest.skip(f"{tool} is not installed ({package})")
    return found


def _soffice() -> str:
    found = _need("soffice", "libreoffice-writer-nogui")
    _need("pdftotext", "poppler-utils")
    return found


def _to_pdf(docx: Path, work: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """LibreOffice headless, with a throw-away profile, converts ``docx`` to a PDF beside it."""
    profile = work / f"lo-profile-{docx.stem}"
    outdir = work / "lo-out"
    run = subprocess.run([_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                          "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                         capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, check=False,
                         env={**os.environ, "HOME": str(work)})
    return run, outdir / f"{docx.stem}.pdf"


def _pdf_text(pdf: Path) -> str:
    """The PDF's text in content order (`pdftotext -raw`), whitespace removed: a label that a narrow
    cell wraps ("Forms/ Records") is still found; compare with :func:`_squeeze`."""
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                         timeout=120).stdout.decode("utf-8")
    return _squeeze(out)


def _squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, example_manuals: dict[str, Path]) -> dict[str, Any]:
    _need("pdftoppm", "poppler-utils")  # draws the flowchart picture
    base = tmp_path_factory.mktemp("docx")
    root = _copy_example(base / "repo")
    out = base / "out"
    out.mkdir()
    manual, proc_en = out / "manual-vi.docx", out / "QT-DD-01-en.docx"
    shutil.copy2(example_manuals["manual-vi.docx"], manual)  # `render manual --format docx`, once for the run
    run = _qms(root, "render", "procedure", "QT-DD-01", "--format", "docx", "-o", str(proc_en), "--lang", "en")
    assert run.returncode == 0, run.stdout + run.stderr
    return {"root": root, "base": base, "manual": manual, "proc_en": proc_en, "ws": load_workspace(root)}


@pytest.fixture(scope="module")
def converted(example: dict[str, Any]) -> dict[str, Any]:
    """Both documents converted by LibreOffice once per session (the slow part)."""
    result: dict[str, Any] = {}
    for name in ("manual", "proc_en"):
        run, pdf = _to_pdf(example[name], example["base"])
        result[name] = (run, pdf)
    return result


def _ws(example: dict[str, Any]) -> Workspace:
    ws: Workspace = example["ws"]
    return ws


def _paragraph_texts(path: Path) -> list[str]:
    """Every paragraph's text in the document body and in the page headers (tables included)."""
    texts: list[str] = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if re.fullmatch(r"word/(document|header\d+|footer\d+)\.xml", name):
                tree = ElementTree.fromstring(zf.read(name))
                for p in tree.iter(f"{W}p"):
                    texts.append("".join(t.text or "" for t in p.iter(f"{W}t")))
    return texts


# ------------------------------------------------------------------------------------ LibreOffice


def test_libreoffice_opens_the_manual_and_prints_headers_and_steps(example: dict[str, Any],
                                                                    converted: dict[str, Any]) -> None:
    """The whole Vietnamese manual opens in LibreOffice without repair (exit 0, a PDF written); its text
    holds every procedure's header table (code, issue, dates, page x/y) and the name of every step."""
    run, pdf = converted["manual"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert pdf.is_file() and pdf.stat().st_size > 10_000, run.stdout + run.stderr
    text = _pdf_text(pdf)
    ws = _ws(example)
    assert ws.manifest is not None
    assert _squeeze(ws.manifest.organisation.name.vi) in text
    missing: list[str] = []
    for _doc, proc in ws.processes():
        for needle in (f"Mã hiệu: {proc.document.code}", proc.title.vi,
                       *(s.name.vi for s in proc.steps)):
            if _squeeze(needle) not in text:
                missing.append(f"{proc.id}: {needle}")
    assert not missing, missing
    for label in ("Lần ban hành: ", "Ngày ban hành: ", "Ngày hiệu lực: ", *step_columns("vi"),
                  "Người soạn thảo", "Người kiểm tra", "Người phê duyệt", "Theo dõi sửa đổi", "Hồ sơ cần lưu"):
        assert _squeeze(label) in text, label
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                            text=True, check=True).stdout).group(1))  # type: ignore[union-attr]
    assert pages > 20
    # the PAGE/NUMPAGES fields are computed: the last page says so
    assert f"Trang:{pages}/{pages}" in text


def test_libreoffice_opens_the_english_procedure(example: dict[str, Any], converted: dict[str, Any]) -> None:
    """A procedure rendered in English opens too, with English labels and the steps in English."""
    run, pdf = converted["proc_en"]
    assert run.returncode == 0, run.stdout + run.stderr
    text = _pdf_text(pdf)
    _doc, proc = _ws(example).process_by_id()["QT-DD-01"]
    for needle in ("Code: QT-DD-01", "Issue: ", "Effective date: ", "Page: 1/", *step_columns("en"),
                   "Prepared by", "Records to keep", *(s.name.en for s in proc.steps)):
        assert _squeeze(needle) in text, needle


# --------------------------------------------------------------------------------------- package


@pytest.mark.parametrize("name", ["manual", "proc_en"])
def test_every_package_relationship_resolves(example: dict[str, Any], name: str) -> None:
    """Every internal relationship of every .rels part points at a part of the package, and every part
    has a content type (a dangling one is what makes Word offer to repair a file)."""
    with zipfile.ZipFile(example[name]) as zf:
        parts = set(zf.namelist())
        rels = [p for p in parts if p.endswith(".rels")]
        assert "_rels/.rels" in rels and "word/_rels/document.xml.rels" in rels
        checked = 0
        for rel_part in rels:
            folder = PurePosixPath(rel_part).parent.parent  # "word/_rels/x.rels" describes word/x
            for rel in ElementTree.fromstring(zf.read(rel_part)).iter(f"{REL}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target", "")
                resolved = target.lstrip("/") if target.startswith("/") else \
                    os.path.normpath(str(folder / target)).lstrip("./")
                assert resolved in parts, f"{rel_part}: {rel.get('Id')} -> {target} ({resolved})"
                checked += 1
        assert checked > 10
        types = ElementTree.fromstring(zf.read("[Content_Types].xml"))
        defaults = {d.get("Extension", "").lower() for d in types.iter(f"{CT}Default")}
        overrides = {o.get("PartName", "").lstrip("/") for o in types.iter(f"{CT}Override")}
        untyped = [p for p in parts if not p.endswith("/") and p != "[Content_Types].xml"
                   and p not in overrides and p.rsplit(".", 1)[-1].lower() not in defaults]
        assert not untyped, untyped
        assert any(p.startswith("word/media/") and p.endswith(".png") for p in parts)


# ---------------------------------------------------------------------------- the importer's contract


def _steps_tables(path: Path, lang: str) -> list[list[list[str]]]:
    header = list(step_columns(lang))
    tables = []
    for table in Document(str(path)).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0] == header:
            tables.append(rows[1:])
    return tables


def test_steps_table_gives_back_steps_roles_durations_and_graph(example: dict[str, Any]) -> None:
    """Item 13: each procedure's steps table has the agreed columns; "Bước tiếp theo" holds the step
    numbers of `next` (comma-separated) or a decision's outcomes ("Có: 5; Không: 3"); the
    responsibility is the role's name, the time a Vietnamese duration."""
    ws = _ws(example)
    assert ws.manifest is not None
    directory = Directory.of(ws.manifest)
    procs = sorted((p for _d, p in ws.processes()), key=lambda p: (p.document.code, p.id))
    tables = _steps_tables(example["manual"], "vi")
    assert len(tables) == len(procs)
    decisions = 0
    for proc, rows in zip(procs, tables, strict=True):
        numbers = {s.id: i + 1 for i, s in enumerate(proc.steps)}
        assert len(rows) == len(proc.steps), proc.id
        for step, row in zip(proc.steps, rows, strict=True):
            number, content, who, time, _results, following = row
            assert number == str(numbers[step.id])
            assert content.split("\n")[0] == step.name.vi
            if step.decision is not None:
                decisions += 1
                assert following == "; ".join(f"{b.label.vi}: {numbers[b.next]}" for b in step.decision.branches)
            else:
                assert following == ", ".join(str(numbers[n]) for n in step.next)
            if step.responsible and step.responsible in directory.roles:
                assert who == directory.roles[step.responsible].title.vi
            assert time == word_duration(step.duration, "vi")
            if step.duration is not None and step.duration.days and not step.duration.hours:
                assert time.endswith("ngày làm việc"), time
    assert decisions >= 3


def test_next_step_column_numbers_the_steps() -> None:
    """`next_steps` numbers targets by position and writes decisions as "label: n"."""
    from qms.models.process import Process

    proc = Process.model_validate({
        "id": "QT-X-01", "title": "X", "kind": "core", "owner": "a", "unit": "u",
        "purpose": "p", "scope": "s",
        "document": {"code": "QT-X-01", "revision": 1, "effective_date": "2026-01-05", "state": "draft"},
        "steps": [
            {"id": "a", "name": "A", "next": ["b", "c"]},
            {"id": "b", "name": "B", "kind": "decision",
             "decision": {"question": "Q?", "branches": [{"label": {"vi": "Có", "en": "Yes"}, "next": "c"},
                                                         {"label": {"vi": "Không", "en": "No"}, "next": "a"}]}},
            {"id": "c", "name": "C", "kind": "end"},
        ],
    })
    assert next_steps(proc, "vi") == {"a": "2, 3", "b": "Có: 3; Không: 1", "c": ""}
    assert next_steps(proc, "en")["b"] == "Yes: 3; No: 1"


@pytest.mark.parametrize(("written", "vi", "en"), [
    ("2d", "02 ngày làm việc", "2 working days"),
    ("1d", "01 ngày làm việc", "1 working day"),
    ("0.5d", "0,5 ngày làm việc", "0.5 working days"),
    ("4h", "04 giờ", "4 hours"),
    ("1d 4h", "01 ngày làm việc 04 giờ", "1 working day 4 hours"),
    ("12d", "12 ngày làm việc", "12 working days"),
    ("15cd", "15 ngày", "15 calendar days"),
    ("1.5d", "1,5 ngày làm việc", "1.5 working days"),
])
def test_durations_are_written_as_a_reader_writes_them(written: str, vi: str, en: str) -> None:
    """Durations in the steps table: calendar days have no "làm việc", so the importer keeps the unit."""
    value = Duration.model_validate(written)
    assert word_duration(value, "vi") == vi
    assert word_duration(value, "en") == en


def test_vietnamese_docx_holds_no_ids_and_no_english_labels(example: dict[str, Any]) -> None:
    """Roles, units, people and agencies appear by name, never by id; no English label is left in the
    Vietnamese manual (body and page headers)."""
    ws = _ws(example)
    assert ws.manifest is not None
    org = ws.manifest.organisation
    ids = {x.id for x in (*org.roles, *org.units, *org.people)}
    for _d, proc in ws.processes():
        if proc.administrative is not None:
            ids.update(a.id for a in proc.administrative.agencies)
    text = "\n".join(_paragraph_texts(example["manual"]))
    assert "Bước tiếp theo" in text  # the scan reads the document
    leaked_ids = sorted(i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text))
    assert not leaked_ids, leaked_ids
    english = sorted(w for w in ENGLISH if re.search(rf"(?<![\w/]){re.escape(w)}(?![\w/])", text))
    assert not english, english
    # and the English document does carry them: the scan would see a leak
    en_text = "\n".join(_paragraph_texts(example["proc_en"]))
    assert {"Step", "Responsibility", "Next step", "Purpose"} <= {
        w for w in ENGLISH if re.search(rf"(?<![\w/]){re.escape(w)}(?![\w/])", en_text)}


# ------------------------------------------------------------------------------------ flowchart fonts


def _ink(png: bytes) -> int:
    """Dark pixels of a picture."""
    return sum(Image.open(BytesIO(png)).convert("L").histogram()[:128])


def _media(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n) for n in sorted(zf.namelist()) if n.startswith("word/media/") and n.endswith(".png")]


def test_flowchart_letters_with_an_empty_host_font_configuration(example: dict[str, Any], tmp_path: Path) -> None:
    """Item 6: with FONTCONFIG_FILE pointing at an empty configuration, the flowchart PNG is drawn with
    the bundled fonts: the same ink as with the host's fonts, more ink than the same sheet with its
    text removed, at print resolution, and the intermediate PDF embeds only the bundled faces."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n',
                    encoding="utf-8")
    script = tmp_path / "probe.py"
    script.write_text(
        "import json, sys\n"
        "from io import BytesIO\n"
        "from pathlib import Path\n"
        "from pypdf import PdfReader\n"
        "from qms.render.docx import diagram_pdf\n"
        "svg = Path(sys.argv[1]).read_text(encoding='utf-8')\n"
        "reader = PdfReader(BytesIO(diagram_pdf(svg, None)))\n"
        "fonts = sorted({str(f['/BaseFont']) for p in reader.pages\n"
        "                for f in (p['/Resources'].get('/Font') or {}).values()\n"
        "                for f in [f.get_object()]})\n"
        "print(json.dumps(fonts))\n", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(tmp_path)}
    run = _qms(example["root"], "render", "procedure", "QT-DD-01", "--format", "docx",
               "-o", str(tmp_path / "nofonts.docx"), env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    bare = _media(tmp_path / "nofonts.docx")
    with_fonts = _media(example["proc_en"])
    assert bare and len(bare) == len(with_fonts)
    from qms.render import viewmodels as vm
    from qms.render.docx import diagram_png

    ws = _ws(example)
    assert ws.manifest is not None
    doc, proc = ws.process_by_id()["QT-DD-01"]
    sheet = str(vm.procedure_view(proc, ws.manifest, "vi", doc.path).flowchart[0])
    no_text = re.sub(r"<text\b.*?</text>", "", sheet, flags=re.DOTALL)
    assert no_text != sheet
    blank_ink = _ink(diagram_png(no_text, None))
    vi_docx = tmp_path / "vi.docx"
    run = _qms(example["root"], "render", "procedure", "QT-DD-01", "--format", "docx", "-o", str(vi_docx),
               "--lang", "vi", env=env)
    assert run.returncode == 0, run.stderr
    first = _media(vi_docx)[0]
    assert _ink(first) > blank_ink * 1.05  # letters are there
    assert abs(_ink(first) - _ink(diagram_png(sheet, None))) <= 0.01 * _ink(first)  # the same letters
    width_pt = float(re.search(r'<svg[^>]*\swidth="([0-9.]+)"', sheet).group(1))  # type: ignore[union-attr]
    # print resolution: 300 dpi over the sheet's width (one SVG unit prints as one point)
    assert Image.open(BytesIO(first)).size[0] >= 0.95 * width_pt / 72 * 300
    svg_file = tmp_path / "sheet.svg"
    svg_file.write_text(sheet, encoding="utf-8")
    probe = subprocess.run([sys.executable, str(script), str(svg_file)], capture_output=True, text=True,
                           timeout=300, env=env, check=False)
    assert probe.returncode == 0, probe.stderr
    fonts = [f for f in probe.stdout.split('"') if f.startswith("/")]
    assert fonts and all("QmsSans" in f for f in fonts), probe.stdout  # the bundled (derived Noto) faces


# ------------------------------------------------------------------------------------------ drafts


def test_drafts_docx_carries_the_watermark_and_the_internal_notes(example: dict[str, Any], tmp_path: Path) -> None:
    """Issue 13 in Word: `--drafts` writes "DỰ THẢO" in every page header and prints the internal notes
    (a draft circulated for comment); the issued document holds neither."""
    drafts = tmp_path / "dd-drafts.docx"
    run = _qms(example["root"], "render", "procedure", "QT-DD-01", "--format", "docx", "-o", str(drafts),
               "--lang", "vi", "--drafts")
    assert run.returncode == 0, run.stderr
    _doc, proc = _ws(example).process_by_id()["QT-DD-01"]
    note = proc.internal_notes[0].text.vi
    with zipfile.ZipFile(drafts) as zf:
        headers = [n for n in zf.namelist() if re.fullmatch(r"word/header\d+\.xml", n)]
        assert headers and all("DỰ THẢO" in zf.read(n).decode("utf-8") for n in headers
                               if b"PAGE" in zf.read(n))
    assert note in "\n".join(_paragraph_texts(drafts))
    issued = "\n".join(_paragraph_texts(example["manual"]))
    assert "DỰ THẢO" not in issued and note not in issued


def test_every_procedure_section_has_its_header_table_with_page_fields(example: dict[str, Any]) -> None:
    """The manual's sections each carry the framed header table of their own document in the page
    header: Mã hiệu, Lần ban hành, Ngày ban hành, Ngày hiệu lực and "Trang" with PAGE/NUMPAGES fields."""
    ws = _ws(example)
    codes = {p.document.code for _d, p in ws.processes()}
    seen: set[str] = set()
    with zipfile.ZipFile(example["manual"]) as zf:
        for name in zf.namelist():
            if not re.fullmatch(r"word/header\d+\.xml", name):
                continue
            tree = ElementTree.fromstring(zf.read(name))
            if tree.find(f".//{W}tbl") is None:
                continue
            text = " ".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in tree.iter(f"{W}p"))
            instructions = [f.get(f"{W}instr", "").strip() for f in tree.iter(f"{W}fldSimple")]
            assert instructions == ["PAGE", "NUMPAGES"], (name, instructions)
            for label in ("Mã hiệu:", "Lần ban hành:", "Ngày ban hành:", "Ngày hiệu lực:", "Trang:"):
                assert label in text, (name, label)
            code = re.search(r"Mã hiệu: (\S+)", text)
            assert code is not None
            seen.add(code.group(1))
    assert codes <= seen
    assert len(seen) == len(codes) + 1  # and the manual's own code


def test_step_column_header_is_not_cut_inside_the_word(converted: dict[str, Any]) -> None:
    """D1: the steps table's first column is wide enough for its bold header: LibreOffice prints "Bước" on one
    line (before: "Bướ" / "c", the column was 12 mm with 1.9 mm cell margins each side)."""
    run, pdf = converted["manual"]
    assert run.returncode == 0, run.stdout + run.stderr
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                         timeout=120).stdout.decode("utf-8")
    words = raw.split()
    assert "Bước" in words
    assert "Bướ" not in words, [raw[max(0, i - 40):i + 40] for i in [raw.find("Bướ\n")] if i >= 0]


def test_tables_fit_the_text_width_and_codes_and_dates_stay_whole(example: dict[str, Any],
                                                                   converted: dict[str, Any]) -> None:
    """D2: every table of the Word manual fits the 165 mm text width (before: the process table was 184 mm and
    ran into the right margin), and LibreOffice prints each process code ("QT-CT-01") and each objective's due
    date ("31/12/2027") on one line (before: "QT-CT-" / "01" and "31/12/202" / "7")."""
    with zipfile.ZipFile(example["manual"]) as zf:
        body = ElementTree.fromstring(zf.read("word/document.xml"))
    too_wide = []
    for i, grid in enumerate(body.iter(f"{W}tblGrid")):
        total_mm = sum(int(col.get(f"{W}w", "0")) for col in grid.iter(f"{W}gridCol")) * 25.4 / 1440
        if total_mm > 165.5:
            too_wide.append((i + 1, round(total_mm, 1)))
    assert not too_wide, too_wide
    run, pdf = converted["manual"]
    assert run.returncode == 0, run.stdout + run.stderr
    words = set(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], check=True,
                               capture_output=True, timeout=120).stdout.decode("utf-8").split())
    ws = _ws(example)
    assert ws.manifest is not None
    missing = [p.id for _doc, p in ws.processes() if p.id not in words]
    assert not missing, missing
    dues = [o.plan.due.strftime("%d/%m/%Y") for o in ws.manifest.objectives if o.plan is not None and o.plan.due]
    assert dues and all(d in words for d in dues), dues


def test_sheets_drawn_together_match_each_drawn_alone(example: dict[str, Any]) -> None:
    """A document's flowchart sheets are laid out as one PDF and rasterised on every core: each
    picture is the one its sheet gives drawn alone (the same pixels, at its own size), in the order
    of the sheets, whatever their sizes."""
    from PIL import ImageChops

    from qms.render import viewmodels as vm
    from qms.render.docx import diagram_png, diagram_pngs

    ws = _ws(example)
    assert ws.manifest is not None
    by_id = ws.process_by_id()
    sheets = []
    for pid in ("QT-DD-01", "QT-HT-01", "QT-CT-01"):
        doc, proc = by_id[pid]
        sheets.extend(str(s) for s in vm.procedure_view(proc, ws.manifest, "vi", doc.path).flowchart)
    assert len({re.search(r'viewBox="([^"]+)"', s).group(1) for s in sheets}) >= 2  # type: ignore[union-attr]
    together = diagram_pngs(sheets, None)
    assert len(together) == len(sheets)
    for k in (0, len(sheets) // 2, len(sheets) - 1):
        alone = Image.open(BytesIO(diagram_png(sheets[k], None))).convert("RGB")
        batched = Image.open(BytesIO(together[k])).convert("RGB")
        assert alone.size == batched.size, k
        assert ImageChops.difference(alone, batched).getbbox() is None, k
    sizes = [Image.open(BytesIO(png)).size for png in together]
    assert len(set(sizes)) >= 2
    assert diagram_pngs([], None) == []


def test_a_sheet_too_large_to_draw_is_refused_before_it_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet whose picture would pass the pixel bound is refused with a message, and nothing is laid
    out or rasterised for it."""
    import qms.render.docx as word
    from qms.errors import QmsError

    monkeypatch.setattr(word, "diagrams_pdf", lambda *a: pytest.fail("laid out"))
    huge = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20000 9000" width="20000" height="9000"></svg>'
    with pytest.raises(QmsError, match="pixels, more than 400 million"):
        word.diagram_pngs([huge], None)


def test_a_row_taller_than_half_a_page_may_break_across_pages(example: dict[str, Any]) -> None:
    """A table row is kept whole on a page (cantSplit) unless it is long: Word and LibreOffice cut off
    a whole row taller than a page, so the manual's process table, whose "Receives from" of the
    nonconformity process lists every procedure, must be allowed to break; a short row stays whole."""
    from qms.render.docx import KEEP_ROW_LINES, WordWriter, _row_lines

    writer = WordWriter("vi", None)
    long_cell = [f"QT-{k:02d}: Sự không phù hợp và khiếu nại" for k in range(30)]
    table = writer.table(["A", "B"], [["ngắn", "ngắn"], ["dài", long_cell]], (40, 40))
    kept = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows]
    assert kept == [True, True, False]
    assert _row_lines(["ngắn", "ngắn"], (40, 40)) == 1
    assert _row_lines(["dài", long_cell], (40, 40)) > KEEP_ROW_LINES
    # the example's manual: the process table gives what a process receives and sends one item a line,
    # and the nonconformity process's row (every procedure sends it complaints) may break
    document = Document(str(example["manual"]))
    header = ("Mã hiệu", "Quá trình", "Loại", "Chủ quá trình", "Nhận từ", "Chuyển đến")
    processes = next(t for t in document.tables if tuple(c.text for c in t.rows[0].cells) == header)
    row = next(r for r in processes.rows if r.cells[0].text == "QT-KP-01")
    assert len(row.cells[4].paragraphs) >= 10
    assert row._tr.trPr is None or row._tr.trPr.find(qn("w:cantSplit")) is None


def test_a_page_that_cannot_be_drawn_stops_the_pages_not_started(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """When pdftoppm fails on a page (or Ctrl-C comes), the pages not yet started are not drawn: the
    error is reported at once, not after every other page of the document."""
    import qms.store.raster as raster
    from qms.errors import QmsError

    calls: list[int] = []

    def fake_run(args: list[str], **_kw: Any) -> subprocess.CompletedProcess[bytes]:
        page = int(args[args.index("-f") + 1])
        calls.append(page)
        if page == 1:
            return subprocess.CompletedProcess(args, 1, b"", b"Syntax Error: broken page")
        import time

        time.sleep(0.3)
        return subprocess.CompletedProcess(args, 1, b"", b"too slow")

    monkeypatch.setattr(raster, "pdftoppm_path", lambda: "pdftoppm")
    monkeypatch.setattr(raster, "usable_cores", lambda: 2)
    monkeypatch.setattr(raster.subprocess, "run", fake_run)
    with pytest.raises(QmsError, match="broken page"):
        raster.pdf_pages_to_png(b"%PDF-1.7", 12, 300)
    assert 1 in calls and len(calls) <= 3, calls
