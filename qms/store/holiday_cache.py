"""The ``holidays`` package's days of each year, kept in the shared cache.

Importing the package loads every country it knows (a tenth of a second), and a calendar needs it for
every year that has no official schedule (:mod:`qms.calendar.official`): the year after the last one
announced, for instance, which every due date near the end of the year reaches. The days of a year
depend only on the package's version, so they are kept in the shared cache folder
(:func:`qms.store.cache_dir.shared_area`, each entry authenticated) under that version and the year.
An entry that does not verify, or does not hold exactly one year's days, is a miss.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Sequence
from functools import cache

from qms.calendar.core import PackageDays, package_days
from qms.store.cache_dir import shared_area

AREA = "holidays"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@cache
def package_version() -> str:
    """The version of the installed ``holidays`` package, part of each entry's name. Read from the name
    of its ``.dist-info`` folder: asking ``importlib.metadata`` costs as much as importing the package."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        try:
            found = [e.name for e in os.scandir(os.path.dirname(folder))
                     if e.name.startswith("holidays-") and e.name.endswith(".dist-info")]
        except OSError:
            found = []
        if len(found) == 1:
            return found[0][len("holidays-"):-len(".dist-info")]
    from qms.calendar.core import package_version as from_metadata

    return from_metadata()


def _name(year: int) -> str:
    return f"vn-{_UNSAFE.sub('_', package_version())}-{year}.json"


def _decode(payload: bytes, year: int) -> PackageDays | None:
    """One year's days from a cache entry; None for anything but that."""
    try:
        data = json.loads(payload)
        if not isinstance(data, dict) or data.get("year") != year:
            return None
        days_raw, work_raw = data.get("days"), data.get("workdays")
        if not isinstance(days_raw, dict) or not isinstance(work_raw, list):
            return None
        days = {dt.date.fromisoformat(k): v for k, v in days_raw.items() if isinstance(v, str)}
        work = {dt.date.fromisoformat(k) for k in work_raw}
    except (ValueError, TypeError):
        return None
    if len(days) != len(days_raw) or any(d.year != year for d in (*days, *work)):
        return None
    return days, work


def _encode(year: int, days: PackageDays) -> bytes:
    names, work = days
    data = {"year": year, "days": {d.isoformat(): n for d, n in sorted(names.items()) if d.year == year},
            "workdays": sorted(d.isoformat() for d in work if d.year == year)}
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def cached_package_days(years: Sequence[int]) -> PackageDays:
    """:func:`qms.calendar.core.package_days`, from the cache where it has the year."""
    area = shared_area(AREA)
    names: dict[dt.date, str] = {}
    work: set[dt.date] = set()
    missing: list[int] = []
    for year in years:
        payload = area.read(_name(year))
        found = _decode(payload, year) if payload is not None else None
        if found is None:
            missing.append(year)
        else:
            names.update(found[0])
            work |= found[1]
    if missing:
        fresh = package_days(missing)
        names.update(fresh[0])
        work |= fresh[1]
        for year in missing:
            area.write(_name(year), _encode(year, fresh))
    return names, work
