"""A per-procedure cut-off hour (issue 15 item 6): a dossier received after it counts from the next working
day, in KPI classification and in `qms calendar add-working-days --at HH:MM`; the KPI report names the
calendar that produced it and marks the years whose schedule is an estimate."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qms.calendar import calendar_from_settings
from qms.kpi import iter_rows_of
from qms.kpi.classify import Classifier
from qms.kpi.report import to_dict
from qms.models.process import Administrative

HEADER = ["dossier_id", "procedure_id", "received_at", "completed_at"]
ROWS = [
    ["A", "P", "2026-03-02 14:00", "2026-03-02 16:30"],  # before 15:00, result the same day: on time
    ["B", "P", "2026-03-02 16:00", "2026-03-03 10:00"],  # after 15:00, result the next working day: on time
    ["C", "P", "2026-03-02 16:00", "2026-03-04 10:00"],  # after 15:00, two days later: late
    ["D", "P", "2026-03-06 15:30", "2026-03-09 09:00"],  # Friday after 15:00, result on Monday: on time
    ["E", "P", "2026-03-02", "2026-03-02"],  # no time of receipt: the cut-off cannot apply
]


def _classify(cutoffs: dict[str, dt.time] | None) -> Classifier:
    clf = Classifier(calendar_from_settings(years=(2025, 2027)), {"P": 0}, as_of=dt.date(2026, 3, 31),
                     cutoffs=cutoffs)
    clf.add(iter_rows_of([HEADER, *ROWS], "log.csv"))
    return clf


def test_received_after_the_cut_off_counts_from_the_next_working_day() -> None:
    """With a same-day limit and a 15:00 cut-off, B and D are on time and only C is late."""
    r = _classify({"P": dt.time(15, 0)}).result()
    assert (r.counts["on_time"], r.counts["late"]) == (4, 1)


def test_without_a_cut_off_the_same_log_is_late() -> None:
    """The control: no cut-off, so B, C and D (results after the day of receipt) are late."""
    r = _classify(None).result()
    assert (r.counts["on_time"], r.counts["late"]) == (2, 3)


def test_cutoff_field_reads_yaml_times() -> None:
    """`cutoff: 15:00` unquoted (YAML 1.1 reads 900) and quoted are the same; a bad hour is refused."""
    assert Administrative.model_validate({"time_limit": "1d", "cutoff": 900}).cutoff == "15:00"
    assert Administrative.model_validate({"time_limit": "1d", "cutoff": "15:00"}).cutoff_time() == dt.time(15, 0)
    with pytest.raises(ValueError, match="HH:MM"):
        Administrative.model_validate({"time_limit": "1d", "cutoff": "3pm"})


def test_report_names_its_calendar_and_marks_estimate_years() -> None:
    """The JSON report says which official schedules and which holidays version produced it; a dossier due
    in a year with no announced schedule makes that year an estimate."""
    from qms.calendar.official import is_estimate, last_year

    doc = to_dict(_classify(None).result())
    cal = doc["calendar"]
    assert 2026 in cal["official_years"] and cal["holidays"]
    assert cal["estimate_years"] == []
    later = last_year() + 1
    clf = Classifier(calendar_from_settings(years=(2025, later + 1)), {"P": 0}, as_of=dt.date(later, 3, 31))
    clf.add(iter_rows_of([HEADER, ["Z", "P", f"{later}-03-02", f"{later}-03-02"]], "log.csv"))
    assert is_estimate(later)
    assert to_dict(clf.result())["calendar"]["estimate_years"] == [later]


def _qms(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QMS_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "qms", *args], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120, check=False)


def test_add_working_days_at_an_hour(tmp_path: Path) -> None:
    """`--at 16:00 --cutoff 15:00` moves the start to the next working day; at the cut-off it does not; the
    default cut-off is the end of the calendar's office hours; a missing cut-off or a bad hour is exit 2."""
    assert _qms(tmp_path, "calendar", "add-working-days", "2026-03-02", "0", "--at", "16:00",
                "--cutoff", "15:00").stdout.strip() == "2026-03-03"
    assert _qms(tmp_path, "calendar", "add-working-days", "2026-03-02", "3", "--at", "15:00",
                "--cutoff", "15:00").stdout.strip() == "2026-03-05"
    # Friday 31/12/2025 after the cut-off: 1-4/1/2026 are days off (12729/VPCP-KGVX), so Monday 5/1
    assert _qms(tmp_path, "calendar", "add-working-days", "2025-12-31", "0", "--at", "16:30",
                "--cutoff", "15:00").stdout.strip() == "2026-01-05"
    cal = tmp_path / "cal.yaml"
    cal.write_text("calendar:\n  office_hours: ['07:30-11:30', '13:30-17:00']\n", encoding="utf-8")
    base = ("calendar", "add-working-days", "2026-03-02", "0", "--calendar", str(cal))
    assert _qms(tmp_path, *base, "--at", "16:59").stdout.strip() == "2026-03-02"
    assert _qms(tmp_path, *base, "--at", "17:01").stdout.strip() == "2026-03-03"
    missing = _qms(tmp_path, "calendar", "add-working-days", "2026-03-02", "0", "--at", "16:00")
    assert missing.returncode == 2 and "cut-off" in missing.stderr and "Traceback" not in missing.stderr
    bad = _qms(tmp_path, "calendar", "add-working-days", "2026-03-02", "0", "--at", "25:00", "--cutoff", "15:00")
    assert bad.returncode == 2 and "not a time of day" in bad.stderr


def test_kpi_report_uses_the_procedures_cut_off(tmp_path: Path) -> None:
    """Inside a repository, `administrative.cutoff` of the procedure applies to `qms kpi report`."""
    repo = tmp_path / "repo"
    init = _qms(tmp_path, "init", str(repo), "--template", "vn-agency")
    assert init.returncode == 0, init.stderr
    proc = repo / "processes" / "QT-CT-01.yaml"
    text = proc.read_text(encoding="utf-8")
    assert "  time_limit: 1d\n" in text
    proc.write_text(text.replace("  time_limit: 1d\n", '  time_limit: 0d\n  cutoff: "15:00"\n', 1), encoding="utf-8")
    log = repo / "log.csv"
    log.write_text("Mã hồ sơ,Mã thủ tục,Ngày tiếp nhận,Ngày có kết quả\n"
                   "A,2.000815,02/03/2026 16:00,03/03/2026 09:00\n"
                   "B,2.000815,02/03/2026 16:00,04/03/2026 09:00\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "qms", "kpi", "report", str(log), "--format", "json",
                        "--as-of", "2026-03-31"], capture_output=True, text=True, cwd=repo,
                       env={**os.environ, "QMS_LANG": "en"}, timeout=180, check=False)
    doc = json.loads(r.stdout)
    assert (doc["on_time"], doc["late"]) == (1, 1), r.stderr
