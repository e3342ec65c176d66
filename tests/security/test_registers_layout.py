"""Register documents stay on the page whatever the text: a long unbroken token (a URL, a path, a
file list without spaces) in a finding or a nonconformity must not push table columns off the page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from example_repo import copy_example

URL = "https://motcua.songlam.gov.vn/tra-cuu/ho-so/" + "000123456789" * 12 + "?ma=BM-06"


def _words(pdf: Path) -> list[tuple[float, str]]:
    """(right edge, word) of every word pdftotext finds on the pages, with the page width first."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', out).group(1))  # type: ignore[union-attr]
    words = [(float(m.group(1)), m.group(2)) for m in re.finditer(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', out)]
    return [(width, ""), *words]


@pytest.mark.skipif(shutil.which("pdftotext") is None and os.environ.get("CI") != "true", reason="needs poppler's pdftotext")
def test_long_tokens_wrap_inside_audit_report_and_nc_register(tmp_path: Path, run_qms: Any) -> None:
    """L1: a 150-character URL as finding evidence keeps the report's NC column on the page; the same URL
    as NC evidence stays inside the register's record sheet; the report summary keeps its line breaks."""
    root = copy_example(tmp_path / "org")
    audit = root / "audits" / "AUD-2026-01.yaml"
    text = audit.read_text(encoding="utf-8")
    text = text.replace("  evidence: QĐ phân công 12/2025; không có bảng yêu cầu năng lực cho 4 vị trí",
                        f"  evidence: {URL}", 1)
    summary = '  summary:\n    vi: "Dòng tóm tắt một\\nDòng tóm tắt hai"\n'
    text = re.sub(r"  summary:\n    vi: '[^']*'\n", lambda _m: summary, text, count=1)
    audit.write_text(text, encoding="utf-8")
    r = run_qms("--root", str(root), "nc", "amend", "NC-2026-0002", "--field", "evidence", "--value", URL,
                "--reason", "link to the tracking system", "--by", "Hoàng Văn Em")
    assert r.exit_code == 0, r.stderr

    report = tmp_path / "report.pdf"
    r = run_qms("--lang", "vi", "--root", str(root), "audit", "show", "AUD-2026-01", "--format", "pdf",
                "--document", "report", "-o", str(report))
    assert r.exit_code == 0, r.stderr
    for other in (root / "records" / "nonconformities").glob("NC-*.yaml"):
        if other.stem != "NC-2026-0002":
            other.unlink()  # a register of one record: enough to see its sheet, quicker to render
    register = tmp_path / "register.pdf"
    r = run_qms("--lang", "vi", "--root", str(root), "nc", "report", "-o", str(register))
    assert r.exit_code == 0, r.stderr

    for pdf in (report, register):
        (width, _), *words = _words(pdf)
        off = [w for right, w in words if right > width]
        assert not off, (pdf.name, off[:5])
    report_words = [w for _r, w in _words(report)[1:]]
    assert "NC-2026-0004" in report_words  # the last column is on the page
    layout = subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True,
                            check=True).stdout
    assert re.search(r"Dòng tóm tắt một\s*\n\s*Dòng tóm tắt hai", layout), layout[:2000]
