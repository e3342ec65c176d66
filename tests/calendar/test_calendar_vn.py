"""Working-day calendar: official Vietnamese holiday schedules 2018-2030 and overrides."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from qms.calendar import CalendarSettings, DayOverride, WorkingCalendar, calendar_from_settings
from qms.cli.main import cli

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return calendar_from_settings(years=(2017, 2031))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2019-01-31", 3, "2019-02-12"),  # across Tết Kỷ Hợi (off 04-08/02/2019)
        ("2018-02-13", 1, "2018-02-21"),  # Tết Mậu Tuất: off 14-20/02/2018
        ("2020-01-22", 1, "2020-01-30"),  # Tết Canh Tý: off 23-29/01/2020
        ("2021-02-09", 1, "2021-02-17"),  # Tết Tân Sửu: off 10-16/02/2021
        ("2024-02-07", 1, "2024-02-15"),  # Tết Giáp Thìn: off 08-14/02/2024
        ("2025-01-24", 1, "2025-02-03"),  # Tết Ất Tỵ: off 25/01-02/02/2025
        ("2019-04-12", 1, "2019-04-16"),  # Hùng Kings on Sun 14/04/2019, compensated Mon 15/04
        ("2022-04-08", 1, "2022-04-12"),  # Hùng Kings on Sun 10/04/2022, compensated Mon 11/04
        ("2023-04-28", 1, "2023-05-04"),  # 29/04-03/05/2023 off
        ("2023-08-31", 1, "2023-09-05"),  # 2/9/2023 Sat: off 01/09-04/09
        ("2024-08-30", 1, "2024-09-04"),  # 2/9/2024: off 31/08-03/09
        ("2025-08-29", 1, "2025-09-03"),  # 2/9/2025: off 30/08-02/09
        ("2018-12-28", 1, "2019-01-02"),  # 31/12/2018 off, 01/01/2019 holiday
        ("2019-01-04", 1, "2019-01-05"),  # Sat 05/01/2019 was a make-up working day
        ("2025-04-25", 1, "2025-04-26"),  # Sat 26/04/2025 worked in exchange for Fri 02/05
        ("2025-04-29", 1, "2025-05-05"),  # 30/04, 01/05 and swapped 02/05/2025 off
        ("2019-02-12", -3, "2019-01-31"),  # backwards across Tết
        ("2019-01-31", 0, "2019-01-31"),
    ],
)
def test_add_working_days_official_schedules(cal: WorkingCalendar, start: str, n: int, expected: str) -> None:
    assert cal.add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2019-02-04", False),
        ("2019-02-11", True),
        ("2019-05-04", True),  # swapped Saturday
        ("2019-05-11", False),  # an ordinary Saturday
        ("2019-04-29", False),  # swapped day off
        ("2021-09-03", False),  # 2/9 + adjacent day since 2021
        ("2022-09-01", False),
        ("2018-09-03", False),  # 02/09/2018 Sunday, compensated
        ("2026-02-20", False),  # Tết Bính Ngọ (mùng 4)
        ("2026-08-22", True),  # Sat worked for Mon 31/08/2026
        ("2026-08-31", False),
        ("2030-02-04", False),  # Tết Canh Tuất (Vietnamese lunar table)
        ("2030-02-07", True),
    ],
)
def test_is_working_day(cal: WorkingCalendar, day: str, working: bool) -> None:
    assert cal.is_working_day(D(day)) is working


def test_tet_2030_uses_vietnamese_new_moon(cal: WorkingCalendar) -> None:
    # Vietnam (UTC+7) celebrates Tết Canh Tuất on 02/02/2030, a day before China.
    names = {h.date: h.name_en for h in cal.holidays_in(2030)}
    assert names[D("2030-02-02")] == "Lunar New Year"


def test_working_days_between_is_half_open(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(D("2019-01-31"), D("2019-02-12")) == 3
    assert cal.working_days_between(D("2019-01-31"), D("2019-02-12"), inclusive=True) == 4
    assert cal.working_days_between(D("2019-02-12"), D("2019-01-31")) == -3
    assert cal.working_days_between(D("2026-02-09"), D("2026-02-27"), inclusive=True) == 10
    assert cal.working_days_between(D("2019-02-04"), D("2019-02-04")) == 0


def test_working_days_in_a_year(cal: WorkingCalendar) -> None:
    # 2019: 261 weekdays - 11 weekday holidays (1/1, 4-8/2, 15/4, 29/4, 30/4, 1/5, 2/9) + 2 swapped Saturdays.
    assert cal.working_days_between(D("2018-12-31"), D("2019-12-31")) == 252


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2030, 12, 31)),
    n=st.integers(min_value=-300, max_value=300),
)
def test_add_and_count_are_inverse(start: dt.date, n: int) -> None:
    cal = _shared()
    end = cal.add_working_days(start, n)
    if n > 0:
        assert end > start
        assert cal.is_working_day(end)
        assert cal.working_days_between(start, end) == n
    elif n < 0:
        assert end < start
        assert cal.is_working_day(end)
        # counting back: -n working days lie in [end, start)
        in_range = cal.working_days_between(end, start, inclusive=True) - cal.is_working_day(start)
        assert in_range == -n
    else:
        # a limit of 0: the first working day on or after the start
        assert end >= start
        assert cal.is_working_day(end)
        assert cal.working_days_between(start, end, inclusive=True) == 1


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2027-02-06", "2027-02-11"),  # Saturday inside Tết Đinh Mùi: the first working day after it
        ("2027-02-15", "2027-02-15"),  # an ordinary Monday is its own first working day
        ("2026-05-02", "2026-05-04"),  # Saturday -> Monday
    ],
)
def test_zero_working_days_is_the_first_working_day_on_or_after(start: str, expected: str) -> None:
    """Issue 16 item 14: calendar and KPI agree that a limit of 0 means the first working day on or after."""
    assert _shared().add_working_days(D(start), 0) == D(expected)
    r = CliRunner().invoke(cli, ["calendar", "add-working-days", start, "0"])
    assert r.exit_code == 0
    assert r.output.strip() == expected


_CAL: list[WorkingCalendar] = []


def _shared() -> WorkingCalendar:
    if not _CAL:
        _CAL.append(calendar_from_settings(years=(2016, 2032)))
    return _CAL[0]


def test_overrides_swap_a_saturday() -> None:
    s = CalendarSettings(
        extra_days_off=[DayOverride(date=D("2027-04-29"), reason="Nghỉ bù")],
        extra_working_days=[DayOverride(date=D("2027-04-24"), reason="Làm bù")],
    )
    c = calendar_from_settings(s)
    base = calendar_from_settings()
    assert base.is_working_day(D("2027-04-29"))
    assert not c.is_working_day(D("2027-04-29"))
    assert not base.is_working_day(D("2027-04-24"))
    assert c.is_working_day(D("2027-04-24"))
    assert c.add_working_days(D("2027-04-23"), 1) == D("2027-04-24")
    listed = {h.date: h for h in c.holidays_in(2027)}
    assert listed[D("2027-04-24")].is_day_off is False
    assert listed[D("2027-04-24")].name_vi == "Làm bù"
    assert listed[D("2027-04-29")].kind == "override"


def test_custom_weekend() -> None:
    c = calendar_from_settings(CalendarSettings(weekend=[7]))
    assert c.is_working_day(D("2019-05-11"))  # a Saturday
    assert not c.is_working_day(D("2019-05-12"))


def test_settings_reject_bad_values() -> None:
    with pytest.raises(ValueError, match=r"1\.\.7"):
        CalendarSettings(weekend=[0, 6])
    with pytest.raises(ValueError, match="Extra inputs"):
        CalendarSettings.model_validate({"weekends": [6]})
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(extra_days_off={D("2020-01-02"): ""}, extra_working_days={D("2020-01-02"): ""})


def test_table_widens_on_demand() -> None:
    c = WorkingCalendar(years=(2019, 2019))
    assert c.add_working_days(D("2019-12-31"), 1) == D("2020-01-02")
    assert c.last_year >= 2020
    assert c.is_working_day(D("2005-03-01"))


def test_holidays_have_both_languages(cal: WorkingCalendar) -> None:
    by_date = {h.date: h for h in cal.holidays_in(2019)}
    assert by_date[D("2019-02-05")].name_vi == "Tết Nguyên Đán"
    assert by_date[D("2019-02-05")].name_en == "Lunar New Year"
    assert by_date[D("2019-09-02")].name_vi == "Quốc khánh"


def test_cli_add_working_days() -> None:
    r = CliRunner().invoke(cli, ["calendar", "add-working-days", "2019-01-31", "3"])
    assert r.exit_code == 0
    assert r.output.strip() == "2019-02-12"
    r = CliRunner().invoke(cli, ["calendar", "add-working-days", "31/01/2019", "3"])
    assert r.output.strip() == "2019-02-12"


def test_cli_working_days_and_holidays() -> None:
    r = CliRunner().invoke(cli, ["calendar", "working-days", "2019-01-31", "2019-02-12"])
    assert r.output.strip() == "3"
    r = CliRunner().invoke(cli, ["--lang", "vi", "calendar", "holidays", "2019"])
    assert r.exit_code == 0
    assert "05/02/2019  Thứ 3" in r.output  # dates as people read them (dd/mm/yyyy), weekday in Vietnamese
    assert "Tết Nguyên Đán" in r.output
    assert "04/05/2019" in r.output  # the make-up Saturday is listed


def test_cli_calendar_file(tmp_path: object) -> None:
    from pathlib import Path

    p = Path(str(tmp_path)) / "cal.yaml"
    p.write_text("calendar:\n  extra_working_days:\n    - date: 2019-02-08\n      reason: test\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["calendar", "add-working-days", "2019-01-31", "3", "--calendar", str(p)])
    assert r.output.strip() == "2019-02-11"
    p.write_text("calendar:\n  weekend: [9]\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["calendar", "add-working-days", "2019-01-31", "3", "--calendar", str(p)])
    assert r.exit_code != 0
    assert isinstance(r.exception, Exception)
    assert "weekend" in str(getattr(r.exception, "message", r.exception))


def test_cli_bad_date_is_a_clear_error() -> None:
    from qms.errors import QmsError

    r = CliRunner().invoke(cli, ["calendar", "add-working-days", "2019-02-30", "3"])
    assert isinstance(r.exception, QmsError)
    assert "is not a date" in r.exception.message
