"""A working-day calendar backed by per-date lookup tables.

The calendar covers a contiguous range of years. For every day in it we keep

* ``is_work[i]`` - 1 when day ``i`` (``i = ordinal - base``) is a working day;
* ``before[i]`` - how many working days lie strictly before day ``i`` in the table;
* ``workdays[k]`` - the day index of the ``k``-th working day (0-based).

so that "N working days after D" and "working days between A and B" are two
array look-ups (O(1)), which the KPI classifier relies on for speed. A plain
per-date table, unlike ``numpy.busday_*`` weekmasks, can model swapped working
Saturdays and one-off days off.

Sources, in increasing priority: the weekend days; for a year listed in the table of official
schedules (``calendar/data/official_schedules.yaml``, every day with its source) that table, otherwise
the ``holidays`` package (country VN: fixed-date and lunar holidays, compensatory days and the make-up
Saturdays it knows; years after the last announced one are estimates); the override table
(``extra_days_off``, ``extra_working_days``) from ``qms.yaml``.

Counting conventions (documented once, used everywhere):

* ``add_working_days(d, n)`` with ``n >= 1`` is the ``n``-th working day
  *after* ``d``; ``d`` itself is never counted (the day of receipt is day 0).
  ``n == 0`` is the first working day on or after ``d`` (a limit of 0
  working days: a same-day procedure received on a day off is due on the
  next working day), as the KPI classifier counts it; negative ``n``
  counts backwards.
* ``working_days_between(a, b)`` counts working days in the half-open range
  ``(a, b]`` - after ``a``, up to and including ``b`` - so that
  ``working_days_between(d, add_working_days(d, n)) == n`` for ``n >= 1``. With
  ``inclusive=True`` it counts ``[a, b]``. If ``b < a`` the result is negative.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from qms.calendar.official import OfficialDay
from qms.i18n import _

#: The years the ``holidays`` package has lunar tables for.
MIN_YEAR = 1901
MAX_YEAR = 2100


@dataclass(frozen=True, slots=True)
class Holiday:
    date: dt.date
    name_vi: str
    name_en: str
    kind: str  # "official" (the table of official schedules), "holiday" (the holidays package) or "override"
    is_day_off: bool = True
    source: str = ""  # where the day comes from: the notice or article, "holidays X.Y", or "qms.yaml"
    estimate: bool = False  # the year has no announced schedule yet

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


PackageDays = tuple[dict[dt.date, str], set[dt.date]]
"""What the ``holidays`` package gives for some years: the days off with their Vietnamese names, and the
make-up working days."""

PackageSource = Callable[[Sequence[int]], PackageDays]
"""Where a calendar gets :data:`PackageDays` from: :func:`package_days`, or a cache of it."""


def package_days(years: Sequence[int]) -> PackageDays:
    """The ``holidays`` package's days of ``years`` (importing it takes a tenth of a second: every
    country of the package is loaded)."""
    import holidays as holidays_pkg

    wanted = set(years)
    vi = holidays_pkg.country_holidays("VN", years=sorted(wanted), language="vi")
    return ({d: str(n) for d, n in vi.items() if d.year in wanted},
            {d for d in getattr(vi, "weekend_workdays", set()) if d.year in wanted})


@cache
def package_version() -> str:
    """The version of the installed ``holidays`` package (recorded beside the days it supplied)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:  # pragma: no cover - a dependency
        return "?"


class CalendarRangeError(ValueError):
    """A date outside the years the calendar can cover."""


def _check_years(first: int, last: int) -> None:
    for year in (first, last):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CalendarRangeError(
                _("year {year} is outside the supported range {lo}..{hi}").format(year=year, lo=MIN_YEAR, hi=MAX_YEAR)
            )


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


