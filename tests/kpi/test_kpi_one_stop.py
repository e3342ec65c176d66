"""One-stop obligations in the KPI report: appointments reset more than once, late dossiers without an
apology letter (issue 15 item 5). Counted when the log has the columns, reported as not countable otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Trạng thái"
ROWS = [
    # id, procedure, received, due, completed, status, resets, apology
    ("A", "P", "2026-03-02", "2026-03-06", "2026-03-05", "Đã trả kết quả", "0", ""),        # early
    ("B", "P", "2026-03-02", "2026-03-06", "2026-03-10", "Đã trả kết quả", "1", "Có"),      # late, apology
    ("C", "P", "2026-03-02", "2026-03-06", "2026-03-12", "Đã trả kết quả", "2", ""),        # late, no apology, 2 resets
    ("D", "P", "2026-03-02", "2026-03-06", "", "Đang xử lý", "3", "Không"),                 # overdue, no apology
    ("E", "P", "2026-03-02", "2026-03-06", "", "Đã rút hồ sơ", "5", ""),                    # withdrawn: not counted
]


def _write(path: Path, extra: bool) -> Path:
    head = HEADER + (",Số lần hẹn lại,Phiếu xin lỗi" if extra else "")
    lines = [head]
    for r in ROWS:
        cells = list(r[:6]) + (list(r[6:]) if extra else [])
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _kpi(tmp_path: Path, log: Path, fmt: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": lang}
    return subprocess.run([sys.executable, "-m", "qms", "--lang", lang, "kpi", "report", str(log), "--format", fmt,
                           "--as-of", "2026-03-31"], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=180, check=False)


def test_counts_resets_and_missing_apologies_when_the_log_has_the_columns(tmp_path: Path) -> None:
    """C (two resets) and D (three) were reset more than once; C and D are late without an apology
    letter; B's apology is counted; the withdrawn E is not counted at all."""
    log = _write(tmp_path / "log.csv", extra=True)
    r = _kpi(tmp_path, log, "json")
    assert r.returncode in (0, 1), r.stderr
    doc = json.loads(r.stdout)
    assert doc["one_stop"] == {"reset_more_than_once": 2, "reset_checked": 4, "reset_unchecked": 0, "late": 3,
                               "late_without_apology": 2, "late_checked": 3, "late_unchecked": 0}
    text = _kpi(tmp_path, log, "text").stdout
    assert "Appointment reset more than once: 2" in text
    assert "Late without an apology letter: 2" in text


def test_says_they_could_not_be_counted_without_the_columns(tmp_path: Path) -> None:
    """Without the columns the JSON gives null and the text, in Vietnamese too, says why."""
    log = _write(tmp_path / "log.csv", extra=False)
    doc = json.loads(_kpi(tmp_path, log, "json").stdout)
    assert doc["one_stop"]["reset_more_than_once"] is None
    assert doc["one_stop"]["late_without_apology"] is None and doc["one_stop"]["late"] == 3
    text = _kpi(tmp_path, log, "text").stdout
    assert "could not be counted (the log has no column for appointment resets" in text
    assert "could not be counted (the log has no column for apology letters" in text
    vi = _kpi(tmp_path, log, "text", "vi").stdout
    assert "không đếm được (sổ theo dõi không có cột số lần hẹn lại" in vi


@pytest.mark.parametrize("fmt", ["html"])
def test_html_report_shows_the_obligations(tmp_path: Path, fmt: str) -> None:
    """The HTML report lists both counts in its summary."""
    log = _write(tmp_path / "log.csv", extra=True)
    out = tmp_path / "kpi.html"
    env = {**os.environ, "QMS_LANG": "en"}
    r = subprocess.run([sys.executable, "-m", "qms", "kpi", "report", str(log), "--format", fmt, "-o", str(out),
                        "--as-of", "2026-03-31"], capture_output=True, text=True, cwd=tmp_path, env=env,
                       timeout=180, check=False)
    assert r.returncode in (0, 1), r.stderr
    html = out.read_text(encoding="utf-8")
    assert "Appointment reset more than once" in html and "Late without an apology letter" in html


def test_an_unreadable_reset_count_is_not_guessed(tmp_path: Path) -> None:
    """A reset cell that is not a whole number leaves that dossier unchecked, and the report says how many."""
    log = tmp_path / "log.csv"
    log.write_text(HEADER + ",Số lần hẹn lại\nA,P,2026-03-02,2026-03-06,2026-03-05,Đã trả kết quả,hai\n"
                   "B,P,2026-03-02,2026-03-06,2026-03-05,Đã trả kết quả,2\n", encoding="utf-8")
    doc = json.loads(_kpi(tmp_path, log, "json").stdout)
    assert doc["one_stop"]["reset_checked"] == 1 and doc["one_stop"]["reset_unchecked"] == 1
    assert doc["one_stop"]["reset_more_than_once"] == 1
