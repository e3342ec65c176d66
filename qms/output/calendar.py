"""The days off and swapped working days of ``qms calendar holidays``, as text and JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from qms.calendar.core import Holiday
from qms.i18n import _
from qms.output.jsonfmt import to_json
from qms.output.safe import one_line


def holidays_json(days: Sequence[Holiday]) -> str:
    return to_json([{"date": h.date.isoformat(), "name_vi": h.name_vi, "name_en": h.name_en,
                     "day_off": h.is_day_off, "source": h.kind} for h in days], indent=2)


def holidays_text(days: Sequence[Holiday], lang: str) -> str:
    """One line per day: date, weekday in ``lang``, day off or working day, name."""
    from babel.dates import format_date

    # the weekday in the language of messages ("Thứ 7", "CN"), padded to its longest abbreviation
    monday = dt.date(2027, 1, 4)
    width = max(len(format_date(monday + dt.timedelta(days=i), "EEE", locale=lang)) for i in range(7))
    lines = []
    for h in days:
        marker = _("day off") if h.is_day_off else _("working day")
        weekday = format_date(h.date, "EEE", locale=lang)
        lines.append(f"{h.date.isoformat()}  {weekday:<{width}}  {marker:<12}  {one_line(h.name(lang))}")
    return "\n".join(lines)
