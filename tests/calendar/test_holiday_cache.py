"""The calendar builds only the years it is asked for, and the holidays package's days come from the
shared cache once a run has looked them up (importing the package costs a tenth of a second)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from qms.calendar import WorkingCalendar, calendar_from_settings
from qms.calendar.core import package_days
from qms.store import holiday_cache
from qms.store.cache_dir import shared_area
from qms.store.holiday_cache import package_version

D = dt.date.fromisoformat


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QMS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("QMS_CACHE_KEY_FILE", str(tmp_path / "config" / "cache.key"))
    return tmp_path / "cache" / holiday_cache.AREA


def test_a_calendar_covers_the_years_it_is_asked_for() -> None:
    cal = WorkingCalendar()
    assert not cal.built
    assert cal.add_working_days(D("2026-12-28"), 5) == D("2027-01-05")  # 1/1/2027 is a day off
    assert (cal.first_year, cal.last_year) == (2026, 2027)  # not the sixteen years it once built
    assert cal.is_working_day(D("2019-01-05"))  # a make-up Saturday: the table widens back to 2019
    assert (cal.first_year, cal.last_year) == (2019, 2027)


def test_english_names_of_a_package_year_are_looked_up_when_listed() -> None:
    cal = WorkingCalendar()
    days = {h.date: h for h in cal.holidays_in(2029)}
    new_year = days[D("2029-01-01")]
    assert (new_year.name_vi, new_year.name_en) == ("Tết Dương lịch", "New Year's Day")
    assert new_year.estimate


def test_package_version_is_the_installed_one() -> None:
    from importlib.metadata import version

    assert package_version() == version("holidays")


def test_the_days_come_from_the_cache_once_looked_up(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = holiday_cache.cached_package_days([2027, 2028])
    assert first == package_days([2027, 2028])
    assert D("2027-09-02") in first[0]
    assert sorted(p.name for p in cache_dir.iterdir()) == [
        f"vn-{package_version()}-2027.json", f"vn-{package_version()}-2028.json"]

    def no_package(years: object) -> object:
        raise AssertionError(f"the package was asked for {years}")

    monkeypatch.setattr(holiday_cache, "package_days", no_package)
    assert holiday_cache.cached_package_days([2027, 2028]) == first
    cal = calendar_from_settings(package_source=holiday_cache.cached_package_days)
    assert cal.add_working_days(D("2027-08-31"), 2) == D("2027-09-06")  # Thu 2/9 and Fri 3/9 off (2027)


def test_a_forged_or_foreign_entry_is_a_miss(cache_dir: Path) -> None:
    right = holiday_cache.cached_package_days([2028])
    area = shared_area(holiday_cache.AREA)
    name = f"vn-{package_version()}-2028.json"
    path = cache_dir / name
    # forged: a day off added to the payload without the key
    raw = path.read_bytes().replace(b'"days": {', b'"days": {"2028-03-03": "x", ', 1)
    path.write_bytes(raw)
    assert area.read(name) is None
    assert holiday_cache.cached_package_days([2028]) == right
    # authenticated but not this year's days (a bug or an older layout): a miss, then rewritten
    area.write(name, b'{"year": 2027, "days": {}, "workdays": []}')
    assert holiday_cache.cached_package_days([2028]) == right
    area.write(name, b'{"year": 2028, "days": {"2027-01-01": "x"}, "workdays": []}')
    assert holiday_cache.cached_package_days([2028]) == right
    area.write(name, b'not json')
    assert holiday_cache.cached_package_days([2028]) == right
    assert holiday_cache._decode(area.read(name) or b"", 2028) == right


def test_a_due_date_in_the_next_year_does_not_import_the_package_twice(tmp_path: Path) -> None:
    """In a fresh interpreter, the second run of a command that needs the next year's holidays reads
    them from the cache and never imports the package."""
    script = (
        "import sys, datetime as dt\n"
        "from qms.store.calendar import load_calendar\n"
        "cal = load_calendar(None, None, None)\n"
        "print(cal.add_working_days(dt.date(2026, 12, 28), 5), 'holidays' in sys.modules)\n"
    )
    env = {"QMS_CACHE_DIR": str(tmp_path / "cache"), "QMS_CACHE_KEY_FILE": str(tmp_path / "key"),
           "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert [r.stdout.split() for r in runs] == [["2027-01-05", "True"], ["2027-01-05", "False"]]
