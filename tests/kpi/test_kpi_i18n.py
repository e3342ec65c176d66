"""Every user-facing string of the calendar and KPI code has an NFC Vietnamese translation."""

from __future__ import annotations

import string
import unicodedata
from pathlib import Path

from babel.messages.extract import extract_from_file

from qms.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    "qms/calendar/core.py",
    "qms/kpi/classify.py",
    "qms/kpi/dates.py",
    "qms/kpi/report.py",
    "qms/cli/kpi.py",
    "qms/cli/calendar.py",
    "qms/store/dossier_logs.py",
]


def _fields(text: str) -> list[str]:
    return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)


def test_all_messages_translated() -> None:
    vi = catalogue("vi")
    ids = {m for f in FILES for _, m, _, _ in extract_from_file("python", str(ROOT / f), keywords={"_": None})}
    assert len(ids) > 50
    missing = sorted(m for m in ids if m not in vi)
    assert missing == []
    for m in ids:
        assert vi[m] == unicodedata.normalize("NFC", vi[m])
        assert _fields(m) == _fields(vi[m]), m
