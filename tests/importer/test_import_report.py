"""Item 15: the import review report covers every document of a run: mapped fields, unmapped text and the
findings of qms check, per document, as HTML or as PDF through the document pipeline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORD = REPO / "examples" / "word"


def test_html_report(example_copy: Path, run_qms, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    r = run_qms("--lang", "en", "import", "docx", str(WORD / "QT-TP-01-2015-bang.docx"),
                str(WORD / "QT-VP-04-danh-so-tu-dong.docx"), "--report", str(out), cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    html = re.sub(r"<span[^>]*>|</span>", "", out.read_text(encoding="utf-8"))
    assert "QT-TP-01-2015-bang.docx → QT-TP-01" in html and "QT-VP-04-danh-so-tu-dong.docx → QT-VP-04" in html
    assert "Findings of qms check" in html and "QMS103" in html  # the placeholder owner of QT-VP-04
    assert "table 4, row 2" in html  # where a mapped field came from
    assert "tracked changes pending" in html


def test_pdf_report(example_copy: Path, run_qms, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI")
        pytest.skip("pdftotext not installed")
    out = tmp_path / "report.pdf"
    r = run_qms("--lang", "vi", "import", "docx", str(WORD / "QT-NV-02-2008-doan-van.docx"), "--report", str(out),
                cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Báo cáo rà soát kết quả nhập" in text and "QT-NV-02" in text
    assert "7.5.1" in text  # the 2008 clause change


def test_report_name_must_be_html_or_pdf(example_copy: Path, run_qms, tmp_path: Path) -> None:
    r = run_qms("import", "docx", str(WORD / "QT-TP-01-2015-bang.docx"), "--report", str(tmp_path / "r.txt"),
                cwd=example_copy)
    assert r.exit_code == 2 and not (example_copy / "processes" / "QT-TP-01.yaml").exists()


def test_vietnamese_report_translates_severities_and_confidence(example_copy: Path, run_qms,
                                                                 tmp_path: Path) -> None:
    """V1: the Vietnamese review report of a 2008 document shows the findings' severity ("lỗi", "cảnh báo") and
    the migration's confidence ("cần xác nhận") in Vietnamese (before: "error", "warning", "to confirm")."""
    out = tmp_path / "report-vi.html"
    r = run_qms("--lang", "vi", "import", "docx", str(WORD / "QT-NV-02-2008-doan-van.docx"),
                str(WORD / "QT-VP-04-danh-so-tu-dong.docx"), "--report", str(out), cwd=example_copy)
    assert r.exit_code == 0, r.stderr
    html = re.sub(r"<span[^>]*>|</span>", "", out.read_text(encoding="utf-8"))
    assert "QMS103" in html and "ISO 9001:2008 → 2015" in html
    cells = set(re.findall(r"<td>([^<]*)</td>", html))
    assert not cells & {"error", "warning", "info", "to confirm", "certain"}, cells & {"error", "warning"}
    assert {"lỗi", "cảnh báo"} <= cells and ("cần xác nhận" in cells or "chắc chắn" in cells)
