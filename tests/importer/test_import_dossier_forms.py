"""The form of each dossier item (bản chính, bản sao có chứng thực, …) is read from English documents as from
Vietnamese ones, in a dossier table and in the item's own line; the words are data (round 11, real use)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
import yaml


def _document(path: Path, dossier: list[str], rows: list[list[str]] | None, heading: str) -> None:
    d = docx.Document()
    for text in ("1. Purpose", "To register births.", "2. Scope", "The ward.", "3. Procedure", heading, *dossier):
        d.add_paragraph(text)
    if rows:
        t = d.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
    for text in ("Number of dossier sets: 01", "Step 1: Receive the dossier", "Time: 1 working day",
                 "Step 2: Register the birth"):
        d.add_paragraph(text)
    d.save(str(path))


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    from example_repo import copy_example

    from qms.cli.main import main

    base = tmp_path_factory.mktemp("dossier-forms")
    root = copy_example(base / "repo")
    table = base / "QT-HT-08.docx"
    _document(table, [], [["No.", "Document", "Form", "Copies"],
                          ["1", "Declaration form", "Original", "1"],
                          ["2", "Birth certificate", "Certified true copy", "1"],
                          ["3", "ID card", "Original, to be shown for comparison", "1"],
                          ["4", "Marriage certificate", "Notarised copy", "1"],
                          ["5", "Residence confirmation", "Original or a photocopy", "1"],
                          ["6", "Household book", "Photocopy", "2"]], "Dossier components:")
    lines = base / "QT-HT-09.docx"
    _document(lines, ["- Birth registration declaration form (original)",
                      "- Certified true copy of the birth certificate",
                      "- Notarised copy of the parents' marriage certificate",
                      "- Identity card, original shown for comparison",
                      "- Photocopy of the household registration book",
                      "- Residence confirmation, original or a certified copy"], None, "Required documents:")
    vietnamese = base / "QT-HT-10.docx"
    d = docx.Document()
    for text in ("1. MỤC ĐÍCH", "Đăng ký khai sinh.", "2. PHẠM VI", "Phường.", "3. NỘI DUNG", "Thành phần hồ sơ:",
                 "- Tờ khai đăng ký khai sinh", "- Bản chính hoặc bản sao giấy chứng sinh",
                 "- Bản sao có chứng thực giấy chứng nhận kết hôn", "- Xuất trình bản chính căn cước công dân",
                 "Bước 1: Tiếp nhận hồ sơ", "Bước 2: Đăng ký khai sinh"):
        d.add_paragraph(text)
    d.save(str(vietnamese))
    out = base / "drafts"
    code = 0
    try:
        main(["--root", str(root), "import", "docx", str(table), str(lines), str(vietnamese), "--out", str(out)])
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 0
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in out.glob("*.yaml")}


def _forms(draft: dict[str, Any]) -> list[str | None]:
    return [item.get("form") for item in draft["administrative"]["dossier"]]


def test_english_dossier_table_forms_are_read(drafts: dict[str, dict[str, Any]]) -> None:
    """D1: the "Form" cells of an English dossier table written otherwise than the five phrases qms itself
    writes ("Certified true copy", "Notarised copy", "Original, to be shown for comparison", "Original or a
    photocopy", "Photocopy") give the form (before: each became a "form as written" note and the item was
    taken for an original)."""
    draft = drafts["QT-HT-08"]
    assert _forms(draft) == ["original", "certified_copy", "show_original", "certified_copy", "original_or_copy",
                             "copy"]
    assert [i.get("copies", 1) for i in draft["administrative"]["dossier"]] == [1, 1, 1, 1, 1, 2]
    assert not [n for n in draft.get("internal_notes", []) if "/administrative/dossier" in n["about"]], \
        draft.get("internal_notes")


def test_english_dossier_lines_give_their_form(drafts: dict[str, dict[str, Any]]) -> None:
    """D2: dossier items written as lines under "Required documents:" take their form from their words, as
    Vietnamese lines do (before: none was read, so a certified copy was recorded as an original)."""
    assert _forms(drafts["QT-HT-09"]) == [None, "certified_copy", "certified_copy", "show_original", "copy",
                                          "original_or_copy"]


def test_vietnamese_dossier_lines_keep_and_gain_their_forms(drafts: dict[str, dict[str, Any]]) -> None:
    """D3: the Vietnamese lines read as before, and "Bản chính hoặc bản sao" is `original_or_copy` and "Xuất
    trình bản chính" `show_original` (before: "copy" and nothing)."""
    assert _forms(drafts["QT-HT-10"]) == [None, "original_or_copy", "certified_copy", "show_original"]
