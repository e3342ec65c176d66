"""The table of official schedules is the calendar for the years it lists, whatever the installed
``holidays`` package says (issue 15, Deliver 6)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qms.calendar import WorkingCalendar
from qms.calendar.official import is_estimate, package_disagreements, schedules

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(years=(2024, 2027))


@pytest.mark.parametrize("year", sorted(schedules()))
def test_calendar_matches_the_table_day_by_day(cal: WorkingCalendar, year: int) -> None:
    """Every day of an announced year is a working day exactly when the table (or, for days it does not
    list, the Monday-to-Friday week) says so: the package cannot add or remove a day."""
    listed = {d.date: d for d in schedules()[year].days}
    day = dt.date(year, 1, 1)
    wrong = []
    while day.year == year:
        official = listed.get(day)
        want = (not official.day_off) if official is not None else day.isoweekday() <= 5
        if cal.is_working_day(day) != want:
            wrong.append(day.isoformat())
        day += dt.timedelta(days=1)
    assert not wrong


def test_every_day_of_the_table_names_its_source() -> None:
    for year in schedules().values():
        assert year.source
        for d in year.days:
            assert d.source.strip() and d.name_vi.strip() and d.name_en.strip(), d


def test_new_year_2026_swap_and_no_cultural_day_off(cal: WorkingCalendar) -> None:
    """12729/VPCP-KGVX: 1-4/1/2026 off, Friday 2/1 swapped to Saturday 10/1; 24/11/2026 is a working day."""
    assert not cal.is_working_day(dt.date(2026, 1, 2))
    assert cal.is_working_day(dt.date(2026, 1, 10))
    assert cal.add_working_days(dt.date(2025, 12, 31), 1) == dt.date(2026, 1, 5)
    assert cal.is_working_day(dt.date(2026, 11, 24))
    assert cal.is_working_day(dt.date(2025, 4, 26))  # make-up Saturday of 2025
    assert not cal.is_working_day(dt.date(2025, 5, 2))


def test_add_working_days_through_the_real_cli(tmp_path: Path) -> None:
    """`qms calendar add-working-days 2025-12-31 1` gives 2026-01-05 (outside any repository)."""
    r = subprocess.run([sys.executable, "-m", "qms", "calendar", "add-working-days", "2025-12-31", "1"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "2026-01-05"


def test_holidays_show_sources_and_estimates(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "qms", *args], capture_output=True, text=True, cwd=tmp_path,
                              timeout=120, check=False)

    data = json.loads(run("calendar", "holidays", "2026", "--format", "json").stdout)
    by_date = {d["date"]: d for d in data}
    assert by_date["2026-01-02"]["basis"] == "12729/VPCP-KGVX ngày 25/12/2025"
    assert by_date["2026-01-10"]["day_off"] is False
    assert "2026-11-24" not in by_date
    assert not any(d["estimate"] for d in data)
    later = max(schedules()) + 1
    assert is_estimate(later)
    future = json.loads(run("calendar", "holidays", str(later), "--format", "json").stdout)
    assert future and all(d["estimate"] for d in future)
    text = run("--lang", "vi", "calendar", "holidays", str(later)).stdout
    assert "ước tính" in text
    assert "Thứ" in text or "CN" in text  # Vietnamese weekday names


def test_package_report_lists_disagreements_without_failing() -> None:
    """A report, not a failure: whatever the package says, `calendar package-diff` exits 0."""
    r = subprocess.run([sys.executable, "-m", "qms", "calendar", "package-diff", *map(str, sorted(schedules()))],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("holidays package ")
    for year in schedules():
        for d in package_disagreements(year):
            assert d.date.isoformat() in r.stdout


def test_provenance_names_the_table_years_and_the_package_version() -> None:
    from importlib.metadata import version

    from qms.calendar import provenance

    got = provenance()
    assert got == {"official_years": sorted(schedules()), "holidays": version("holidays")}
    assert {2025, 2026} <= set(got["official_years"])  # type: ignore[call-overload]


def test_vietnamese_listing_cites_its_sources_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    """`qms --lang vi calendar holidays 2026` printed sources as English prose ("[2026 Tết notice (16-20/2
    official days)]", "Saturday 22/8 worked"); every source of the table is now a Vietnamese citation."""
    english = re.compile(r"\b(notice|notices|official|days?|off|worked|on|reported|press|Saturday|Monday|Friday)\b")
    for year in sorted(schedules()):
        code, out = _main(["--lang", "vi", "calendar", "holidays", str(year)], capsys)
        assert code == 0
        assert out.count("\n") == len(schedules()[year].days)
        assert not english.findall(out), out


def test_package_report_names_the_package_days_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    """`qms --lang vi calendar package-diff 2026` named the package's day in English ("(Vietnam Cultural
    Day)") in a Vietnamese report; the package's Vietnamese names are used."""
    years = [y for y in sorted(schedules()) if package_disagreements(y)]
    code, out = _main(["--lang", "vi", "calendar", "package-diff", *map(str, years)], capsys)
    assert code == 0
    assert "(" in out  # at least one day the package names
    assert not re.search(r"\((?:[A-Z][a-z]+ )*(?:Day|Holiday)[^)]*\)|make-up", out), out


def _main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from qms.cli.main import main

    try:
        code = int(main(argv) or 0)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().out
