"""A dossier log with a date whose year the working-day calendar cannot cover (a typo such as
03/03/0206, an Excel serial such as 2 that is a day of 1900): that row is rejected with its file, row
and reason; the report is not aborted for the whole log."""

from __future__ import annotations

from pathlib import Path

import pytest
from inprocess import run_main as run

HEADER = "Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Số ngày tạm dừng,Ngày yêu cầu bổ sung,Ngày nhận bổ sung\n"


@pytest.mark.parametrize(("row", "column"), [
    ("T2,1.001,03/03/0206,,05/03/2026,,,", "Ngày tiếp nhận"),  # a typo in the year, dd/mm/yyyy
    ("T2,1.001,0206-03-03 08:00:00,,2026-03-05,,,", "Ngày tiếp nhận"),  # the same, ISO
    ("T2,1.001,2,,3,,,", "Ngày tiếp nhận"),  # Excel serials of 1900
    ("T2,1.001,03/03/2026,03/03/2206,,,,", "Ngày hẹn trả"),  # a due year the calendar has no table for...
    ("T2,1.001,03/03/2026,03/03/2026,,,03/03/1850,05/03/2026", "Ngày yêu cầu bổ sung"),
])
def test_a_year_outside_the_calendar_rejects_the_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], row: str,
                                                     column: str) -> None:
    """Y1: one row with a year outside 1901..2099 is rejected with its column; the others are counted
    (before: 'year 206 is outside the supported range', exit 2, no file or row named)."""
    log = tmp_path / "log.csv"
    limits = tmp_path / "limits.yaml"
    limits.write_text('"1.001": 2\n', encoding="utf-8")
    log.write_text(HEADER + "T1,1.001,03/03/2026,,05/03/2026,,,\n" + row + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["--lang", "en", "kpi", "report", str(log), "--limits", str(limits), "--as-of",
                          "2026-03-31", "--format", "json"], capsys)
    assert code == 0, err
    assert '"rejected_rows": 1' in out and '"resolved": 1' in out, out
    assert f'"reason": "{column}' in out and "1901–2099" in out, out
    assert '"row": 3' in out


def test_a_receipt_in_the_calendars_last_years_is_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Y3: received in 2098 or 2099 (inside the calendar's years): counted, not 'year 2101 is outside the
    supported range' for the whole report."""
    log = tmp_path / "log.csv"
    limits = tmp_path / "limits.yaml"
    limits.write_text('"1.001": 2\n', encoding="utf-8")
    log.write_text(HEADER + "T1,1.001,01/06/2098,,,,,\nT2,1.001,31/12/2099,,,,,\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["kpi", "report", str(log), "--limits", str(limits), "--as-of", "2099-12-31",
                          "--format", "json"], capsys)
    assert code == 0, err
    assert '"rejected_rows": 0' in out and '"total": 2' in out, out


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_period_that_starts_after_the_reference_day_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 lang: str) -> None:
    """Y2: --period 2027-03 (a typo for 2026-03) with --as-of 2026-03-31 is a usage error naming both
    days (before: every dossier 'outside the period', 0 counted, the objective MISSED, exit 1)."""
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "T1,1.001,03/03/2026,04/03/2026,05/03/2026,,,\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["--lang", lang, "kpi", "report", str(log), "--as-of", "2026-03-31", "--period", "2027-03"],
                         capsys)
    assert code == 2, out + err
    assert "01/03/2027" in err and "31/03/2026" in err and "--period" in err and "--as-of" in err, err
    assert not out
