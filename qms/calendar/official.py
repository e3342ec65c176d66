"""The table of official schedules (``data/official_schedules.yaml``): for a year it lists, the calendar.

Each year lists its days off other than weekends and its make-up working days, every day with its source.
For those years the ``holidays`` package is not consulted; years before the first listed year come from
the package; later years are estimates until the Government announces them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from qms.i18n import _


@dataclass(frozen=True, slots=True)
class OfficialDay:
    date: dt.date
    name_vi: str
    name_en: str
    source: str
    day_off: bool


@dataclass(frozen=True, slots=True)
class OfficialYear:
    year: int
    source: str
    days: tuple[OfficialDay, ...]

    @property
    def days_off(self) -> list[OfficialDay]:
        return [d for d in self.days if d.day_off]

    @property
    def working_days(self) -> list[OfficialDay]:
        return [d for d in self.days if not d.day_off]


@cache
def schedules() -> dict[int, OfficialYear]:
    """Every announced year of the table."""
    text = (resources.files("qms.calendar") / "data" / "official_schedules.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 20 times faster
    out: dict[int, OfficialYear] = {}
    for year, raw in (data.get("years") or {}).items():
        days = [OfficialDay(d["date"], str(d["vi"]), str(d["en"]), str(d["source"]), True)
                for d in raw.get("days_off") or ()]
        days += [OfficialDay(d["date"], str(d["vi"]), str(d["en"]), str(d["source"]), False)
                 for d in raw.get("working_days") or ()]
        for d in days:
            if d.date.year != int(year):
                raise ValueError(f"official_schedules.yaml: {d.date} is listed under {year}")
        out[int(year)] = OfficialYear(int(year), str(raw.get("source", "")), tuple(sorted(days, key=lambda d: d.date)))
    return out


def first_year() -> int:
    return min(schedules(), default=9999)


def last_year() -> int:
    return max(schedules(), default=0)


def is_estimate(year: int) -> bool:
    """A year after the last announced one: its days come from the package's rules, not from a notice."""
    return year > last_year() and year not in schedules()


@dataclass(frozen=True, slots=True)
class Disagreement:
    date: dt.date
    table_day_off: bool | None  # None: the table does not list the day (an ordinary day)
    package_day_off: bool
    package_name: str


def package_disagreements(year: int, weekend: frozenset[int] = frozenset({6, 7}),
                           lang: str = "en") -> list[Disagreement]:
    """Where the installed ``holidays`` package and the table of official schedules differ in ``year``
    (empty for a year the table does not list): a report, never a failure — the table wins. The package's
    names of days are in ``lang`` (``vi`` or ``en``)."""
    table = schedules().get(year)
    if table is None:
        return []
    import holidays as holidays_pkg

    pkg = holidays_pkg.country_holidays("VN", years=year, language="vi" if lang == "vi" else "en_US")
    pkg_off = {d: str(n) for d, n in pkg.items() if d.year == year}
    pkg_work = {d for d in getattr(pkg, "weekend_workdays", set()) if d.year == year}
    listed = {d.date: d for d in table.days}
    out: list[Disagreement] = []
    for day in sorted(set(listed) | set(pkg_off) | pkg_work):
        weekend_day = day.isoweekday() in weekend
        package_off = day in pkg_off or (weekend_day and day not in pkg_work)
        official = listed.get(day)
        table_off = official.day_off if official is not None else weekend_day
        if package_off != table_off:
            out.append(Disagreement(day, official.day_off if official is not None else None, package_off,
                                    pkg_off.get(day, _("make-up working day") if day in pkg_work else "")))
    return out
