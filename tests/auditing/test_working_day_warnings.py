"""Item 6: an audit date or a due date on a weekend or public holiday is not accepted silently: a warning
on stderr (translated) names the next working day of the repository's calendar. On a terminal the user
is asked to keep the date; without one (CI, scripts) the command goes on with the warning."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import yaml

PLAN = ("audit", "plan", "--date", "2027-02-08", "--process", "QT-01", "--lead", "dung", "--team", "giang",
        "--today", "2026-02-01")


def qms_proc(root: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qms", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "QMS_LANG": lang}, timeout=120, check=False,
                          stdin=subprocess.DEVNULL)


def test_audit_in_tet_warns_and_names_the_next_working_day(agency: Path) -> None:
    """Item 6: `audit plan --date 2027-02-08` (third day of Tết) without a terminal: planned, with a
    Vietnamese warning naming the holiday and the next working day (11/02/2027)."""
    proc = qms_proc(agency, "--lang", "vi", *PLAN)
    assert proc.returncode == 0, proc.stderr
    assert "cảnh báo: --date 2027-02-08 không phải ngày làm việc (Mùng ba Tết Nguyên Đán)" in proc.stderr, proc.stderr
    assert "gợi ý: ngày làm việc kế tiếp là Thứ Năm 11/02/2027 (--date 2027-02-11)" in proc.stderr, proc.stderr
    assert list((agency / "audits").glob("AUD-2027-*.yaml"))


def test_weekday_audit_has_no_warning(agency: Path) -> None:
    """Item 6: a working day gives no warning at all."""
    args = list(PLAN)
    args[3] = "2027-02-11"
    proc = qms_proc(agency, *args)
    assert proc.returncode == 0, proc.stderr
    assert "not a working day" not in proc.stderr


def test_due_date_on_a_holiday_warns(agency: Path) -> None:
    """Item 6: `nc plan --due 2027-04-30` (Reunification Day) warns and names Tuesday 04/05/2027; a
    Saturday due date names the Monday."""
    steps = [
        ("nc", "new", "--process", "QT-01", "--title", "Trễ hạn", "--description", "Hồ sơ trễ", "--source",
         "late_dossier", "--severity", "minor", "--by", "dung", "--date", "2026-03-02"),
        ("nc", "correct", "NC-2026-0001", "--description", "Trả ngay", "--by", "dung", "--date", "2026-03-02"),
        ("nc", "analyse", "NC-2026-0001", "--method", "five-why", "--why", "Chờ ký", "--root-cause", "Chưa ủy quyền",
         "--similar", "Không có", "--by", "dung", "--date", "2026-03-03"),
    ]
    for args in steps:
        proc = qms_proc(agency, *args)
        assert proc.returncode == 0, (args, proc.stderr)
    proc = qms_proc(agency, "nc", "plan", "NC-2026-0001", "--action", "Ủy quyền ký", "--owner", "dung",
                    "--due", "2027-04-30", "--by", "dung", "--date", "2026-03-04")
    assert proc.returncode == 0, proc.stderr
    assert "warning: --due 2027-04-30 is not a working day (Liberation Day/Reunification Day)" in proc.stderr
    assert "the next working day is Tuesday 04/05/2027 (--due 2027-05-04)" in proc.stderr, proc.stderr
    proc = qms_proc(agency, "nc", "plan", "NC-2026-0001", "--action", "Tập huấn", "--owner", "dung",
                    "--due", "2027-05-08", "--by", "dung", "--date", "2026-03-04")
    assert proc.returncode == 0, proc.stderr
    assert "(Saturday)" in proc.stderr and "Monday 10/05/2027" in proc.stderr, proc.stderr


def _on_a_terminal(root: Path, answer: bytes) -> tuple[int, str]:
    """Run `audit plan` with a pseudo-terminal as stdin and type ``answer``."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "qms", *PLAN], cwd=root, stdin=slave,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "QMS_LANG": "en"}, start_new_session=True)
        os.close(slave)
        slave = -1
        os.write(master, answer)
        _out, err = proc.communicate(timeout=120)
        return proc.returncode, err
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)


def test_on_a_terminal_no_keeps_nothing(agency: Path) -> None:
    """Item 6: on a terminal the user is asked; "n" writes nothing and exits 1 with the next working day."""
    code, err = _on_a_terminal(agency, b"n\n")
    assert code == 1, err
    assert "Keep 2027-02-08 anyway?" in err, err
    assert "nothing written" in err and "--date 2027-02-11" in err, err
    assert not list((agency / "audits").glob("AUD-*.yaml"))


def test_on_a_terminal_yes_keeps_the_date(agency: Path) -> None:
    """Item 6: answering "y" keeps the date the user gave."""
    code, err = _on_a_terminal(agency, b"y\n")
    assert code == 0, err
    [path] = list((agency / "audits").glob("AUD-*.yaml"))
    assert str(yaml.safe_load(path.read_text(encoding="utf-8"))["plan"]["date"]) == "2027-02-08"
