"""Hostile input to ``qms import docx`` (round 9): a Word file whose name is not UTF-8."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "examples" / "word" / "QT-TP-01-2015-bang.docx"


def test_a_file_name_that_is_not_utf8_is_imported(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H21: "QT-\\xe0\\xe1.docx", as a zip made on Windows leaves it (bytes that are not UTF-8) is
    imported: the draft and the review report name it with "\\ufffd" for the bytes that cannot be read.
    Before, writing the draft stopped with an internal error (exit 3, UnicodeEncodeError)."""
    folder = tmp_path / "word"
    folder.mkdir()
    name = os.fsdecode(b"QT-\xe0\xe1.docx")
    shutil.copyfile(GOOD, folder / name)
    out, report = tmp_path / "drafts", tmp_path / "report.html"
    r = run_qms("--lang", "vi", "import", "docx", str(folder), "--out", str(out), "--report", str(report),
                cwd=example_copy)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    drafts = list(out.glob("*.yaml"))
    assert len(drafts) == 1
    text = drafts[0].read_text(encoding="utf-8")
    assert "QT-\ufffd\ufffd.docx, " in text and "steps:" in text
    assert "QT-\ufffd\ufffd.docx" in report.read_text(encoding="utf-8")


def test_a_workbook_name_that_is_not_utf8_is_imported(example_copy: Path, run_qms, tmp_path: Path) -> None:
    """H22: the provincial list saved as "DS-\\xe0.xlsx" (a name that is not UTF-8) is read and its skeletons
    written. Before, the file that exists was reported "No such file or directory (os error 2)" by the
    workbook reader, and once read, writing the skeletons stopped with an internal error (exit 3)."""
    source = tmp_path / os.fsdecode(b"DS-\xe0.xlsx")
    shutil.copyfile(REPO / "examples" / "word" / "danh-muc-tthc.xlsx", source)
    out = tmp_path / "skeletons"
    r = run_qms("--lang", "vi", "import", "xlsx", str(source), "--out", str(out), cwd=example_copy)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    drafts = sorted(out.glob("*.yaml"))
    assert drafts and all("DS-\ufffd.xlsx" in p.read_text(encoding="utf-8") for p in drafts)