class WorkingCalendar:
    """Working days for Vietnamese public agencies, with an override table."""

    def __init__(
        self,
        weekend: Iterable[int] = (6, 7),
        extra_days_off: Mapping[dt.date, str] | None = None,
        extra_working_days: Mapping[dt.date, str] | None = None,
        years: tuple[int, int] | None = None,
        package_source: PackageSource | None = None,
    ) -> None:
        self.weekend: frozenset[int] = frozenset(weekend)
        if not self.weekend <= set(range(1, 8)) or len(self.weekend) == 7:
            raise ValueError(_("weekend must be a proper subset of ISO weekdays 1..7"))
        self.extra_days_off: dict[dt.date, str] = dict(extra_days_off or {})
        self.extra_working_days: dict[dt.date, str] = dict(extra_working_days or {})
        both = set(self.extra_days_off) & set(self.extra_working_days)
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(
                _("dates listed both as extra days off and extra working days: {dates}").format(dates=listed)
            )
        if years is not None:
            _check_years(*years)
        self.first_year = 0
        self.last_year = -1
        self.base = 0
        self.is_work = bytearray()
        self.before = array("i")
        self.workdays = array("i")
        self._holidays_vi: dict[dt.date, str] = {}
        self._holidays_en: dict[dt.date, str] = {}
        self._package_workdays: set[dt.date] = set()
        self._official_days: dict[dt.date, OfficialDay] = {}
        self._package_years: frozenset[int] = frozenset()
        self._package_source = package_source or package_days
        #: the years the tables cover at least (None: only the years asked for); they are built on
        #: first use (a KPI log with due dates on every row never needs them), and widen on demand
        self._years = years

    @property
    def built(self) -> bool:
        return self.last_year >= self.first_year

    # -- table construction -------------------------------------------------
    def _build(self, first: int, last: int) -> None:
        _check_years(first, last)
        years = range(first, last + 1)
        from qms.calendar.official import schedules

        official = schedules()
        package_years = [y for y in years if y not in official]
        self._holidays_vi, self._holidays_en, self._package_workdays = {}, {}, set()
        self._package_years = frozenset(package_years)
        if package_years:
            # only the years of no official schedule; the English names are looked up when a list of
            # holidays asks for them (holidays_in)
            self._holidays_vi, self._package_workdays = self._package_source(package_years)
        self._official_days = {d.date: d for y in years if y in official for d in official[y].days}
        base = dt.date(first, 1, 1).toordinal()
        end = dt.date(last, 12, 31).toordinal()
        size = end - base + 1
        weekend = self.weekend
        is_work = bytearray(size)
        start_weekday = dt.date(first, 1, 1).isoweekday()  # 1..7
        for i in range(size):
            if (start_weekday - 1 + i) % 7 + 1 not in weekend:
                is_work[i] = 1
        for d in self._holidays_vi:
            is_work[d.toordinal() - base] = 0
        for d in self._package_workdays:
            is_work[d.toordinal() - base] = 1
        for d, day in self._official_days.items():
            is_work[d.toordinal() - base] = 0 if day.day_off else 1
        for d in self.extra_days_off:
            if first <= d.year <= last:
                is_work[d.toordinal() - base] = 0
        for d in self.extra_working_days:
            if first <= d.year <= last:
                is_work[d.toordinal() - base] = 1
        before = array("i", bytes(4 * (size + 1)))
        workdays = array("i")
        count = 0
        for i in range(size):
            before[i] = count
            if is_work[i]:
                workdays.append(i)
                count += 1
        before[size] = count
        self.first_year, self.last_year, self.base = first, last, base
        self.is_work, self.before, self.workdays = is_work, before, workdays

    def ensure_years(self, first: int, last: int) -> None:
        """Widen the table so that it covers ``first..last`` (no-op when it already does)."""
        if first >= self.first_year and last <= self.last_year:
            return
        lo, hi = (self.first_year, self.last_year) if self.built else (self._years or (first, last))
        self._build(min(first, lo), max(last, hi))

    def _index(self, day: dt.date) -> int:
        self.ensure_years(day.year, day.year)
        return day.toordinal() - self.base

    # -- queries ------------------------------------------------------------
    def is_working_day(self, day: dt.date | str) -> bool:
        i = self._index(_as_date(day))  # before reading the table: the first use builds it
        return bool(self.is_work[i])

    def add_working_days(self, day: dt.date | str, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself not counted); see module doc.

        ``n == 0`` gives the first working day on or after ``day``.
        """
        d = _as_date(day)
        if n == 0:
            self.ensure_years(d.year, min(MAX_YEAR, d.year + 1))
            i = self._index(d)
            k = self.before[i]
            if k >= len(self.workdays):
                raise CalendarRangeError(
                    _("{n} working days from {day} falls outside the supported years {lo}..{hi}").format(
                        n=0, day=d.isoformat(), lo=MIN_YEAR, hi=MAX_YEAR
                    )
                )
            return dt.date.fromordinal(self.workdays[k] + self.base)
        # There are at least ~200 working days a year: cover enough years up front.
        span = abs(n) // 200 + 1
        if n > 0:
            self.ensure_years(d.year, min(MAX_YEAR, d.year + span))
        else:
            self.ensure_years(max(MIN_YEAR, d.year - span), d.year)
        i = self._index(d)
        k = self.before[i + 1] + n - 1 if n > 0 else self.before[i] + n
        if not 0 <= k < len(self.workdays):
            raise CalendarRangeError(
                _("{n} working days from {day} falls outside the supported years {lo}..{hi}").format(
                    n=abs(n), day=d.isoformat(), lo=MIN_YEAR, hi=MAX_YEAR
                )
            )
        return dt.date.fromordinal(self.workdays[k] + self.base)

    def past_due(self, due: dt.date, today: dt.date) -> bool:
        """Whether something due on ``due`` is overdue on ``today``. A due day that is a day off runs to the
        end of the next working day (Civil Code 2015 Art. 148(5)), as the KPI report decides it; outside the
        years the calendar covers, the calendar day decides."""
        if due >= today:
            return False
        try:
            return self.add_working_days(due, 0) < today
        except CalendarRangeError:
            return True

    def working_days_between(self, start: dt.date | str, end: dt.date | str, inclusive: bool = False) -> int:
        """Working days in ``(start, end]`` (or ``[start, end]`` with ``inclusive``); negative if end < start."""
        a, b = _as_date(start), _as_date(end)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        self.ensure_years(a.year, b.year)
        ia, ib = a.toordinal() - self.base, b.toordinal() - self.base
        count = self.before[ib + 1] - self.before[ia + 1]
        if inclusive:
            count += self.is_work[ia]
        return sign * count

    def _english_names(self, year: int) -> dict[dt.date, str]:
        """The English names of the package's holidays of ``year`` (looked up once per year)."""
        if year not in self._package_years:
            return {}
        if not any(d.year == year for d in self._holidays_en):
            import holidays as holidays_pkg

            en = holidays_pkg.country_holidays("VN", years=year, language="en_US")
            self._holidays_en.update({d: str(n) for d, n in en.items() if d.year == year})
        return self._holidays_en

    def holidays_in(self, year: int) -> list[Holiday]:
        """Days off (other than weekends) and swapped working days in ``year``, sorted by date."""
        self.ensure_years(year, year)
        from qms.calendar.official import is_estimate

        estimate = is_estimate(year)
        package = f"holidays {package_version()}"
        out: dict[dt.date, Holiday] = {}
        english = self._english_names(year)
        for d, name_vi in self._holidays_vi.items():
            if d.year == year:
                out[d] = Holiday(d, name_vi, english.get(d, name_vi), "holiday", True, package, estimate)
        for d in self._package_workdays:
            if d.year == year:
                out[d] = Holiday(d, "Ngày làm việc bù", "Make-up working day", "holiday", False, package, estimate)
        for d, day in self._official_days.items():
            if d.year == year:
                out[d] = Holiday(d, day.name_vi, day.name_en, "official", day.day_off, day.source)
        for d, reason in self.extra_days_off.items():
            if d.year == year:
                out[d] = Holiday(d, reason or "Ngày nghỉ theo quyết định", reason or "Extra day off", "override", True,
                                 "qms.yaml")
        for d, reason in self.extra_working_days.items():
            if d.year == year:
                out[d] = Holiday(
                    d, reason or "Ngày làm việc bù", reason or "Extra working day", "override", False, "qms.yaml"
                )
        return [out[d] for d in sorted(out)]
