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


def test_the_obligations_cite_the_law_of_the_period(tmp_path: Path) -> None:
    """A period after 01/07/2025 cites NĐ 118/2025/NĐ-CP and the TT 03/2025/TT-VPCP form, never NĐ 61/2018
    (replaced that day), in both languages."""
    log = _write(tmp_path / "log.csv", extra=True)
    for lang, want in (("en", "One-stop obligations (NĐ 118/2025/NĐ-CP; TT 03/2025/TT-VPCP Form 04;"),
                       ("vi", "Nghĩa vụ một cửa (NĐ 118/2025/NĐ-CP; TT 03/2025/TT-VPCP Mẫu 04;")):
        env = {**os.environ, "QMS_LANG": lang}
        r = subprocess.run([sys.executable, "-m", "qms", "--lang", lang, "kpi", "report", str(log),
                            "--period", "2026-03", "--as-of", "2026-03-31"], capture_output=True, text=True,
                           cwd=tmp_path, env=env, timeout=180, check=False)
        assert r.returncode in (0, 1), r.stderr
        assert want in r.stdout and "61/2018" not in r.stdout


def test_a_period_before_the_2025_regime_keeps_nd_61_2018() -> None:
    """The citation follows the period's regime (the regime data's dates): 2025-03 keeps NĐ 61/2018 with its
    articles; a period across 01/07/2025 cites both; without a period, the reference day decides."""
    import datetime as dt

    from qms.calendar import WorkingCalendar
    from qms.i18n import use_language
    from qms.kpi.classify import classify
    from qms.kpi.report import one_stop_basis

    cal = WorkingCalendar(years=(2025, 2026))

    def basis(period: tuple[dt.date, dt.date] | None, as_of: dt.date, lang: str) -> str:
        with use_language(lang):
            return one_stop_basis(classify([], cal, as_of=as_of, period=period))

    march_2025 = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert basis(march_2025, dt.date(2026, 3, 31), "en") == "NĐ 61/2018/NĐ-CP Arts. 12(5), 19(9)"
    assert basis(march_2025, dt.date(2026, 3, 31), "vi") == "NĐ 61/2018/NĐ-CP khoản 5 Điều 12, khoản 9 Điều 19"
    across = basis((dt.date(2025, 6, 1), dt.date(2025, 7, 31)), dt.date(2025, 7, 31), "en")
    assert across.startswith("NĐ 61/2018/NĐ-CP") and " / NĐ 118/2025/NĐ-CP" in across
    assert basis(None, dt.date(2025, 6, 30), "en").startswith("NĐ 61/2018/NĐ-CP")
    assert basis(None, dt.date(2025, 7, 1), "en").startswith("NĐ 118/2025/NĐ-CP")
