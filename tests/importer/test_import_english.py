"""A Word procedure written in English is read; one with no known heading is named in a warning; the
draft speaks the organisation's language whatever ``--lang`` the command ran with.

The English document is the one ``qms render procedure --format docx --lang en`` writes (a real producer),
plus hand-made ones; all go through the CLI (in-process) in one run.
"""

from __future__ import annotations

from pathlib import Path

import docx
import yaml

from qms.render.documents import RenderOptions, render_docx
from qms.store.workspace import load_workspace

REPO = Path(__file__).resolve().parents[2]


def test_english_headings_are_read_and_the_draft_is_in_the_organisation_language(tmp_path: Path, run_qms) -> None:
    """R8-1: English headings (Purpose, Scope, …, Steps table in English) give a real draft, not placeholders;
    a document with no known heading gets a warning naming the file and the headings expected.
    R8-2: with --lang en, the draft's comments and notes are in Vietnamese (the organisation's language).
    R8-3: the mã TTHC comes back from the English Word file too."""
    english = tmp_path / "QT-HT-01-en.docx"
    render_docx(REPO, load_workspace(REPO), "procedure", "QT-HT-01", english, RenderOptions(lang="en", fmt="docx"))
    german = tmp_path / "Verfahren.docx"
    d = docx.Document()
    for text in ("Ziel", "Dieses Verfahren regelt Beschwerden.", "Ablauf", "Schritt eins"):
        d.add_paragraph(text)
    d.save(str(german))
    paragraphs = tmp_path / "QT-DC-01.docx"  # English steps written as paragraphs, one with an "If … then"
    d = docx.Document()
    for text in ("1. Purpose", "To control documents.", "2. Scope", "All documents.", "3. Procedure",
                 "Step 1: Draft the document", "Responsibility: Office clerk", "Time: 2 working days",
                 "Step 2: Review the document. Responsibility: Office clerk. Time: 4 hours",
                 "Step 3: If the draft is not acceptable, return it to step 1", "Step 4: Approve and issue"):
        d.add_paragraph(text)
    d.save(str(paragraphs))
    stepless = tmp_path / "QT-DC-02.docx"
    d = docx.Document()
    for text in ("Purpose", "To keep records.", "Scope", "All records."):
        d.add_paragraph(text)
    d.save(str(stepless))
    out = tmp_path / "drafts"
    done = run_qms("--lang", "en", "import", "docx", str(english), str(german), str(paragraphs), str(stepless),
                   "--out", str(out), cwd=REPO)
    assert done.exit_code == 0, done.stderr

    text = (out / "QT-HT-01.yaml").read_text(encoding="utf-8")
    draft = yaml.safe_load(text)
    # an English document in a Vietnamese organisation: its text goes into the `en` slot (round 11)
    assert draft["purpose"] == {"en": "Sets out how births are registered lawfully and on time."}
    assert draft["scope"]["en"].startswith("Applies to birth registration")
    assert draft["title"] == {"en": "Birth registration"}
    assert [s["name"] for s in draft["steps"]][:2] == [{"en": "Receive and check the dossier"},
                                                       {"en": "Is the dossier complete?"}]
    assert draft["administrative"]["code"] == "1.001193"
    assert draft["document"]["code"] == "QT-HT-01" and draft["document"]["revision"] == 1
    assert [r["code"] for r in draft["records"]] == ["HS-HT-01"]
    assert draft["document"]["approved_by"]["name"] == "Trần Thị Bình"
    # the cover's lead unit and owner, the revision table, the glossary without its header row, the mechanism
    assert (draft["owner"], draft["unit"]) == ("pho_chanh_van_phong", "tu_phap")
    assert [h["revision"] for h in draft["document"]["history"]] == [1]
    assert [t["term"] for t in draft["definitions"]] == ["NĐ", "PC", "TT"]
    adm = draft["administrative"]
    assert (adm["mechanism"], adm["time_limit"], adm["dossier_sets"]) == ("one_stop", "1d", 1)
    assert adm["place"] == {"en": "Public administrative service centre of the ward"}
    assert adm["fee"] == {"amount_vnd": 0, "text": {"en": "Free when registered on time"}}  # "VND 0; Free when …"
    assert [s["duration"] for s in draft["steps"]][:3] == ["1h", "1h", "3h"]
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "QT-HT-01-en.docx →" in line)
    block = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        block.append(line)
    assert block and not [line for line in block if "unmapped" in line], block
    for gone in ("/purpose", "/scope", "/title"):
        assert not any(n["about"] == gone for n in draft.get("internal_notes", [])), gone
    # the draft is in Vietnamese although messages are in English: locations and comments
    assert text.startswith("# Bản nháp do qms import docx tạo từ QT-HT-01-en.docx")
    assert "bảng " in text and "dòng " in text and "table 1" not in text and "row 2" not in text
    assert "Draft imported" not in text and "placeholder:" not in text

    # the report itself stays in the language of messages, and warns about the document it could not read
    assert "no known section heading found" in done.stdout
    warning = next(line for line in done.stdout.splitlines() if "no known section heading" in line)
    assert "Verfahren.docx" in warning and "Mục đích" in warning and "Purpose" in warning
    assert "QT-HT-01-en.docx: no known section heading" not in done.stdout

    steps = yaml.safe_load((out / "QT-DC-01.yaml").read_text(encoding="utf-8"))["steps"]
    assert [(x["name"], x.get("responsible"), x.get("duration")) for x in steps[:2]] == [
        ({"en": "Draft the document"}, "office_clerk", "2d"), ({"en": "Review the document"}, "office_clerk", "4h")]
    assert [(b["label"], b["next"]) for b in steps[2]["decision"]["branches"]] == [
        ({"en": "Yes"}, "B1"), ({"en": "No"}, "B4")]
    assert "QT-DC-01.docx: no steps found" not in done.stdout
    assert "QT-DC-02.docx: no steps found (expected a steps table" in done.stdout
