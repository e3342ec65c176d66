"""Hostile hand-over logs given to ``qms flow report`` (issue 18): bounded reads, clear errors, no
personal data and no terminal or spreadsheet injection in the report."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEADER = "Mã hồ sơ,Mã thủ tục,Họ tên người nộp,Bước,Thời gian nhận,Thời gian giao\n"
GOOD = "D1,QT-HT-01,Nguyễn Thị Bí Mật,B1,06/03/2026 08:00,06/03/2026 09:00\n"


def _qms(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_flow_cell_over_the_field_limit_is_refused(tmp_path: Path) -> None:
    """F-flow-1: a quoted cell of 2 MiB (over the 1 MiB field limit) stops the read with path:row, exit 2."""
    log = tmp_path / "huge.csv"
    log.write_text(HEADER + GOOD + 'D2,QT-HT-01,"' + "x" * (2 << 20) + '",B1,06/03/2026 08:00,\n', encoding="utf-8")
    res = _qms("flow", "report", log)
    assert res.returncode == 2
    assert f"{log}:3: cannot read the CSV row" in res.stderr and "Traceback" not in res.stderr


def test_flow_long_unquoted_code_is_rejected_not_echoed(tmp_path: Path) -> None:
    """F-flow-2: a 200,000-character dossier code is a rejected row whose reason does not repeat the cell."""
    log = tmp_path / "long.csv"
    log.write_text(HEADER + GOOD + "Z" * 200_000 + ",QT-HT-01,x,B1,06/03/2026 08:00,\n", encoding="utf-8")
    res = _qms("flow", "report", log, "--format", "json", "--as-of", "2026-03-31")
    assert res.returncode == 0, res.stderr
    assert "ZZZZZZZZ" not in res.stdout and '"row": 3' in res.stdout


def test_flow_log_size_bound(tmp_path: Path) -> None:
    """F-flow-3: the log_size bound applies to hand-over logs (refused before reading, exit 2)."""
    log = tmp_path / "log.csv"
    log.write_text(HEADER + GOOD * 100, encoding="utf-8")
    res = _qms("--limit", "log_size=1KiB", "flow", "report", log)
    assert res.returncode == 2 and "log_size" in res.stderr and "Traceback" not in res.stderr


def test_flow_not_utf8_is_refused_with_a_hint(tmp_path: Path) -> None:
    """F-flow-4: a log in a legacy 8-bit encoding is refused with the line and a conversion hint."""
    log = tmp_path / "cp1258.csv"
    log.write_bytes(HEADER.encode("utf-8") + b"D1,QT-HT-01,Nguy\xd2n,B1,06/03/2026 08:00,\n")
    res = _qms("flow", "report", log)
    assert res.returncode == 2 and "not UTF-8" in res.stderr and "iconv" in res.stderr


def test_flow_codes_with_escapes_stay_on_one_line(tmp_path: Path) -> None:
    """F-flow-5: a dossier code with a terminal escape or a line break is shown escaped in the text report."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Mã hồ sơ", "Mã thủ tục", "Bước", "Thời gian nhận", "Thời gian giao"])
    w.writerow(["E\x1b[31m1", "QT-HT-01", "B3", "06/03/2026 08:00", "06/03/2026 09:00"])  # skipped steps
    w.writerow(["E2\nFAKE: line", "QT-HT-01", "B3", "06/03/2026 08:00", "06/03/2026 09:00"])
    log = tmp_path / "esc.csv"
    log.write_text(buf.getvalue(), encoding="utf-8")
    res = _qms("flow", "report", log, "--as-of", "2026-03-31")
    assert "\x1b" not in res.stdout
    assert not any(line.startswith("FAKE") for line in res.stdout.splitlines())
    assert "E\\x1b[31m1" in res.stdout or "E\\u001b[31m1" in res.stdout or "\\x1b" in res.stdout


def test_flow_output_onto_a_process_file_is_refused(tmp_path: Path) -> None:
    """F-flow-6: -o onto a process map is refused before any work (guard_output), the file unchanged."""
    target = REPO / "processes" / "QT-HT-01.yaml"
    before = target.read_bytes()
    log = tmp_path / "log.csv"
    log.write_text(HEADER + GOOD, encoding="utf-8")
    res = _qms("flow", "report", log, "--format", "json", "-o", target)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert target.read_bytes() == before


def test_flow_applicant_columns_are_never_read(tmp_path: Path) -> None:
    """F-flow-7: applicant names and phone numbers in a log reach no report and no rejection message."""
    log = tmp_path / "pii.csv"
    log.write_text("Mã hồ sơ,Mã thủ tục,Họ tên người nộp,Số CCCD,Số điện thoại,Bước,Thời gian nhận,Thời gian giao\n"
                   "D1,QT-HT-01,Trần Văn Riêng Tư,001234567890,0987654321,B1,06/03/2026 08:00,06/03/2026 09:00\n"
                   "D2,QT-HT-01,Trần Văn Riêng Tư,001234567890,0987654321,B1,hôm qua,\n", encoding="utf-8")
    for fmt in ("text", "json", "csv"):
        res = _qms("flow", "report", log, "--format", fmt, "--as-of", "2026-03-31")
        for secret in ("Riêng Tư", "001234567890", "0987654321", "hôm qua"):
            assert secret not in res.stdout and secret not in res.stderr, (fmt, secret)
