"""The days off and swapped working days of ``qms calendar holidays``, as text and JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from qms.calendar.core import Holiday
from qms.i18n import _
from qms.i18n import format_date as format_day
from qms.output.jsonfmt import to_json
from qms.output.safe import one_line


def holidays_json(days: Sequence[Holiday]) -> str:
    return to_json([{"date": h.date.isoformat(), "name_vi": h.name_vi, "name_en": h.name_en,
                     "day_off": h.is_day_off, "source": h.kind, "basis": h.source, "estimate": h.estimate}
                    for h in days], indent=2)


def holidays_text(days: Sequence[Holiday], lang: str, *, estimate_year: int | None = None) -> str:
    """One line per day: date, weekday in ``lang``, day off or working day, name and its source.

    ``estimate_year`` says that the Government has announced no schedule for that year yet.
    """
    from babel.dates import format_date

    # the weekday in the language of messages ("Thứ 7", "CN"), padded to its longest abbreviation
    monday = dt.date(2027, 1, 4)
    width = max(len(format_date(monday + dt.timedelta(days=i), "EEE", locale=lang)) for i in range(7))
    lines = []
    if estimate_year is not None:
        lines.append(_("{year}: no official schedule announced yet; the days below are estimates from the "
                       "holidays package").format(year=estimate_year))
    for h in days:
        marker = _("day off") if h.is_day_off else _("working day")
        weekday = format_date(h.date, "EEE", locale=lang)
        name = one_line(h.name(lang))
        if h.estimate:
            name += " " + _("(estimate)")
        lines.append(f"{format_day(h.date)}  {weekday:<{width}}  {marker:<12}  {name}  [{one_line(h.source)}]")
    return "\n".join(lines)
