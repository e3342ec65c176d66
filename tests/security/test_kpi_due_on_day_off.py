"""A due date that the one-stop system set on a day off (a system that missed the swapped day off of
31/08/2026, or counted calendar days): the due day is the next working day, as the Civil Code 2015
Art. 148(5) ends a time limit whose last day is a day off (at the end of the next working day)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms.cli.main import main

HEADER = "Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả,Trạng thái\n"
ROWS = [
    "G1,1.001,28/08/2026 08:00,01/09/2026,03/09/2026 09:00,Đã trả",  # due on National Day (adjacent day)
    "G2,1.001,28/08/2026 08:00,31/08/2026 17:00,03/09/2026 16:30,Đã trả",  # on the swapped day off, with a time
    "G3,1.001,28/08/2026 08:00,01/09/2026,,Đang xử lý",
    "G4,1.001,28/08/2026 08:00,05/09/2026,07/09/2026 08:00,Đã trả",  # a Saturday: Monday
    "G5,1.001,28/08/2026 08:00,03/09/2026,04/09/2026 08:00,Đã trả",  # a working day: late the day after
]


def report(tmp_path: Path, as_of: str, capsys: pytest.CaptureFixture[str]) -> str:
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "".join(r + "\n" for r in ROWS), encoding="utf-8")
    try:
        code = int(main(["kpi", "report", str(log), "--as-of", as_of, "--format", "json"]) or 0)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_due_on_a_day_off_moves_to_the_next_working_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """H1: resolved on the next working day after a due day off is on time, not late."""
    monkeypatch.chdir(tmp_path)
    out = report(tmp_path, "2026-09-30", capsys)
    assert '"on_time": 3' in out and '"late": 1' in out and '"overdue_in_progress": 1' in out, out


def test_as_of_a_holiday_is_not_overdue_for_a_due_day_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """H2: --as-of 2026-09-02 (National Day): dossiers due on 31/08 or 01/09 (days off) are due on
    03/09, so still in progress, not overdue."""
    monkeypatch.chdir(tmp_path)
    out = report(tmp_path, "2026-09-02", capsys)
    assert '"in_progress": 5' in out and '"overdue_in_progress": 0' in out, out
