"""Word files whose XML holds nodes that are not elements: ``qms import docx`` reads them, never exit 3."""

from __future__ import annotations

import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "examples" / "word" / "QT-TP-01-2015-bang.docx"


def _rewrite(src: Path, dst: Path, document_xml: bytes) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, document_xml if info.filename == "word/document.xml" else zin.read(info))


def test_comments_processing_instructions_and_entities_in_a_paragraph(example_copy: Path, run_qms,
                                                                      tmp_path: Path) -> None:
    """X1: an XML comment, a processing instruction and an entity reference (an internal DOCTYPE entity,
    which is never expanded, and an external one naming a local file) inside paragraphs of
    word/document.xml: the document is imported (exit 0), the text around them is kept, the entities
    are not expanded and no local file is read; before, the walker took the node for an element and
    crashed with exit 3."""
    with zipfile.ZipFile(GOOD) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    head, sep, body = xml.partition("?>")
    assert sep
    body = body.replace("<w:t>", "<w:t><!-- a producer's comment --><?producer note?>", 3)
    body = body.replace("</w:t></w:r>", "&ent;&local;</w:t></w:r>", 1)
    doctype = ('<!DOCTYPE w:document [<!ENTITY ent "EXPANDED-ENTITY"> '
               '<!ENTITY local SYSTEM "file:///etc/hostname">]>')
    (tmp_path / "bad").mkdir()
    bad = tmp_path / "bad" / "QT-TP-01.docx"
    _rewrite(GOOD, bad, (head + sep + doctype + body).encode("utf-8"))
    out = tmp_path / "drafts"
    r = run_qms("import", "docx", str(bad), "--out", str(out), cwd=example_copy)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    text = next(out.glob("*.yaml")).read_text(encoding="utf-8")
    assert "EXPANDED-ENTITY" not in text
    assert "id: QT-TP-01" in text and "steps:" in text
    assert "&ent;" not in text and "producer" not in text
    # the text around those nodes is all there: the draft is the one the clean file gives
    (tmp_path / "good").mkdir()
    clean = tmp_path / "good" / "QT-TP-01.docx"
    clean.write_bytes(GOOD.read_bytes())
    r = run_qms("import", "docx", str(clean), "--out", str(tmp_path / "clean"), cwd=example_copy)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert text == next((tmp_path / "clean").glob("*.yaml")).read_text(encoding="utf-8")
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in text
