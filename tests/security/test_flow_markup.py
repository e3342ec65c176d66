"""Markup and control characters in a hand-over log's agency cells, shown by name in the flow report's
text, CSV, HTML (flowchart and agency chart) and the review pack (issue 18 items 4 and 5)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert(1)</script>"><svg onload=alert(2)>'


def _qms(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def _log(tmp_path: Path) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Mã hồ sơ", "Mã thủ tục", "Bước", "Cơ quan", "Thời gian nhận", "Thời gian giao"])
    w.writerow(["M1", "QT-DD-01", "B1", "UBND phường Sông Lam", "06/03/2026 08:00", "06/03/2026 10:00"])
    w.writerow(["M1", "QT-DD-01", "B2", HOSTILE, "06/03/2026 10:00", "06/03/2026 11:00"])
    w.writerow(["M1", "QT-DD-01", "B3", "=cmd|' /C calc'!A0", "06/03/2026 13:00", "06/03/2026 15:00"])
    w.writerow(["M1", "QT-DD-01", "B4", "Chi nhánh\x1b[31m\nFAKE", "09/03/2026 08:00", "09/03/2026 09:00"])
    log = tmp_path / "markup.csv"
    log.write_text(buf.getvalue(), encoding="utf-8")
    return log


def test_flow_agency_markup_is_text_in_every_output(tmp_path: Path) -> None:
    """F-flow-8: an agency cell holding HTML, a formula or an escape sequence is an unknown agency shown as
    text: escaped in the HTML (flowchart annotations and the agency chart), inert in the CSV, on one line
    and without the escape in the terminal."""
    log = _log(tmp_path)
    html = tmp_path / "r.html"
    res = _qms("flow", "report", log, "--format", "html", "-o", html, "--as-of", "2026-03-31")
    assert res.returncode in (0, 1), res.stderr
    body = html.read_text(encoding="utf-8")
    assert "<script" not in body and "<svg onload" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown, as text
    csv_out = _qms("flow", "report", log, "--format", "csv", "--by", "agency", "--as-of", "2026-03-31").stdout
    cells = [row[-1] for row in csv.reader(io.StringIO(csv_out))][1:]
    assert cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    text = _qms("flow", "report", log, "--by", "agency", "--as-of", "2026-03-31").stdout
    assert "\x1b" not in text and not any(line.startswith("FAKE") for line in text.splitlines())
    assert "<script>alert(1)</script>" in text  # the terminal shows it as written, on one line


def test_flow_agency_markup_in_the_review_pack(tmp_path: Path) -> None:
    """F-flow-9: the same log given to the review pack (--flow-logs) is escaped in the pack's HTML."""
    log = _log(tmp_path)
    out = tmp_path / "pack.html"
    res = _qms("review", "pack", "--period", "2026-03..2026-03", "--flow-logs", log, "-o", out, "--as-of",
               "2026-03-31")
    assert res.returncode == 0, res.stderr
    body = out.read_text(encoding="utf-8")
    assert "<script>alert" not in body and "QT-DD-01" in body
