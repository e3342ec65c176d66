"""The KPI reader as the CSV and XLSX targets drive it: ``read_logs`` into a ``Classifier``, then the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from _harness import expect, instrumented

with instrumented():
    from qms.calendar import calendar_from_settings
    from qms.errors import QmsError
    from qms.kpi import Classifier, to_csv, to_json, to_text
    from qms.kpi.logs import read_logs
    from qms.store import dossier_logs  # noqa: F401

CALENDAR = calendar_from_settings(years=(2017, 2027))
LIMITS = {"1.000001": 5.0, "1.004227": 15.0, "P": 3.0}
GROUPINGS = (None, "procedure", "unit", "month", "mechanism")


def classify_file(path: Path, engine: str, by: str | None) -> dict[str, Any] | None:
    """The report of one log, or None when the reader refused it with a QmsError (the contract)."""
    clf = Classifier(CALENDAR, LIMITS, as_of=dt.date(2019, 6, 30), by=by)
    try:
        read_logs(clf, [path], workers=1, engine=engine)
    except QmsError as exc:
        expect(bool(exc.message), "a QmsError without a message")
        return None
    result = clf.result()
    to_text(result, 98.0)
    to_csv(result, 98.0)
    to_json(result, 98.0)
    return {"counts": result.counts.to_dict(), "rows": result.rows_read, "rejected": len(result.rejected),
            "duplicates": len(result.duplicates)}
